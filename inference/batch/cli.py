"""``diplostance score`` and ``diplostance report``: thin wrappers over ``inference.batch.score/report``."""

from __future__ import annotations

import argparse
import logging
import sys

from inference.batch.options import DEVICES, ENGINES, PARQUET_LAYOUTS


def _setup_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
        )


def register_score(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "score",
        help="score news archives into stance tables (resumable)",
        description="Score every article of INPUT (JSONL[.gz|.zst], CSV[.gz|.zst], Parquet, .txt files or a folder "
        "of them) into DIR: stances.parquet, articles.parquet, errors.jsonl, manifest.json. Rerunning the same "
        "command after a crash resumes where it stopped.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files or folders of .txt files")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--model", default=None, metavar="DIR", help="model folder (default: the bundled model)")
    p.add_argument("--lang", default=None, metavar="XX", help="language of records without a 'lang' field")
    p.add_argument("--engine", choices=ENGINES, default="local", help="execution engine (default: local)")
    p.add_argument("--text-field", default="text", help="name of the text field/column (default: text)")
    p.add_argument("--id-field", default="id", help="name of the id field/column (default: id)")
    p.add_argument("--overwrite", action="store_true", help="discard earlier results in DIR and start over")
    p.add_argument(
        "--chunk-size",
        type=int,
        default=250,
        help="records per committed chunk, the unit of resume (default: 250)",
    )
    p.add_argument("--batch-size", type=int, default=32, help="articles per classifier call (default: 32)")
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where the model runs; auto: a CUDA/MPS accelerator when present, else the CPU (default: auto)",
    )
    p.add_argument(
        "--max-chars", type=int, default=5_000_000, help="longer texts are errors (default: 5,000,000)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar or progress log lines")
    ray = p.add_argument_group("Ray engine (--engine ray; see docs/ray.md)")
    ray.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="Ray cluster to join, e.g. 'auto' or 'ray://head:10001' (default: start a local Ray instance)",
    )
    ray.add_argument(
        "--num-workers", type=int, default=None, metavar="N", help="scoring actors (default: one per CPU)"
    )
    ray.add_argument(
        "--parquet-layout",
        choices=PARQUET_LAYOUTS,
        default="file",
        help="'folder': write stances.parquet/ and articles.parquet/ as folders of part files (default: file)",
    )
    ray.add_argument(
        "--gpus-per-worker",
        type=float,
        default=None,
        metavar="N",
        help="GPUs each scoring actor reserves, e.g. 1 or 0.5; workers then run on CUDA "
        "(default: none, CPU workers)",
    )
    p.set_defaults(func=_score)


def _score(args: argparse.Namespace) -> int:
    from inference.batch.api import score

    _setup_logging()
    try:
        manifest = score(
            args.inputs,
            args.out,
            model=args.model,
            lang=args.lang,
            text_field=args.text_field,
            id_field=args.id_field,
            engine=args.engine,
            overwrite=args.overwrite,
            chunk_size=args.chunk_size,
            batch_size=args.batch_size,
            max_chars=args.max_chars,
            progress=False if args.no_progress else None,
            address=args.address,
            num_workers=args.num_workers,
            parquet_layout=args.parquet_layout,
            device=args.device,
            gpus_per_worker=args.gpus_per_worker,
        )
    except (ValueError, RuntimeError) as err:
        print(f"diplostance score: error: {err}", file=sys.stderr)
        return 2
    print(manifest.summary_table())
    print(f"outputs in {args.out} (errors: {manifest.failed:,} lines in errors.jsonl)")
    return 0


def register_report(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="plot and tabulate the results of 'diplostance score'",
        description="Write DIR/report.png and a self-contained DIR/report.html: stance toward the most named "
        "countries over time, the country pairs most often in cooperative and conflictual sentences, and counts.",
    )
    p.add_argument("out", metavar="DIR", help="output folder of 'diplostance score'")
    p.add_argument("--top", type=int, default=8, help="number of countries and pairs shown (default: 8)")
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from inference.batch.api import report

    _setup_logging()
    try:
        paths = report(args.out, top=args.top)
    except (ValueError, FileNotFoundError) as err:
        print(f"diplostance report: error: {err}", file=sys.stderr)
        return 2
    for path in paths.values():
        print(path)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m inference.batch score|report ...`` (the same subcommands as ``diplostance``)."""
    parser = argparse.ArgumentParser(prog="python -m inference.batch")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_score(sub)
    register_report(sub)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
