"""Peak memory and throughput of ``diplostance score`` on a large synthetic archive.

Writes an archive of N articles (built like ``bench_speed.py``'s), runs ``diplostance score`` on it in a
subprocess, samples that process's resident memory every half second, and reports articles/s, the
peak RSS (split into anonymous and file-backed memory) and the peak up to 10, 25, 50, 75 and 100 % of
the run (flat memory keeps these close).

    python benchmarks/bench_memory.py --articles 10000 [--model DIR] [--out FILE.json] [--env KEY=VALUE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_speed import ROOT, build_archive  # noqa: E402


def rss_mb(pid: int) -> tuple[float, float, float]:
    """Resident memory of ``pid`` and its children in MB (Linux /proc): (total, anonymous, file-backed)."""
    totals = {"VmRSS:": 0.0, "RssAnon:": 0.0, "RssFile:": 0.0}
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                key = line.split(maxsplit=1)[0] if line else ""
                if key in totals:
                    totals[key] += int(line.split()[1]) / 1024
        except OSError:
            continue
    return totals["VmRSS:"], totals["RssAnon:"], totals["RssFile:"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the scoring process",
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    out_json = args.out or ROOT / "benchmarks" / "results" / f"memory-{args.articles}.json"
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.jsonl"
        with open(archive, "w", encoding="utf-8") as fh:
            for start in range(
                0, args.articles, 1000
            ):  # generated in slices: the archive never sits in memory
                for a in build_archive(min(1000, args.articles - start), seed=start):
                    a["id"] = f"a{start:07d}-{a['id']}"
                    fh.write(json.dumps(a, ensure_ascii=False) + "\n")
        cmd = [
            sys.executable,
            "-m",
            "inference.cli",
            "score",
            str(archive),
            "--out",
            str(Path(tmp) / "out"),
            "--no-progress",
        ]
        if args.model:
            cmd += ["--model", args.model]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env={**os.environ, "HF_HUB_OFFLINE": "1", **extra_env})
        samples: list[tuple[float, float, float, float]] = []
        while proc.poll() is None:
            samples.append((time.perf_counter() - start, *rss_mb(proc.pid)))
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        if proc.returncode:
            print(f"score failed with exit code {proc.returncode}", file=sys.stderr)
            return proc.returncode
        manifest = json.loads((Path(tmp) / "out" / "manifest.json").read_text())
    samples = [s for s in samples if s[1] > 0]  # the last sample may land after exit
    peak = max(s[1] for s in samples)

    def at(fraction: float, column: int = 1) -> float:
        cut = [s[column] for s in samples if s[0] <= fraction * elapsed]
        return max(cut) if cut else 0.0

    result = {
        "articles": args.articles,
        "seconds": round(elapsed, 1),
        "articles_per_s": round(args.articles / elapsed, 2),
        "read": manifest.get("read"),
        "scored": manifest.get("scored"),
        "failed": manifest.get("failed"),
        "rows": manifest.get("rows"),
        "env": extra_env,
        "peak_rss_mb": round(peak, 1),
        "peak_anon_mb": round(at(1.0, 2), 1),
        "peak_file_mb": round(at(1.0, 3), 1),
        # the peak up to each point of the run (by time): flat memory keeps these close
        "peak_rss_mb_by_progress": {f"{p}%": round(at(p / 100), 1) for p in (10, 25, 50, 75, 100)},
    }
    print(json.dumps(result, indent=2))
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
