"""Dev sentences read plain and inside other dev sentences of their language, model by model.

Every dev example with targets of the chosen sources is put between other dev sentences of its language
(``training.context.with_context`` at fraction 1.0: 2 to 3.5 times its length, filler never from its own
group), as a long sentence or an unpunctuated record puts a relation among unrelated text. Each model reads
both versions through ``training.evaluation.evaluate`` (its own calibration and thresholds), and the table
gives the figures side by side. The copies are made the way training makes them (``data.sources[*].context``),
so a model trained with context has seen this form, though never these sentences.

    python -m benchmarks.context_dev inference/default_model runs/v10 [--sources own dyads] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks.dev_table import require_model_dirs, side_by_side
from inference.classifier import load_classifier
from training.config import load_config
from training.context import with_context
from training.data import load_sources
from training.evaluation import evaluate, table_rows

METRICS = ("detail_f1", "stance_f1", "sentiment_f1", "dyad_f1")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", type=Path, help="model directories")
    parser.add_argument("--config", type=Path, default=Path("configs/default.yaml"))
    parser.add_argument("--sources", nargs="+", default=["own", "dyads"], help="dev sets (source names)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the filler draw")
    args = parser.parse_args(argv)
    require_model_dirs(parser, args.models)
    data = load_sources(load_config(args.config))
    unknown = [s for s in args.sources if s not in data]
    if unknown:
        parser.error(f"--sources {' '.join(unknown)}: not in {args.config} (sources: {', '.join(data)})")
    dev = {name: data[name].dev for name in args.sources}
    placed, counts = with_context(dev, dict.fromkeys(args.sources, 1.0), args.seed)
    sets = {}
    for name in args.sources:
        kind = data[name].config.kind
        sets[name] = (kind, dev[name])
        sets[f"{name} in context"] = (kind, placed[name])
    print(f"copies: {counts} (seed {args.seed})", file=sys.stderr)
    figures = [
        {
            (row["data"], row["lang"], row["metric"]): row["ours"]
            for row in table_rows(evaluate(load_classifier(model), sets))
            if row["lang"] == "all" and row["metric"] in METRICS
        }
        for model in args.models
    ]
    print(side_by_side([str(m) for m in args.models], figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
