"""Compare two model directories on the same dev examples, with a paired bootstrap of the difference.

Two models trained with different splits cannot be compared on their own model cards: each card's dev set
may hold sentences the other model trained on. This script scores both on one config's dev splits, leaving
out every dev sentence either model trained on (``--exclude``: a JSON file ``{source: [normalised text,
...]}`` of one model's training sentences, e.g. written by ``--dump-train`` with that model's config), and
prints per source the figure of each model, the difference and the paired bootstrap sd of the difference.

    python benchmarks/paired_dev.py --config configs/default.yaml --a inference/default_model --b runs/v5 \
        --exclude v3_train.json
    python benchmarks/paired_dev.py --config OLD_CONFIG --dump-train v3_train.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from inference.classifier import load_classifier
from inference.labels import SENTIMENT_LABELS
from training.config import load_config
from training.data import load_sources
from training.evaluation import _macro, predict

# the figure each kind of source is judged by: (what is scored, metric)
PRIMARY = {
    "cameo": ("sentence", None),
    "un_quadclass": ("sentence", None),
    "newsmtsc": ("sentiment", None),
    "rusentne": ("sentiment", (SENTIMENT_LABELS[0], SENTIMENT_LABELS[2])),
    "own": ("detail", None),
}


def normalise(text: str) -> str:
    return " ".join(text.split()).lower()


def _items(kind: str, examples, predictions) -> tuple[list[str], list[str]]:
    what, _ = PRIMARY[kind]
    gold: list[str] = []
    pred: list[str] = []
    for ex, sp, tp in zip(examples, predictions.sentence, predictions.targets, strict=True):
        if what == "sentence" and ex.sentence_detail:
            gold.append(ex.sentence_detail)
            pred.append(sp)
        for target, (detail, sentiment) in zip(ex.targets, tp, strict=True):
            if what == "detail" and target.detail:
                gold.append(target.detail)
                pred.append(detail)
            if what == "sentiment" and target.sentiment:
                gold.append(target.sentiment)
                pred.append(sentiment)
    return gold, pred


def paired(
    gold, pred_a, pred_b, labels, samples: int = 1000, seed: int = 0
) -> tuple[float, float, float, float]:
    """(F1 of a, F1 of b, b - a, bootstrap sd of b - a) over resamples of the same items."""
    rng = np.random.default_rng(seed)
    g, a, b = np.array(gold), np.array(pred_a), np.array(pred_b)
    diffs = []
    for _ in range(samples):
        i = rng.integers(0, len(g), len(g))
        diffs.append(_macro(g[i], b[i], labels) - _macro(g[i], a[i], labels))
    fa, fb = _macro(gold, pred_a, labels), _macro(gold, pred_b, labels)
    return fa, fb, fb - fa, float(np.std(diffs))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--a", type=Path, help="baseline model directory")
    parser.add_argument("--b", type=Path, help="candidate model directory")
    parser.add_argument("--exclude", type=Path, action="append", default=[])
    parser.add_argument("--dump-train", type=Path, help="write the config's training sentences and exit")
    parser.add_argument("--shared", help="data.shared override")
    args = parser.parse_args()
    overrides = {"data.shared": args.shared} if args.shared else None
    data = load_sources(load_config(args.config, overrides))
    if args.dump_train:
        dump = {name: sorted({normalise(e.text) for e in sd.train}) for name, sd in data.items()}
        args.dump_train.write_text(json.dumps(dump, ensure_ascii=False))
        print({k: len(v) for k, v in dump.items()})
        return
    if not (args.a and args.b):
        parser.error("--a and --b are required unless --dump-train")
    seen = {t for f in args.exclude for texts in json.loads(f.read_text()).values() for t in texts}
    a = load_classifier(args.a)
    b = load_classifier(args.b)
    print(f"{'source':<16}{'n':>6}  {'A':>6}  {'B':>6}  {'B-A':>7}  {'sd':>6}  dropped")
    for name, sd in data.items():
        kind = sd.config.kind
        if kind not in PRIMARY or not sd.dev:
            continue
        dev = [e for e in sd.dev if normalise(e.text) not in seen]
        if not dev:
            continue
        gold, pa = _items(kind, dev, predict(a, dev))
        _, pb = _items(kind, dev, predict(b, dev))
        labels = PRIMARY[kind][1]
        fa, fb, d, s = paired(gold, pa, pb, list(labels) if labels else None)
        print(
            f"{name:<16}{len(gold):>6}  {fa:6.3f}  {fb:6.3f}  {d:+7.3f}  {s:6.3f}  {len(sd.dev) - len(dev)}"
        )


if __name__ == "__main__":
    main()
