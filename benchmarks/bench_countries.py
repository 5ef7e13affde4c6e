"""Throughput, build time and memory of ``find_countries``, optionally against another checkout.

Run from the repository root::

    python benchmarks/bench_countries.py                       # this checkout
    python benchmarks/bench_countries.py --against ../before --rounds 5 --out benchmarks/results/countries.json

Each checkout runs in its own worker process (so each imports its own ``inference``), started
fresh every round: the build of the matcher (``get_matcher()``) is timed and its memory read
from the process (peak RSS, and the RSS growth over the imports). The workers then time
``find_countries`` on the country dev set, without and with the language hint, on all its
languages and on the 20 languages the finder had before issue 15, taking turns (the order
alternates every round), so a loaded machine slows both alike. Each timing is one untimed
warm-up pass and then ``--repeat`` timed passes, measured in CPU time of the worker (on a
machine shared with other jobs the wall clock mostly measures waiting) and in wall time.
Reported: the median over rounds of each figure and of the per-round ratio to the other
checkout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "data" / "countries" / "dev.jsonl"
# The languages the finder had before issue 15 added 30.
LANGS_20 = frozenset(
    [
        "en",
        "ru",
        "uk",
        "de",
        "fr",
        "es",
        "pt",
        "it",
        "nl",
        "pl",
        "tr",
        "ar",
        "fa",
        "he",
        "zh",
        "ja",
        "ko",
        "hi",
        "id",
        "sv",
    ]
)


def _rss_mb() -> float:
    """Resident memory now (Linux ``/proc``), in MB."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _worker(root: Path) -> None:
    """Build the matcher of the checkout at ``root``, then time the jobs read from stdin."""
    sys.path.insert(0, str(root))
    import warnings

    warnings.simplefilter("ignore")  # uncovered-language warnings are not what is measured
    from inference.countries import find_countries, get_matcher

    gc.collect()
    rss_before = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    get_matcher()
    build_s, build_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    gc.collect()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "build: CPU s": build_cpu_s,
                "build: wall s": build_s,
                "build: RSS growth MB": _rss_mb() - rss_before,
                "peak RSS MB": peak,
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        job = json.loads(line)
        items = [(text, lang if job["hint"] else None) for text, lang in job["items"]]
        for text, lang in items:  # warm-up: per-character caches
            find_countries(text, lang)
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(job["repeat"]):
            for text, lang in items:
                find_countries(text, lang)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(json.dumps({"wall": wall, "cpu": cpu, "sentences": len(items) * job["repeat"]}), flush=True)


class _Worker:
    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker", str(root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.build = json.loads(self._read())

    def _read(self) -> str:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker exited with {self.proc.wait()}; see its stderr above")
        return line

    def time(self, items: list[tuple[str, str]], hint: bool, repeat: int) -> tuple[float, float]:
        """Sentences per CPU second and per wall-clock second."""
        self.proc.stdin.write(json.dumps({"items": items, "hint": hint, "repeat": repeat}) + "\n")
        self.proc.stdin.flush()
        result = json.loads(self._read())
        return result["sentences"] / result["cpu"], result["sentences"] / result["wall"]

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def _cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return sorted({f for f in ("avx2", "avx512f", "amx_bf16") if f" {f}" in text})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--file", type=Path, default=DEV, help="JSONL with text and lang (the country dev set)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over the file per measurement")
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh workers (builds) and timings per checkout"
    )
    parser.add_argument(
        "--against", type=Path, help="another checkout (e.g. a git worktree of an older commit)"
    )
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        _worker(args.worker)
        return
    if args.repeat < 1 or args.rounds < 1:
        parser.error(f"--repeat and --rounds must be at least 1, got {args.repeat} and {args.rounds}")
    if args.against is not None and not (args.against / "inference" / "countries").is_dir():
        parser.error(f"--against {args.against}: no inference/countries there; give a checkout's root")
    rows = [json.loads(line) for line in args.file.open(encoding="utf-8") if line.strip()]
    sets = {
        "all": [(r["text"], r.get("lang")) for r in rows],
        "20 languages": [(r["text"], r.get("lang")) for r in rows if r.get("lang") in LANGS_20],
    }
    checkouts = {"this": ROOT}
    if args.against is not None:
        checkouts["against"] = args.against.resolve()
    names = list(checkouts)
    runs: dict[str, dict[str, list[float]]] = {name: {} for name in names}
    for rnd in range(args.rounds):
        order = names if rnd % 2 == 0 else names[::-1]
        workers = {name: _Worker(checkouts[name]) for name in order}
        for name in order:
            for key, value in workers[name].build.items():
                runs[name].setdefault(key, []).append(value)
        for set_name, items in sets.items():
            for hint in (False, True):
                key = f"{set_name}, {'hint' if hint else 'no hint'}: sentences/"
                for name in order:
                    per_cpu, per_wall = workers[name].time(items, hint, args.repeat)
                    runs[name].setdefault(key + "CPU s", []).append(per_cpu)
                    runs[name].setdefault(key + "wall s", []).append(per_wall)
        for worker in workers.values():
            worker.close()
        print(f"round {rnd + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    report: dict = {
        "file": str(args.file),
        "sentences": {k: len(v) for k, v in sets.items()},
        "repeat": args.repeat,
        "rounds": args.rounds,
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
        "cpu_flags": _cpu_flags(),
        "checkouts": {name: str(path) for name, path in checkouts.items()},
        "median": {name: {k: statistics.median(v) for k, v in runs[name].items()} for name in names},
        "runs": runs,
    }
    if args.against is not None:
        report["ratio this/against (median of per-round ratios)"] = {
            k: statistics.median(a / b for a, b in zip(runs["this"][k], runs["against"][k], strict=True))
            for k in runs["this"]
        }
    for name in names:
        print(f"{name} ({checkouts[name]}):")
        for key, value in report["median"][name].items():
            print(f"  {key:<44} {value:>12,.2f}")
    if args.against is not None:
        print("this / against, median of per-round ratios:")
        for key, value in report["ratio this/against (median of per-round ratios)"].items():
            print(f"  {key:<44} {value:>12.3f}")
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
