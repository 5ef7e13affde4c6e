"""Start-up: time to the first row of ``diplostance score`` on a one-article archive, against a plain
``AutoModel.from_pretrained`` of the base encoder directory, in the same run.

Each measurement is its own process (``python -c`` / ``python -m inference.cli score``), so imports are
counted. Variants alternate (plain, score, plain, score, ...) and the table reports medians of wall time
and of CPU time (user + system of the child, from ``wait4``). On a machine shared with other work,
CPU time is the figure to compare: wall time then mostly measures the wait for a core.

    python benchmarks/bench_startup.py [--repeats 3] [--code DIR ...] [--avx2] [--out FILE.json]

``--code DIR`` adds a ``score`` variant run from another checkout (e.g. the code before a change);
``--avx2`` emulates an AVX2-only CPU (oneDNN, ATen, FBGEMM and MKL capped: ``benchmarks/cpu_env.py``).
``--breakdown`` instead prints where the seconds go inside one process (imports, encoder load,
adapter merge, tokenizer, heads, country matcher, first batch).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import AVX2_ENV  # noqa: E402

ARTICLE = {
    "id": "a1",
    "lang": "en",
    "text": "Russia and France signed a trade agreement in Paris on Monday. "
    "China criticised Japan over the islands. The meeting lasted three hours.",
}


def cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    wanted = ("avx2", "avx512f", "avx512_bf16", "amx_bf16")
    return [f for f in wanted if f" {f}" in text or f"\t{f}" in text]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run ``cmd``; its wall time and CPU time (user + system, from wait4)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {stderr.decode()[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "max_rss_mb": usage.ru_maxrss / 1024}


def plain_load_cmd(encoder_dir: str) -> list[str]:
    code = f"from transformers import AutoModel; AutoModel.from_pretrained({encoder_dir!r})"
    return [sys.executable, "-c", code]


def score_cmd(archive: Path, out: Path, model: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "inference.cli", "score", str(archive), "--out", str(out), "--overwrite"]
    return cmd + ["--no-progress"] + (["--model", model] if model else [])


def breakdown(model: str | None) -> list[tuple[str, float, float]]:
    """(stage, wall s, cpu s) of the steps ``score`` takes before its first row, in one process."""
    marks: list[tuple[str, float, float]] = []
    last = [time.perf_counter(), time.process_time()]

    def mark(name: str) -> None:
        now = [time.perf_counter(), time.process_time()]
        marks.append((name, now[0] - last[0], now[1] - last[1]))
        last[:] = now

    import gc

    gc.set_threshold(100_000, 20, 100)  # as inference.cli.main (CLI_GC_THRESHOLDS) does for `score`
    import torch  # noqa: F401

    mark("import torch")
    import transformers  # noqa: F401

    mark("import transformers")
    from inference.classifier import DEFAULT_MODEL_DIR, StanceClassifier, bound_kernel_cache
    from inference.modeling import ModelSettings, StanceModel, load_encoder, read_model_config

    mark("import inference")
    path = Path(model) if model else DEFAULT_MODEL_DIR
    settings = ModelSettings.from_dict(read_model_config(path)["diplostance"])
    from inference.encoder import resolve_encoder

    encoder_dir = resolve_encoder(settings.base_encoder)
    bound_kernel_cache()
    encoder = load_encoder(encoder_dir, layers=settings.encoder_layers)
    mark("encoder load (AutoModel)")
    if (path / "adapter").is_dir():
        from inference.merged import load_adapted_encoder

        encoder = load_adapted_encoder(encoder, encoder_dir, path / "adapter", layers=settings.encoder_layers)
        mark("adapter merge")
    from inference.modeling import load_tokenizer

    tokenizer = load_tokenizer(encoder_dir)
    mark("tokenizer")
    from safetensors.torch import load_file

    stance = StanceModel(encoder, settings)
    stance.load_state_dict(load_file(str(path / "heads.safetensors")), strict=False)
    clf = StanceClassifier(stance.eval(), tokenizer, name="bench", precision="auto")
    mark("heads")
    from inference.countries import find_countries

    find_countries(ARTICLE["text"], lang=ARTICLE["lang"])
    mark("country matcher")
    import pyarrow.parquet  # noqa: F401

    import inference.batch.local  # noqa: F401

    mark("import batch + pyarrow")
    clf.classify_many([ARTICLE["text"]], lang=[ARTICLE["lang"]])
    mark("first batch (kernels)")
    clf.classify_many([ARTICLE["text"]], lang=[ARTICLE["lang"]])
    mark("second batch (reference)")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--code", action="append", default=[], type=Path, help="another checkout to time")
    parser.add_argument("--avx2", action="store_true", help="emulate an AVX2-only CPU")
    parser.add_argument("--breakdown", action="store_true", help="stages inside one process")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    env = dict(os.environ, **(AVX2_ENV if args.avx2 else {}))
    if args.breakdown:
        os.environ.update(env)
        marks = breakdown(args.model)
        for name, wall, cpu in marks:
            print(f"{name:<28} wall {wall:7.2f} s  cpu {cpu:6.2f} s")
        total_w, total_c = sum(m[1] for m in marks[:-1]), sum(m[2] for m in marks[:-1])
        print(f"{'total before first row':<28} wall {total_w:7.2f} s  cpu {total_c:6.2f} s")
        if args.out:
            args.out.write_text(json.dumps({"stages": marks, "env": env.get("ONEDNN_MAX_CPU_ISA")}) + "\n")
        return 0
    from inference.encoder import resolve_encoder

    encoder_dir = resolve_encoder()
    variants: dict[str, tuple[list[str], Path]] = {}
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "one.jsonl"
        archive.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
        variants["plain AutoModel load"] = (plain_load_cmd(encoder_dir), ROOT)
        variants["score (this code)"] = (score_cmd(archive, Path(tmp) / "out", args.model), ROOT)
        for i, code in enumerate(args.code):
            variants[f"score ({code})"] = (score_cmd(archive, Path(tmp) / f"out{i}", args.model), code)
        timed(variants["score (this code)"][0], ROOT, env)  # warm the page cache and the merged cache
        for _ in range(args.repeats):
            for name, (cmd, cwd) in variants.items():
                runs.setdefault(name, []).append(timed(cmd, cwd, env))
                print(name, runs[name][-1], flush=True)
    plain = runs["plain AutoModel load"]
    ref_w = statistics.median(r["wall_s"] for r in plain)
    ref_c = statistics.median(r["cpu_s"] for r in plain)
    print(f"\n{'run':<40} {'wall s':>8} {'x plain':>8} {'cpu s':>7} {'x plain':>8}")
    summary = {}
    for name, rs in runs.items():
        w = statistics.median(r["wall_s"] for r in rs)
        c = statistics.median(r["cpu_s"] for r in rs)
        summary[name] = {"wall_s": w, "cpu_s": c, "wall_ratio": w / ref_w, "cpu_ratio": c / ref_c, "runs": rs}
        print(f"{name:<40} {w:>8.2f} {w / ref_w:>8.2f} {c:>7.2f} {c / ref_c:>8.2f}")
    if args.out:
        result = {
            "cpu": cpu_model(),
            "flags": cpu_flags(),
            "avx2_emulated": args.avx2,
            "cpu_count": os.cpu_count(),
            "repeats": args.repeats,
            "results": summary,
        }
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
