"""``diplostance score`` and ``diplostance report``: thin wrappers over ``inference.batch.score/report``."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import sys

from inference.batch.html_text import TEXT_FORMATS
from inference.batch.options import DEVICES, ENGINES, PARQUET_LAYOUTS, PRECISIONS, SERIES_UNITS


def _setup_logging(verbose: bool = False) -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr
        )
    if not verbose:
        quiet_third_party()


def quiet_third_party() -> None:
    """No progress bars, deprecation or future warnings from transformers, peft or torch on a
    normal run (``-v`` keeps them): they say nothing about the user's data."""
    import warnings

    for category in (FutureWarning, DeprecationWarning, UserWarning):
        for module in ("transformers", "peft", "torch", "huggingface_hub", "tokenizers"):
            warnings.filterwarnings("ignore", category=category, module=module)
    for name in ("transformers", "peft", "huggingface_hub", "torch"):
        logging.getLogger(name).setLevel(logging.ERROR)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules or importlib.util.find_spec("transformers") is not None:
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()
        except ImportError:  # pragma: no cover - transformers is a dependency
            pass


def _split_fields(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def register_score(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "score",
        help="score news archives into stance tables (resumable)",
        description="Score every article of INPUT (JSONL[.gz|.zst], CSV[.gz|.zst], Parquet, .txt files or a folder "
        "of them) into DIR: stances.parquet, articles.parquet, errors.jsonl, manifest.json. Rerunning the same "
        "command after a crash resumes where it stopped.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files or folders of them")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument("--model", default=None, metavar="DIR", help="model folder (default: the bundled model)")
    p.add_argument("--lang", default=None, metavar="XX", help="language of records without a 'lang' field")
    p.add_argument("--engine", choices=ENGINES, default="local", help="execution engine (default: local)")
    p.add_argument("--text-field", default="text", help="name of the text field/column (default: text)")
    p.add_argument("--id-field", default="id", help="name of the id field/column (default: id)")
    p.add_argument(
        "--keep",
        type=_split_fields,
        default=None,
        metavar="FIELD,...",
        help="input fields passed through to the outputs besides lang and date "
        "(default: every field of the CSV header, Parquet schema or first JSONL records; --keep '' for none)",
    )
    p.add_argument(
        "--date-format",
        default=None,
        metavar="FMT",
        help="strptime pattern for dates the built-in formats find ambiguous, e.g. '%%d/%%m/%%Y' "
        "(default: ISO 8601, RFC 2822, English month names and unambiguous numeric dates)",
    )
    p.add_argument(
        "--text-format",
        choices=TEXT_FORMATS,
        default="auto",
        help="'html': strip markup and entities, paragraphs at block elements (offsets then refer to the "
        "extracted text); 'auto' (default): the same for texts that obviously are HTML; 'text': never",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show third-party warnings and progress bars")
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
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="the model's arithmetic; auto: bf16 where the CPU or GPU computes it natively, else fp32 (fp16 on a "
        "GPU); int8 (CPU): about 1.2x fp32 on CPUs without bf16, at up to 1.8 points of macro-F1 (README) (default: auto)",
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

    _setup_logging(args.verbose)
    try:
        manifest = score(
            args.inputs,
            args.out,
            model=args.model,
            lang=args.lang,
            text_field=args.text_field,
            id_field=args.id_field,
            keep=args.keep,
            date_format=args.date_format,
            text_format=args.text_format,
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
            precision=args.precision,
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
    p.add_argument(
        "--series",
        metavar="UNIT",
        choices=SERIES_UNITS,
        help="also write DIR/series_countries_UNIT.csv (per day, month or quarter, each country's stance counts) and, "
        "where the run has dyads, DIR/series_dyads_UNIT.csv (each ordered pair's dyads, details and intensity)",
    )
    p.set_defaults(func=_report)


def _report(args: argparse.Namespace) -> int:
    from inference.batch.api import report, series

    _setup_logging()
    try:
        paths = report(args.out, top=args.top)
        if args.series:
            paths |= {f"series_{k}": v for k, v in series(args.out, args.series).items()}
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
    except KeyboardInterrupt as err:
        print(str(err) or "interrupted before anything was saved", file=sys.stderr)
        return 130
