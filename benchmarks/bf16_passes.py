"""Two passes of ``classify_many`` over the same bench archive in one process, for one precision.

The first pass meets every batch shape for the first time (oneDNN builds a bf16 kernel per shape); the
second runs with those kernels cached. Run one process per precision, quiet machine, and compare:

    python -m benchmarks.bf16_passes fp32 150 ; python -m benchmarks.bf16_passes bf16 150 [--threads 2]

Prints one JSON line: [wall s, CPU s] per pass. Record the CPU flags with it (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import time

from benchmarks.bench_speed import build_archive
from inference import load_classifier


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("precision", choices=["auto", "fp32", "bf16", "int8"])
    parser.add_argument("articles", type=int, help="articles in the bench archive, e.g. 150")
    parser.add_argument(
        "--threads", type=int, default=2, help="torch threads (default: 2, this machine's cores)"
    )
    args = parser.parse_args(argv)
    texts = [a["text"] for a in build_archive(args.articles)]
    clf = load_classifier(precision=args.precision, threads=args.threads)
    out: dict[str, object] = {"precision": args.precision, "resolved": clf.precision, "threads": args.threads}
    for name in ("first", "second"):
        t0, c0 = time.perf_counter(), time.process_time()
        clf.classify_many(texts)
        out[name] = [round(time.perf_counter() - t0, 2), round(time.process_time() - c0, 2)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
