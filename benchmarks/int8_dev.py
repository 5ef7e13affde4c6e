"""int8 variants of one model on every dev set of a config, against the same model in fp32.

Each variant is the same model directory, thresholds and temperatures, with its encoder's linear layers
in int8; it prints each variant's macro-F1 minus fp32's per data set. Variants:

- ``fp32``: the reference;
- ``int8``: ``precision="int8"`` as shipped (``inference.quantize``: every linear layer, 7-bit weights
  per channel, 8-bit activations per token, calibrated: GPTQ rounding, one input channel in 48 in fp32,
  a zero point for one-signed inputs);
- ``plain``: the same without calibration (data-free rounding, symmetric activations, the int8 of
  2026-12-04); ``plain:REGEX`` and ``int8:REGEX`` leave the layers whose names match in fp32;
- ``bf16``: ``precision="bf16"``, the default on CPUs with native bf16, as a yardstick (run it without
  ``--avx2``: the int8 products are exact on every CPU, so the int8 figures do not change);
- ``dynamic``: torch's dynamic int8 (``torch.ao``, per-channel weights, one activation scale per
  batch) with the feed-forward output projections in fp32, the implementation before 2026-12-04;
  ``dynamic-all``: the same on every linear layer;
- ``smooth:A``: ``dynamic-all`` after SmoothQuant-style smoothing with strength ``A``
  (each layer's input divided per channel by s = max|x|^A / max|w|^(1-A), its weight columns multiplied by
  s; max|x| observed on ``--calib`` training sentences of data/stance/train). The model is BERT-style
  (post-LayerNorm, whose output also feeds the residual), so the division cannot be folded into the layer
  norm and runs as its own elementwise product; ``int8-smooth:A``: the same before the shipped int8.

Run it under the AVX2 caps (``--avx2``) so the int8 arithmetic is an AVX2 CPU's:

    python -m benchmarks.int8_dev --avx2 --model inference/default_model \
        --variants fp32,int8,dynamic,smooth:0.8 --out benchmarks/results/int8-dev.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN_TRAIN = ROOT / "data" / "stance" / "train"
SHOWN = ("sentence_detail_f1", "detail_f1", "stance_f1", "sentiment_f1", "sentiment_pn_f1", "dyad_f1")


def _calibration_items(n: int, seed: int = 0) -> list:
    from inference.countries import find_countries
    from inference.encoding import EncodedItem

    texts = [
        json.loads(line)["text"]
        for path in sorted(OWN_TRAIN.glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    random.Random(seed).shuffle(texts)
    return [EncodedItem(t, [[(m.start, m.end)] for m in find_countries(t)[:3]]) for t in texts[:n]]


def _input_absmax(classifier, items) -> dict:
    """Per linear layer of the encoder, the largest |input| per input channel over ``items``."""
    from inference.quantize import collect_stats, linear_layers

    encoder = classifier.model.encoder
    stats = collect_stats(encoder, lambda: classifier._forward(items), linear_layers(encoder))
    return {name: seen.absmax for name, seen in stats.items()}


def _smooth(encoder, stats: dict, alpha: float) -> int:
    import torch
    from torch import nn

    class Smoothed(nn.Module):
        def __init__(self, linear: nn.Linear, scale: torch.Tensor) -> None:
            super().__init__()
            self.register_buffer("inv_scale", (1.0 / scale).to(linear.weight.dtype))
            with torch.no_grad():
                linear.weight.mul_(scale.to(linear.weight.dtype)[None, :])
            self.linear = linear

        def forward(self, x):
            return self.linear(x * self.inv_scale)

    done = 0
    for name, module in list(encoder.named_modules()):
        if not isinstance(module, nn.Linear) or name not in stats:
            continue
        x_max = stats[name].clamp(min=1e-5)
        w_max = module.weight.detach().abs().amax(0).float().clamp(min=1e-5)
        scale = (x_max.pow(alpha) / w_max.pow(1 - alpha)).clamp(min=1e-5)
        parent, _, child = name.rpartition(".")
        setattr(encoder.get_submodule(parent) if parent else encoder, child, Smoothed(module, scale))
        done += 1
    return done


def _dynamic(encoder, keep_fp32: tuple[str, ...]) -> None:
    """torch's dynamic int8 on every linear layer not matched by ``keep_fp32`` (the earlier int8)."""
    import warnings

    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    from inference.quantize import linear_layers

    names = dict.fromkeys(linear_layers(encoder, keep_fp32), per_channel_dynamic_qconfig)
    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore")
        quantize_dynamic(encoder, names, inplace=True)


