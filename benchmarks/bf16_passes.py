"""Two passes of ``classify_many`` over the same bench archive in one process, for one precision.

The first pass meets every batch shape for the first time (oneDNN builds a bf16 kernel per shape); the
second runs with those kernels cached. Run one process per precision, quiet machine, and compare:

    python -m benchmarks.bf16_passes fp32 150 ; python -m benchmarks.bf16_passes bf16 150

Prints one JSON line: [wall s, CPU s] per pass. Record the CPU flags with it (benchmarks/README.md).
"""

from __future__ import annotations

import json
import sys
import time

from benchmarks.bench_speed import build_archive
from inference import load_classifier


def main() -> None:
    precision, n_articles = sys.argv[1], int(sys.argv[2])
    texts = [a["text"] for a in build_archive(n_articles)]
    clf = load_classifier(precision=precision, threads=2)
    out: dict[str, object] = {"precision": precision, "resolved": clf.precision}
    for name in ("first", "second"):
        t0, c0 = time.perf_counter(), time.process_time()
        clf.classify_many(texts)
        out[name] = [round(time.perf_counter() - t0, 2), round(time.process_time() - c0, 2)]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
