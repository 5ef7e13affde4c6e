"""Repeated sentences read once or every time, in one process, interleaved round by round.

``classify_many`` reads an item that repeats in its input (the same sentence with the same country spans)
once and gives every copy the result (``inference.classifier._unique_items``). This scores the same archive
with that and with every item read (the step replaced by one that keeps all items), alternating which goes
first, checks that both give the same labels, and reports each round's ratio.

With ``--scorer`` it times the batch scorer's path instead (``inference.batch.core.score_with_retry`` over
chunks of ``--chunk-size`` articles, ``--batch-size`` articles per classifier call): a sentence read once per
chunk (its read cache, ``inference.read_cache``) against once per call (the cache replaced by none).

    python -m benchmarks.ab_repeats [--rounds 6] [--articles 300] [--distinct] [--avx2] [--out FILE]
    python -m benchmarks.ab_repeats --scorer [--chunk-size 250] [--batch-size 32] ...
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import avx2_emulated, rerun_under_avx2  # noqa: E402
from benchmarks.interleaved import add_arguments, alternate, check_counts, report, speedup  # noqa: E402


def _every_item(items: list) -> tuple[list, list[int], list[int]]:
    """Every item its own (the keys only need to differ: this benchmark sets no read cache)."""
    return list(items), list(range(len(items))), list(range(len(items)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser, rounds=6)
    parser.add_argument("--distinct", action="store_true", help="an archive in which no sentence repeats")
    parser.add_argument(
        "--scorer", action="store_true", help="time the batch scorer: once per chunk against once per call"
    )
    parser.add_argument("--chunk-size", type=int, default=250, help="--scorer: articles per chunk")
    parser.add_argument("--batch-size", type=int, default=32, help="--scorer: articles per classifier call")
    args = parser.parse_args()
    check_counts(args)
    if args.chunk_size < 1 or args.batch_size < 1:
        raise SystemExit(
            f"--chunk-size {args.chunk_size} and --batch-size {args.batch_size} must be at least 1"
        )
    if args.avx2:
        rerun_under_avx2("benchmarks.ab_repeats")

    import torch

    import inference.batch.core as core
    import inference.classifier as classifier_module
    from benchmarks.bench_speed import build_archive, cpu_description, repeat_share
    from inference import load_classifier

    torch.set_num_threads(args.threads)
    articles = build_archive(args.articles, distinct=args.distinct)
    texts, langs = [a["text"] for a in articles], [a["lang"] for a in articles]
    classifier = load_classifier(precision=args.precision)
    classifier.classify_many(["Warm-up: Russia and France met in Paris."])
    reference: list[tuple] = []

    def check(labels: list[tuple], name: str, round_: int) -> None:
        if not reference:
            reference.extend(labels)
        elif labels != reference:
            raise SystemExit(f"round {round_ + 1}: {name} gave other labels than the first run")

    if args.scorer:
        versions = {"chunk": core.reading_once, "call": lambda classifier: contextlib.nullcontext()}
        before, after = "call", "chunk"

        def run(name: str, round_: int) -> None:
            core.reading_once = versions[name]
            labels: list[tuple] = []
            for lo in range(0, len(texts), args.chunk_size):
                ids = [str(i) for i in range(lo, min(lo + args.chunk_size, len(texts)))]
                chunk = {"id": ids, "text": texts[lo : lo + len(ids)], "lang": langs[lo : lo + len(ids)]}
                rows, failures = core.score_with_retry(chunk, classifier, args.batch_size, ids)
                if failures:
                    raise SystemExit(f"round {round_ + 1}: {name} failed on {failures}")
                labels += list(
                    zip(
                        rows["id"],
                        rows["country"],
                        rows["stance"],
                        rows["detail"],
                        rows["sentiment"],
                        strict=True,
                    )
                )
            check(labels, name, round_)

    else:
        versions = {"once": classifier_module._unique_items, "every": _every_item}
        before, after = "every", "once"

        def run(name: str, round_: int) -> None:
            classifier_module._unique_items = versions[name]
            results = classifier.classify_many(texts, lang=langs)
            check([(r.country, r.stance, r.detail, r.sentiment) for rs in results for r in rs], name, round_)

    seconds = alternate(list(versions), args.rounds, run)
    core.reading_once = versions.get("chunk", core.reading_once)
    classifier_module._unique_items = versions.get("once", classifier_module._unique_items)
    summary = {
        "machine": {"cpu": cpu_description(), "avx2_emulated": avx2_emulated()},
        "precision": classifier.precision,
        "articles": args.articles,
        "distinct": args.distinct,
        "repeat_share": round(repeat_share(args.articles, distinct=args.distinct), 4),
        **({"chunk_size": args.chunk_size, "batch_size": args.batch_size} if args.scorer else {}),
        "seconds": seconds,
        **speedup(seconds, before, after),
        "same_labels": True,
    }
    report(summary, f"{before} / {after}", args.out)


if __name__ == "__main__":
    main()
