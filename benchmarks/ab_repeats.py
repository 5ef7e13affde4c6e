"""Repeated sentences read once or every time, in one process, interleaved round by round.

``classify_many`` reads an item that repeats in its input (the same sentence with the same country spans)
once and gives every copy the result (``inference.classifier._unique_items``). This scores the same archive
with that and with every item read (the step replaced by one that keeps all items), alternating which goes
first, checks that both give the same labels, and reports each round's ratio.

    python -m benchmarks.ab_repeats [--rounds 6] [--articles 300] [--distinct] [--avx2] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import avx2_emulated, rerun_under_avx2  # noqa: E402
from benchmarks.interleaved import add_arguments, alternate, check_counts, report, speedup  # noqa: E402


def _every_item(items: list) -> tuple[list, list[int]]:
    return list(items), list(range(len(items)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser, rounds=6)
    parser.add_argument("--distinct", action="store_true", help="an archive in which no sentence repeats")
    args = parser.parse_args()
    check_counts(args)
    if args.avx2:
        rerun_under_avx2("benchmarks.ab_repeats")

    import torch

    import inference.classifier as classifier_module
    from benchmarks.bench_speed import build_archive, cpu_description, repeat_share
    from inference import load_classifier

    torch.set_num_threads(args.threads)
    articles = build_archive(args.articles, distinct=args.distinct)
    texts, langs = [a["text"] for a in articles], [a["lang"] for a in articles]
    versions = {"once": classifier_module._unique_items, "every": _every_item}
    classifier = load_classifier(precision=args.precision)
    classifier.classify_many(["Warm-up: Russia and France met in Paris."])
    reference: list[tuple] = []

    def run(name: str, round_: int) -> None:
        classifier_module._unique_items = versions[name]
        results = classifier.classify_many(texts, lang=langs)
        labels = [(r.country, r.stance, r.detail, r.sentiment) for rs in results for r in rs]
        if not reference:
            reference.extend(labels)
        elif labels != reference:
            raise SystemExit(f"round {round_ + 1}: {name} gave other labels than the first run")

    seconds = alternate(list(versions), args.rounds, run)
    classifier_module._unique_items = versions["once"]
    summary = {
        "machine": {"cpu": cpu_description(), "avx2_emulated": avx2_emulated()},
        "precision": classifier.precision,
        "articles": args.articles,
        "distinct": args.distinct,
        "repeat_share": round(repeat_share(args.articles, distinct=args.distinct), 4),
        "seconds": seconds,
        **speedup(seconds, "every", "once"),
        "same_labels": True,
    }
    report(summary, "every / once", args.out)


if __name__ == "__main__":
    main()
