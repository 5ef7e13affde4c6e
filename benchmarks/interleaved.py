"""What the in-process A/B benchmarks share (``ab_packed.py``, ``ab_repeats.py``): their common options, and
rounds that time each version once, alternating which goes first, so that host noise cancels round by round."""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser, rounds: int) -> None:
    """--rounds, --articles, --threads, --precision, --avx2 and --out."""
    parser.add_argument("--rounds", type=int, default=rounds)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", default="fp32")
    parser.add_argument(
        "--avx2", action="store_true", help="rerun under the AVX2 caps (benchmarks/cpu_env.py)"
    )
    parser.add_argument("--out", type=Path, help="JSON with every round's seconds")


def check_counts(args: argparse.Namespace) -> None:
    if args.rounds < 1 or args.articles < 1:
        raise SystemExit(f"--rounds {args.rounds} and --articles {args.articles} must both be at least 1")


def alternate(names: list[str], rounds: int, run: Callable[[str, int], None]) -> dict[str, list[float]]:
    """Seconds of ``run(name, round)`` per name and round; the first name goes first in even rounds."""
    seconds: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            start = time.perf_counter()
            run(name, round_)
            seconds[name].append(time.perf_counter() - start)
        print(
            f"round {round_ + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()), flush=True
        )
    return seconds


def speedup(seconds: dict[str, list[float]], before: str, after: str) -> dict[str, object]:
    """``before``'s seconds over ``after``'s, per round and summarised."""
    ratios = [b / a for b, a in zip(seconds[before], seconds[after], strict=True)]
    return {
        "speedup_per_round": [round(r, 3) for r in ratios],
        "speedup_median_of_rounds": statistics.median(ratios),
        "speedup_of_medians": statistics.median(seconds[before]) / statistics.median(seconds[after]),
    }


def report(summary: dict, label: str, out: Path | None) -> None:
    """Print the per-round ratios under ``label`` and write ``summary`` to ``out`` as JSON."""
    print(
        f"{label}, per round: {', '.join(f'{r:.3f}' for r in summary['speedup_per_round'])}; "
        f"median {summary['speedup_median_of_rounds']:.3f} (ratio of medians {summary['speedup_of_medians']:.3f})"
    )
    if out:
        out.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"written to {out}")
