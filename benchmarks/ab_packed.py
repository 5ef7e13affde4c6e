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
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # measure this checkout's code, not an installed copy

from benchmarks.cpu_env import avx2_emulated, rerun_under_avx2  # noqa: E402
from benchmarks.interleaved import add_arguments, alternate, check_counts, report, speedup  # noqa: E402


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
    add_arguments(parser, rounds=8)
    args = parser.parse_args()
    check_counts(args)
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

    def run(name: str, _round: int) -> None:
        modeling.packed_hidden = versions[name]
        classifier.classify_many(texts, lang=langs)

    seconds = alternate(list(versions), args.rounds, run)
    head = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    summary = {
        "this_checkout": head.stdout.strip() or "unknown",
        "against": args.against,
        "machine": {"cpu": cpu_description(), "avx2_emulated": avx2_emulated()},
        "precision": classifier.precision,
        "articles": args.articles,
        "seconds": seconds,
        **speedup(seconds, args.against, "this checkout"),
    }
    report(summary, f"{args.against} / this checkout", args.out)


if __name__ == "__main__":
    main()
