"""Two versions of the packed forward (``inference/packed.py``) in one process, interleaved round by round.

On a noisy host a change of a few per cent drowns in the spread between processes (the naive baseline of
``bench_speed.py`` took 50-78 s between rounds on 2026-12-04). Here one classifier scores the same archive
with this checkout's ``packed_hidden`` and with the one of ``--against`` (a git revision), alternating
which goes first, and reports each round's ratio. It measures the encoder forward only as far as it
changes between the two; end-to-end ratios to the naive baseline come from ``bench_speed.py``.

    python -m benchmarks.ab_packed --against 3b80ae7 [--precision fp32] [--rounds 8] [--articles 300] [--avx2]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import avx2_emulated, rerun_under_avx2  # noqa: E402


def _load_revision(revision: str, directory: Path):
    """``inference/packed.py`` as it was at ``revision``, imported as a module of its own."""
    try:
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{revision}:inference/packed.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    except subprocess.CalledProcessError as error:
        raise SystemExit(
            f"--against {revision!r}: git cannot show inference/packed.py there: {error.stderr}"
        ) from None
    path = directory / "packed_against.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("packed_against", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--against", required=True, help="git revision whose inference/packed.py is the reference"
    )
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--avx2", action="store_true", help="rerun under the AVX2 caps (benchmarks/cpu_env.py)"
    )
    parser.add_argument("--out", type=Path, help="JSON with every round's seconds")
    args = parser.parse_args()
    if args.rounds < 1 or args.articles < 1:
        raise SystemExit(f"--rounds {args.rounds} and --articles {args.articles} must both be at least 1")
    if args.avx2:
        rerun_under_avx2("benchmarks.ab_packed")

    import torch

    import inference.modeling as modeling
    from benchmarks.bench_speed import build_archive, cpu_description
    from inference import load_classifier

    torch.set_num_threads(args.threads)
    articles = build_archive(args.articles)
    texts, langs = [a["text"] for a in articles], [a["lang"] for a in articles]
    with tempfile.TemporaryDirectory() as tmp:
        versions = {
            "this checkout": modeling.packed_hidden,
            args.against: _load_revision(args.against, Path(tmp)).packed_hidden,
        }
    classifier = load_classifier(precision=args.precision)
    classifier.classify_many(["Warm-up: Russia and France met in Paris."])
    seconds: dict[str, list[float]] = {name: [] for name in versions}
    names = list(versions)
    for round_ in range(args.rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            modeling.packed_hidden = versions[name]
            start = time.perf_counter()
            classifier.classify_many(texts, lang=langs)
            seconds[name].append(time.perf_counter() - start)
        print(
            f"round {round_ + 1}: " + ", ".join(f"{n} {s[-1]:.2f} s" for n, s in seconds.items()), flush=True
        )
    ratios = [old / new for old, new in zip(seconds[args.against], seconds["this checkout"], strict=True)]
    head = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    summary = {
        "this_checkout": head.stdout.strip() or "unknown",
        "against": args.against,
        "machine": {
            "cpu": cpu_description(),
            "avx2_emulated": avx2_emulated(),
        },
        "precision": classifier.precision,
        "articles": args.articles,
        "seconds": seconds,
        "speedup_per_round": [round(r, 3) for r in ratios],
        "speedup_median_of_rounds": statistics.median(ratios),
        "speedup_of_medians": statistics.median(seconds[args.against])
        / statistics.median(seconds["this checkout"]),
    }
    print(
        f"{args.against} / this checkout, per round: {', '.join(f'{r:.3f}' for r in ratios)}; "
        f"median {summary['speedup_median_of_rounds']:.3f} (ratio of medians {summary['speedup_of_medians']:.3f})"
    )
    if args.out:
        args.out.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
