"""Per-epoch dev figures of finished runs: every data set's mean over the runs at each epoch, and each run's change
in its last epoch (docs/ablations.md §33).

Reads the training-time dev evaluations in each run's ``metrics.json`` (``epoch_dev``: before calibration, one per
epoch); runs nothing. Figures over all languages, one headline metric per data set (the one its dev table leads
with), or the ``--metric DATA:METRIC`` pairs named.

    python -m benchmarks.epoch_curves runs/t3s13/teachers/seed-14 runs/n10s13 runs/d4s13 [--metric own:stance_f1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

# The figure each data set is judged by in docs/ablations.md's rules.
HEADLINE = {
    "cameo": "sentence_detail_f1",
    "un_en": "sentence_detail_f1",
    "un_es": "sentence_detail_f1",
    "un_ar": "sentence_detail_f1",
    "newsmtsc": "sentiment_f1",
    "rusentne": "sentiment_pn_f1",
    "own": "detail_f1",
    "dyads": "detail_f1",
    "sentiment_ru_uk": "sentiment_pn_f1",
}

Key = tuple[str, str]  # (data set, metric)


def epoch_figures(run: Path) -> list[dict[Key, float]]:
    """(data set, metric) → figure over all languages, one dict per epoch of ``run``."""
    path = run / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: pass a finished run directory (diplostance train --output.dir)"
        )
    epochs = json.loads(path.read_text(encoding="utf-8")).get("epoch_dev") or []
    if not epochs:
        raise ValueError(
            f"{path} holds no per-epoch dev figures (epoch_dev); was the run trained for one epoch?"
        )
    return [
        {
            (name, metric): value
            for name, res in entry["dev"].items()
            for metric, value in res["by_lang"].get("all", {}).items()
            if isinstance(value, int | float) and not metric.endswith("_sd")
        }
        for entry in epochs
    ]


def curves(runs: list[Path], keys: list[Key] | None = None) -> str:
    """A markdown table: per (data set, metric), the mean over ``runs`` at each epoch (over the runs that reached
    it) and each run's last epoch minus the one before, in the order of ``runs``."""
    figures = [epoch_figures(run) for run in runs]
    n_epochs = max(len(f) for f in figures)
    if keys is None:
        present = {k for f in figures for epoch in f for k in epoch}
        keys = [(name, metric) for name, metric in HEADLINE.items() if (name, metric) in present]
    lines = [
        "| data | metric | "
        + " | ".join(f"epoch {i + 1}" for i in range(n_epochs))
        + " | last − previous, per run |",
        "|---|---|" + "---:|" * n_epochs + "---|",
    ]
    for key in keys:
        means = []
        for i in range(n_epochs):
            values = [f[i][key] for f in figures if i < len(f) and key in f[i]]
            means.append(f"{statistics.mean(values):.3f}" if values else "—")
        changes = [
            f"{f[-1][key] - f[-2][key]:+.3f}" if len(f) > 1 and key in f[-1] and key in f[-2] else "—"
            for f in figures
        ]
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(means) + " | " + " ".join(changes) + " |")
    return "\n".join(lines)


def _key(text: str) -> Key:
    name, sep, metric = text.partition(":")
    if not sep or not name or not metric:
        raise argparse.ArgumentTypeError(f"{text!r}: expected DATA:METRIC, e.g. own:stance_f1")
    return name, metric


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="finished run directories")
    parser.add_argument(
        "--metric",
        action="append",
        type=_key,
        default=None,
        help="DATA:METRIC (repeatable; default: headlines)",
    )
    args = parser.parse_args(argv)
    try:
        print(curves(args.runs, args.metric))
    except (FileNotFoundError, ValueError) as err:
        print(f"epoch_curves: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
