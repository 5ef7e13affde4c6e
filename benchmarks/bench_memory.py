"""Peak memory and throughput of ``diplostance score`` on a large synthetic archive.

Writes an archive of N articles (built like ``bench_speed.py``'s), runs ``diplostance score`` on it in a
subprocess, samples that process's resident memory every half second, and reports articles/s, the
peak RSS and the RSS after 10 %, 50 % and 100 % of the run (flat memory means these stay close).

    python benchmarks/bench_memory.py --articles 10000 [--model DIR] [--out benchmarks/results/memory-10000.json]
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


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its children, in MB (Linux /proc)."""
    total = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            continue
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--model", default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
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
        proc = subprocess.Popen(cmd, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        samples: list[tuple[float, float]] = []
        while proc.poll() is None:
            samples.append((time.perf_counter() - start, rss_mb(proc.pid)))
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
        if proc.returncode:
            print(f"score failed with exit code {proc.returncode}", file=sys.stderr)
            return proc.returncode
        manifest = json.loads((Path(tmp) / "out" / "manifest.json").read_text())
    peak = max(r for _, r in samples)

    def at(fraction: float) -> float:
        cut = [r for t, r in samples if t <= fraction * elapsed]
        return max(cut) if cut else 0.0

    result = {
        "articles": args.articles,
        "seconds": round(elapsed, 1),
        "articles_per_s": round(args.articles / elapsed, 2),
        "read": manifest.get("read"),
        "scored": manifest.get("scored"),
        "failed": manifest.get("failed"),
        "peak_rss_mb": round(peak, 1),
        "peak_rss_mb_by_progress": {
            "10%": round(at(0.1), 1),
            "50%": round(at(0.5), 1),
            "100%": round(peak, 1),
        },
    }
    print(json.dumps(result, indent=2))
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
