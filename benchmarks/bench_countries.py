"""Throughput of ``find_countries`` on the country dev set, repeated.

Run: ``python benchmarks/bench_countries.py [--repeat 50] [--no-lang]``. Prints the
one-off build time of the matcher and sentences per second (and characters per second).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from inference.countries import find_countries, get_matcher

DEV = Path(__file__).resolve().parents[1] / "data" / "countries" / "dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEV)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--no-lang", action="store_true", help="do not pass the language hint")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.open(encoding="utf-8") if line.strip()]
    items = [(r["text"], None if args.no_lang else r.get("lang")) for r in rows]

    start = time.perf_counter()
    get_matcher()
    build_s = time.perf_counter() - start

    n_sent = n_chars = 0
    start = time.perf_counter()
    for _ in range(args.repeat):
        for text, lang in items:
            find_countries(text, lang)
            n_sent += 1
            n_chars += len(text)
    elapsed = time.perf_counter() - start
    print(f"matcher build: {build_s:.2f} s")
    print(
        f"{n_sent} sentences in {elapsed:.2f} s: {n_sent / elapsed:,.0f} sentences/s, {n_chars / elapsed:,.0f} chars/s"
    )


if __name__ == "__main__":
    main()
