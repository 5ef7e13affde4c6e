"""Dev figures of several trained runs side by side, as each would ship (its own calibration and thresholds).

Reads each run's ``metrics.json`` (written by ``diplostance train``) through ``training.evaluation.table_rows``;
runs nothing. Every data set's figures over all languages, and the per-language rows of the public sets and of
the Russian/Ukrainian sentiment set, where the thresholds differ by language.

    python -m benchmarks.dev_table runs/v7sh2 runs/v8d runs/v8d2 [--all-languages]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from training.evaluation import table_rows

PER_LANGUAGE = ("rusentne", "sentiment_ru_uk")


def require_model_dirs(parser: argparse.ArgumentParser, models: list[Path]) -> None:
    """Exit through ``parser.error`` naming every entry of ``models`` that is not a model directory."""
    missing = [str(m) for m in models if not (m / "config.json").is_file()]
    if missing:
        parser.error(f"not a model directory (no config.json): {', '.join(missing)}")


def run_figures(run: Path) -> dict[tuple[str, str, str], float]:
    """(data set, language, metric) → figure of one run directory."""
    path = run / "metrics.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: pass a finished run directory (diplostance train --output.dir)"
        )
    metrics = json.loads(path.read_text(encoding="utf-8"))
    return {(r["data"], r["lang"], r["metric"]): r["ours"] for r in table_rows(metrics["dev"])}


def side_by_side(columns: list[str], figures: list[dict[tuple[str, str, str], float]]) -> str:
    """A markdown table of (data set, language, metric) rows, one column of figures per entry of ``columns``
    (``—`` where that column lacks the row)."""
    keys = list(dict.fromkeys(k for f in figures for k in f))
    lines = [
        "| data | lang | metric | " + " | ".join(columns) + " |",
        "|---|---|---|" + "---:|" * len(columns),
    ]
    for key in keys:
        cells = ["—" if key not in f else f"{f[key]:.3f}" for f in figures]
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(runs: list[Path], all_languages: bool = False) -> str:
    figures = [
        {k: v for k, v in run_figures(run).items() if k[1] == "all" or all_languages or k[0] in PER_LANGUAGE}
        for run in runs
    ]
    return side_by_side([str(r) for r in runs], figures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="trained run directories")
    parser.add_argument("--all-languages", action="store_true", help="every language row of every data set")
    args = parser.parse_args(argv)
    try:
        print(markdown(args.runs, args.all_languages))
    except FileNotFoundError as err:
        print(f"dev_table: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
