"""Threads or processes on a multi-core CPU: ``classify_many`` articles/s with 1 thread, with N threads,
and as N processes of 1 thread each (one model per process, the archive split between them).

Each configuration runs in fresh processes (spawned; model load and a warm-up before the clock), and the
processes of the N-process run start together, so its time is that of the slowest. Precision: whatever
``--precision`` resolves to on this CPU (``--avx2`` emulates an AVX2-only CPU as in bench_speed.py).

    python benchmarks/bench_cores.py --articles 300 --cores 2 --precision auto --out benchmarks/results/cores.json
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.bench_speed import _peak_rss_mb, build_archive, cpu_description  # noqa: E402
from benchmarks.cpu_env import AVX2_ENV  # noqa: E402


def _worker(articles: list[dict], threads: int, precision: str, start, queue) -> None:
    import torch

    from inference import load_classifier

    torch.set_num_threads(threads)
    clf = load_classifier(precision=precision)
    clf.classify_many(["Warm-up: Russia and France met in Paris."])
    start.wait()  # every process of a run starts scoring at once
    began = time.perf_counter()
    results = clf.classify_many([a["text"] for a in articles], lang=[a["lang"] for a in articles])
    queue.put(
        {
            "seconds": time.perf_counter() - began,
            "pairs": sum(len(r) for r in results),
            "peak_rss_mb": _peak_rss_mb(),
            "precision": clf.precision,
        }
    )


def run(articles: list[dict], processes: int, threads: int, precision: str) -> dict:
    """``processes`` spawned workers of ``threads`` threads, each scoring its share of ``articles``."""
    ctx = mp.get_context("spawn")
    start, queue = ctx.Barrier(processes), ctx.Queue()
    shares = [articles[i::processes] for i in range(processes)]
    procs = [ctx.Process(target=_worker, args=(s, threads, precision, start, queue)) for s in shares]
    for p in procs:
        p.start()
    parts = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = max(p["seconds"] for p in parts)
    return {
        "processes": processes,
        "threads": threads,
        "seconds": seconds,
        "articles_per_s": len(articles) / seconds,
        "pairs": sum(p["pairs"] for p in parts),
        "peak_rss_mb_each": max(p["peak_rss_mb"] for p in parts),
        "precision": parts[0]["precision"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1, help="N (default: every core)")
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--repeats", type=int, default=2, help="rounds of the three runs, interleaved")
    parser.add_argument(
        "--avx2", action="store_true", help="emulate an AVX2-only CPU (benchmarks/cpu_env.py)"
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON of every run")
    args = parser.parse_args()
    if args.avx2:
        os.environ.update(AVX2_ENV)  # the spawned measurement processes inherit it
    if args.cores < 1 or args.articles < args.cores:
        raise SystemExit(f"--cores {args.cores} and --articles {args.articles}: need 1 <= cores <= articles")
    articles = build_archive(args.articles)
    setups = [(1, 1), (1, args.cores), (args.cores, 1)]
    runs: dict[str, list[dict]] = {}
    for _ in range(args.repeats):
        for processes, threads in setups:
            result = run(articles, processes, threads, args.precision)
            runs.setdefault(f"{processes} process(es) x {threads} thread(s)", []).append(result)
            print(json.dumps(result), flush=True)
    print(f"\n{'setup':32s} {'articles/s (median)':>20s} {'x 1 thread':>11s} {'peak RSS MB each':>17s}")
    base = None
    summary = {}
    for name, results in runs.items():
        median = statistics.median(r["articles_per_s"] for r in results)
        base = base or median
        summary[name] = {"articles_per_s": median, "x_one_thread": median / base}
        rss = max(r["peak_rss_mb_each"] for r in results)
        print(f"{name:32s} {median:20.1f} {median / base:11.2f} {rss:17.0f}")
    if args.out:
        machine = {"cpu": cpu_description(), "avx2_emulated": args.avx2}
        payload = {"machine": machine, "articles": args.articles, "runs": runs, "summary": summary}
        args.out.write_text(json.dumps(payload, indent=1) + "\n")
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