FFN_OUTPUTS = (r"(^|\.)output\.dense$",)


def _variant(model: str, variant: str, calib: int):
    from inference import load_classifier
    from inference.quantize import quantize_encoder

    kind, _, value = variant.partition(":")
    if variant in ("int8", "bf16"):  # as shipped (int8: calibrated, cached; bf16: without --avx2 only)
        return load_classifier(model, precision=variant)
    classifier = load_classifier(model, precision="fp32")
    encoder = classifier.model.encoder
    if kind in ("int8", "plain"):  # int8:KEEP and plain[:KEEP]: data-free rounding, KEEP layers in fp32
        quantize_encoder(encoder, keep_fp32=(value,) if value else ())
    elif kind == "dynamic":
        _dynamic(encoder, FFN_OUTPUTS)
    elif kind == "dynamic-all":
        _dynamic(encoder, ())
    elif kind in ("smooth", "int8-smooth"):
        _smooth(encoder, _input_absmax(classifier, _calibration_items(calib)), float(value or 0.5))
        quantize_encoder(encoder) if kind == "int8-smooth" else _dynamic(encoder, ())
    elif kind != "fp32":
        raise SystemExit(
            f"unknown variant {variant!r}: fp32, int8[:KEEP], plain[:KEEP], bf16, dynamic, dynamic-all, smooth:A, int8-smooth:A"
        )
    return classifier


def _table(results: dict) -> str:
    names = list(results)
    base = results["fp32"]
    lines = ["| data set / metric | fp32 | " + " | ".join(f"{n} − fp32" for n in names[1:]) + " |"]
    lines.append("|---|" + "---:|" * len(names))
    for key in base:
        if not key.endswith(SHOWN):
            continue
        cells = [f"{results[n][key] - base[key]:+.3f}" if key in results[n] else "–" for n in names[1:]]
        lines.append(f"| {key} | {base[key]:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=str(ROOT / "inference" / "default_model"))
    parser.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    parser.add_argument("--variants", default="fp32,int8,dynamic")
    parser.add_argument("--calib", type=int, default=256, help="training sentences observed for smoothing")
    parser.add_argument("--data", default="", help="comma-separated source names (default: all)")
    parser.add_argument(
        "--avx2", action="store_true", help="rerun under the AVX2 caps (benchmarks/cpu_env.py)"
    )
    parser.add_argument("--out", type=Path, required=True, help="JSON: variant -> {data/metric: macro-F1}")
    args = parser.parse_args()
    if args.avx2:
        from benchmarks.cpu_env import rerun_under_avx2

        rerun_under_avx2("benchmarks.int8_dev")
    if not args.variants.startswith("fp32"):
        raise SystemExit("--variants must start with fp32, the reference")
    from training.config import load_config
    from training.data import load_sources
    from training.evaluation import evaluate, table_rows
    from training.trainer import dev_sets

    config = load_config(Path(args.config))
    if args.data:
        config.data.sources = [s for s in config.data.sources if s.name in args.data.split(",")]
    sets = dev_sets(load_sources(config))
    results: dict = {}
    for variant in args.variants.split(","):
        start = time.time()
        res = evaluate(_variant(args.model, variant, args.calib), sets)
        results[variant] = {
            f"{r['data']}/{r['metric']}": r["ours"] for r in table_rows(res) if r["lang"] == "all"
        }
        print(f"{variant}: {time.time() - start:.0f} s", file=sys.stderr, flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(_table(results))


if __name__ == "__main__":
    main()
