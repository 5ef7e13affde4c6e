"""Encoder forward time on CPU fp32 with some of the base encoder's layers kept vs all of them.

    python -m benchmarks.bench_layers --layers 0,2,4,6,8,11 --sentences 200 --rounds 3

Reads ``--sentences`` texts from data/stance/dev (the same number from each language file in turn), tokenises
them as the model does (``query: `` prefix, max 160 tokens), and times the base encoder's forward pass over
them in batches of ``--batch-size`` (sorted by length), alternating the full encoder and the kept layers
``--rounds`` times; prints the best time of each and their ratio. Only the encoder: no heads, no finder.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def dev_sentences(n: int) -> list[str]:
    files = sorted((ROOT / "data" / "stance" / "dev").glob("*.jsonl"))
    rows = [
        [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line]
        for f in files
    ]
    out: list[str] = []
    for i in range(max(len(r) for r in rows)):
        out += [r[i] for r in rows if i < len(r)]
        if len(out) >= n:
            break
    return out[:n]


def timed(encoder: torch.nn.Module, batches: list[dict[str, torch.Tensor]]) -> float:
    start = time.perf_counter()
    with torch.inference_mode():
        for batch in batches:
            encoder(**batch)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", default="0,2,4,6,8,11", help="base layers to keep, comma-separated")
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    from inference.encoder import DEFAULT_ENCODER, resolve_encoder
    from inference.layers import check_layers, layer_list
    from inference.modeling import load_encoder, load_tokenizer

    encoder_dir = resolve_encoder(DEFAULT_ENCODER)
    encoder = load_encoder(encoder_dir).eval()
    tokenizer = load_tokenizer(encoder_dir)
    full = layer_list(encoder)
    kept_idx = check_layers([int(x) for x in args.layers.split(",")], len(full), name="--layers")
    kept = torch.nn.ModuleList(full[i] for i in kept_idx)
    texts = sorted(("query: " + t for t in dev_sentences(args.sentences)), key=len)
    batches = [
        dict(
            tokenizer(
                texts[i : i + args.batch_size],
                padding=True,
                truncation=True,
                max_length=160,
                return_tensors="pt",
            )
        )
        for i in range(0, len(texts), args.batch_size)
    ]
    tokens = sum(int(b["attention_mask"].sum()) for b in batches)
    times: dict[str, list[float]] = {"all": [], "kept": []}
    timed(encoder, batches[:2])  # warm-up
    for _ in range(args.rounds):
        for name, stack in (("all", full), ("kept", kept)):
            encoder.encoder.layer = stack
            encoder.config.num_hidden_layers = len(stack)
            times[name].append(timed(encoder, batches))
    best = {k: min(v) for k, v in times.items()}
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, fp32")
    print(f"{len(texts)} sentences, {tokens} tokens, {len(batches)} batches of <= {args.batch_size}")
    print(f"all {len(full)} layers: best {best['all']:.2f} s  (rounds {[round(t, 2) for t in times['all']]})")
    print(
        f"{len(kept)} layers {kept_idx}: best {best['kept']:.2f} s  (rounds {[round(t, 2) for t in times['kept']]})"
    )
    print(f"speed-up: {best['all'] / best['kept']:.2f}x")


if __name__ == "__main__":
    main()
