"""Seeds averaged against each seed and against other models, on one config's dev sets.

The members' calibrated probabilities are averaged per head (sentence, target, pair) and decoded as one
model's; every model reads without per-language sentiment thresholds (each keeps its global ones), so all are
read alike. Per extra model: its figure minus the members' mean, with a paired bootstrap sd over the dev
items, and minus the ensemble (docs/ablations.md §9).

    python -m benchmarks.ensemble_dev --config configs/default.yaml --members runs/v7 runs/v7s14 --extra runs/v8d
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from benchmarks.paired_dev import PRIMARY, _items
from inference.classifier import ItemProbs, load_classifier
from training.config import load_config
from training.data import load_sources
from training.evaluation import _macro, predict


def _load(path: Path):
    classifier = load_classifier(path)
    classifier.settings = dataclasses.replace(classifier.settings, lang_logit_shift={})
    return classifier


def _mean(rows: list) -> dict:
    return {k: sum(r[k] for r in rows) / len(rows) for k in rows[0]}


def ensemble(members: list, first: Path):
    """A classifier whose ``_forward`` averages the members' probabilities (``first``, the first member's
    directory, decodes)."""
    model = _load(first)

    def forward(items):
        outs = [m._forward(items) for m in members]
        return [
            ItemProbs(
                sentence=_mean([p.sentence for p in ps]),
                targets=[_mean([p.targets[j] for p in ps]) for j in range(len(ps[0].targets))],
                pairs=[_mean([p.pairs[j] for p in ps]) for j in range(len(ps[0].pairs))],
            )
            for ps in zip(*outs, strict=True)
        ]

    model._forward = forward
    return model


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--members", type=Path, nargs="+", required=True)
    parser.add_argument("--extra", type=Path, nargs="*", default=[])
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--sources", nargs="*", help="only these sources (default: every one with a dev set)")
    args = parser.parse_args()
    members = [_load(p) for p in args.members]
    extra = [_load(p) for p in args.extra]
    models = [*members, *extra, ensemble(members, args.members[0])]
    names = [p.name for p in [*args.members, *args.extra]] + ["ensemble"]
    rng = np.random.default_rng(0)
    print(f"{'source':<16}{'n':>6}  " + "  ".join(f"{n:>10}" for n in names))
    for name, sd in load_sources(load_config(args.config)).items():
        kind = sd.config.kind
        if kind not in PRIMARY or not sd.dev or (args.sources and name not in args.sources):
            continue
        labels = list(PRIMARY[kind][1]) if PRIMARY[kind][1] else None
        preds = []
        for model in models:
            gold, pred = _items(kind, sd.dev, predict(model, sd.dev))
            preds.append(np.array(pred))
        g = np.array(gold)
        figs = [_macro(g, p, labels) for p in preds]
        line = f"{name:<16}{len(g):>6}  " + "  ".join(f"{f:>10.3f}" for f in figs)
        k = len(members)
        for j in range(len(extra)):
            diffs = []
            for _ in range(args.samples):
                i = rng.integers(0, len(g), len(g))
                seeds = np.mean([_macro(g[i], preds[m][i], labels) for m in range(k)])
                diffs.append(_macro(g[i], preds[k + j][i], labels) - seeds)
            line += (
                f"  | {names[k + j]}: {figs[k + j] - np.mean(figs[:k]):+.3f} ± {np.std(diffs):.3f} vs seeds"
            )
            line += f", {figs[k + j] - figs[-1]:+.3f} vs ensemble"
        print(line, flush=True)


if __name__ == "__main__":
    main()
