"""The sentiment thresholds of one or more models refitted with each way of weighing the sources
(``train.sentiment_shift_votes``: equal, sqrt, items) on the same dev logits: the fitted shifts, the shifts fitted on
each half of dev (how firm the fit is), and per source its metric without and with the shifts, cross-fitted
(docs/ablations.md §25). The weights and the model directories are not touched.

    python -m benchmarks.shift_votes inference/default_model runs/v11l14 [--config configs/default.yaml]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from inference.countries.identify import identify
from inference.modeling import StanceModel
from training.calibration import collect_sentiment, format_shifts, sentiment_shift_report
from training.config import SHIFT_VOTES, load_config
from training.data import load_sources
from training.trainer import sentiment_dev


def rows(models: list[Path], config_path: Path) -> list[str]:
    """One markdown row per (model, way of weighing the sources)."""
    config = load_config(config_path)
    sources = sentiment_dev(load_sources(config))
    min_items = config.train.sentiment_shift_min_items
    out = [
        "| model | votes | fit | fits on the two halves | dropped | per source, cross-fitted: without → with |",
        "|---|---|---|---|---|---|",
    ]
    for path in models:
        model, tokenizer = StanceModel.from_pretrained(path)
        model.eval()
        temperature = model.settings.temperatures.get("sentiment", 1.0)
        with torch.inference_mode():
            cells = collect_sentiment(model, tokenizer, sources, identify, temperature=temperature)
        for votes in SHIFT_VOTES:
            report = sentiment_shift_report(cells, min_items, votes)
            dropped = ", ".join(k for k, kept in report["kept"].items() if not kept) or "none"
            per_source = "; ".join(
                f"{name} {r['before']:.3f} → {r['after']:.3f}" for name, r in report["sources"].items()
            )
            halves = "; ".join(format_shifts(h) for h in report["halves"])
            out.append(
                f"| {path} | {votes} | {format_shifts(report)} | {halves} | {dropped} | {per_source} |"
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", type=Path, nargs="+", help="model directories")
    parser.add_argument(
        "--config", type=Path, default=Path("configs/default.yaml"), help="config whose dev is read"
    )
    args = parser.parse_args(argv)
    print("\n".join(rows(args.models, args.config)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
