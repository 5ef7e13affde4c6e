"""``diplostance train``, ``data``, ``cv``, ``evaluate``, ``calibrate``, ``spread`` and ``ship``: thin wrappers over typed
functions."""

from __future__ import annotations

import argparse
import functools
import importlib.util
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from .config import ConfigError

# Import name -> distribution of the modules the ``train`` extra installs (pyproject.toml).
TRAIN_EXTRA: dict[str, str] = {"sklearn": "scikit-learn", "datasets": "datasets"}
INSTALL_TRAIN = "pip install 'diplostance[train]'"


def missing_train_modules() -> list[str]:
    """The distributions of the ``train`` extra that are not installed (import names looked up, not imported)."""
    return [dist for name, dist in TRAIN_EXTRA.items() if importlib.util.find_spec(name) is None]


def needs_train_extra(command: str) -> Callable[[Callable[[argparse.Namespace], int]], Callable[..., int]]:
    """Run the command only with the ``train`` extra installed; else one line naming it, exit status 2."""

    def wrap(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        def refuse(missing: list[str]) -> int:
            print(
                f"diplostance {command}: error: {', '.join(missing)} not installed; this command needs the "
                f"'train' extra: {INSTALL_TRAIN}",
                file=sys.stderr,
            )
            return 2

        @functools.wraps(func)
        def run(args: argparse.Namespace) -> int:
            missing = missing_train_modules()
            if missing:
                return refuse(missing)
            try:
                return func(args)
            except ModuleNotFoundError as err:  # a module of the extra that is present but broken
                root = (err.name or "").partition(".")[0]
                if root not in TRAIN_EXTRA:
                    raise
                return refuse([TRAIN_EXTRA[root]])

        return run

    return wrap


def parse_overrides(extra: list[str]) -> dict[str, str]:
    """``--train.epochs 3 --model.encoder=x`` → ``{"train.epochs": "3", "model.encoder": "x"}``."""
    out: dict[str, str] = {}
    i = 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("--") or len(arg) == 2:
            raise ConfigError(f"unexpected argument {arg!r}; overrides look like --section.key value")
        key, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                raise ConfigError(f"override {arg!r} needs a value")
            value = extra[i + 1]
            i += 1
        out[key] = value
        i += 1
    return out


def register_train(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a model from a YAML config",
        description="Train a model. Any config key can be overridden: --train.epochs 3 --output.dir runs/x",
    )
    p.add_argument("config", type=Path, help="YAML config, e.g. configs/default.yaml")
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue a killed run from the last checkpoint in <output.dir>/checkpoints",
    )
    p.set_defaults(func=_train, accepts_overrides=True)


@needs_train_extra("train")
def _train(args: argparse.Namespace) -> int:
    from .config import load_config
    from .trainer import train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = load_config(args.config, parse_overrides(args.overrides))
    out = train(config, resume=getattr(args, "resume", False))
    print(f"model written to {out}")
    return 0


def register_data(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "data",
        help="save what a config trains on as datasets tables (save_to_disk)",
        description=(
            "Read a config's sources, split them as training would, and save one DatasetDict (train, dev) per "
            "source under --out/<name> with datasets' save_to_disk. Config keys can be overridden as for train."
        ),
    )
    p.add_argument("config", type=Path, help="YAML config, e.g. configs/default.yaml")
    p.add_argument("--out", type=Path, required=True, help="folder for the tables")
    p.set_defaults(func=_data, accepts_overrides=True)


@needs_train_extra("data")
def _data(args: argparse.Namespace) -> int:
    from .config import load_config
    from .data import load_sources
    from .hf_data import save_sources

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    config = load_config(args.config, parse_overrides(args.overrides))
    sizes = save_sources(load_sources(config), args.out)
    for name, splits in sizes.items():
        print(f"{args.out / name}: " + ", ".join(f"{split} {n}" for split, n in splits.items()))
    return 0


def register_cv(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "cv",
        help="the evaluation protocol: k grouped folds x seeds, dev figures as mean ± sd",
        description=(
            "Train one model per (fold, seed), each with a grouped fold as dev and the last epoch kept, and print "
            "every dev figure as mean ± sd over the runs (docs/evaluation-protocol.md). Config keys can be "
            "overridden as for train. Finished runs in --out are reused, so an interrupted protocol resumes."
        ),
    )
    p.add_argument("config", type=Path, help="YAML config, e.g. configs/default.yaml")
    p.add_argument("--out", type=Path, required=True, help="folder for the runs and summary.json")
    p.add_argument("--folds", type=int, default=5, help="grouped folds (default: 5)")
    p.add_argument(
        "--seeds", type=int, nargs="+", default=[13, 14, 15], help="one run per seed (default: 13 14 15)"
    )
    p.add_argument(
        "--fold",
        type=int,
        help="hold out this fold in every run (default: run i holds out fold i mod --folds), so that two "
        "configs' runs pair by seed on one dev set",
    )
    p.add_argument(
        "--against",
        type=Path,
        help="another cv folder: also print this config minus that one, paired by (fold, seed)",
    )
    p.set_defaults(func=_cv, accepts_overrides=True)


@needs_train_extra("cv")
def _cv(args: argparse.Namespace) -> int:
    from .config import load_config
    from .protocol import cross_validate

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    config = load_config(args.config, parse_overrides(args.overrides))
    cross_validate(config, args.out, folds=args.folds, seeds=args.seeds, fold=args.fold, against=args.against)
    return 0


def register_evaluate(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="macro-F1 of a model on the dev splits, per data set and language",
        description="Evaluate a model directory on the dev splits of a config's sources; writes metrics.json.",
    )
    p.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    p.add_argument("--config", type=Path, default=Path("configs/default.yaml"), help="config naming the data")
    p.add_argument("--data", nargs="*", default=None, help="only these source names")
    p.add_argument(
        "--out", type=Path, default=None, help="where to write metrics.json (default: the model dir)"
    )
    p.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16", "int8"],
        default="auto",
        help="compute precision (default: auto)",
    )
    p.set_defaults(func=_evaluate, accepts_overrides=True)


@needs_train_extra("evaluate")
def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate_cmd import run_evaluation

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run_evaluation(
        args.model,
        args.config,
        args.data,
        args.out,
        parse_overrides(args.overrides),
        precision=args.precision,
    )
    return 0


def register_calibrate(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "calibrate",
        help="refit a trained model's temperatures and decision shifts on a config's dev splits",
        description=(
            "Fit what train.calibrate fits at the end of training (a temperature per head; with "
            "train.polarity_source or train.fit_sentiment_shift the sentiment neutral shift, the latter also "
            "per language; with train.fit_relation the pair head's none shift) on the config's dev splits, "
            "write it into the model's config.json and update metrics.json and the model card. The weights are "
            "not touched."
        ),
    )
    p.add_argument("model", type=Path, help="trained model directory")
    p.add_argument("--config", type=Path, default=Path("configs/default.yaml"), help="config naming the data")
    p.set_defaults(func=_calibrate, accepts_overrides=True)


@needs_train_extra("calibrate")
def _calibrate(args: argparse.Namespace) -> int:
    from .calibrate_cmd import recalibrate

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    recalibrate(args.model, args.config, parse_overrides(args.overrides))
    return 0


def register_spread(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "spread",
        help="dev figures as mean ± sd over runs of one config at several seeds; into a model's card",
        description=(
            "Read finished runs of one config that differ only in train.seed (and output.dir) and were trained "
            "on the same data files, print every dev figure as mean ± sd over them, and with --into write "
            "seed_spread.json into a model directory of that config and regenerate its card."
        ),
    )
    p.add_argument(
        "runs", type=Path, nargs="+", help="finished run directories (diplostance train --output.dir)"
    )
    p.add_argument(
        "--into",
        type=Path,
        default=None,
        help="model directory whose card gets the spread (e.g. one of the runs)",
    )
    p.set_defaults(func=_spread)


@needs_train_extra("spread")
def _spread(args: argparse.Namespace) -> int:
    from .evaluation import format_table
    from .protocol import summary_rows
    from .seed_spread import seed_spread, write_spread

    spread = seed_spread(args.runs)
    seeds = [run["seed"] for run in spread["runs"]]
    print(f"mean ± sd over {len(seeds)} runs (seeds {seeds}):")
    print(format_table(summary_rows(spread["dev"])))
    if args.into is not None:
        print(f"written to {write_spread(args.into, spread, args.runs)} and the model card regenerated")
    return 0


def register_ship(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ship",
        help="install a finished run as the default model (checked: complete, safetensors, size, config)",
        description=(
            "Copy a finished run's weights, heads, config, card and records into a model directory (by default "
            "the package's default model), replacing it whole once every check passes. --config names the YAML "
            "config that must rebuild the run (all keys but output.dir and where it ran: device, threads, "
            "checkpointing, logging); --spread writes the mean ± sd over runs of the recipe at other seeds into the "
            "run's card first."
        ),
    )
    p.add_argument("run", type=Path, help="finished run directory (diplostance train --output.dir)")
    p.add_argument(
        "--into",
        type=Path,
        default=None,  # resolved when the command runs: importing the classifier here would load torch at start-up
        help="model directory to replace (default: the package's inference/default_model)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="config that must reproduce the run, e.g. configs/default.yaml",
    )
    p.add_argument(
        "--spread",
        type=Path,
        nargs="+",
        default=[],
        help="runs of the same recipe at other seeds (and the run)",
    )
    p.set_defaults(func=_ship)


@needs_train_extra("ship")
def _ship(args: argparse.Namespace) -> int:
    from inference.classifier import DEFAULT_MODEL_DIR

    from .ship import ship

    into = args.into or DEFAULT_MODEL_DIR
    written = ship(args.run, into, config=args.config, spread_runs=args.spread)
    print(f"{args.run} shipped into {into}: {', '.join(p.name for p in written)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m training CONFIG [--section.key value ...]``."""
    parser = argparse.ArgumentParser(prog="python -m training")
    sub = parser.add_subparsers(dest="command")
    register_train(sub)
    register_data(sub)
    argv = list(argv or [])
    args, extra = parser.parse_known_args(argv if argv[:1] == ["data"] else ["train", *argv])
    args.overrides = extra
    try:
        return args.func(args)
    except ConfigError as err:
        parser.error(str(err))
    return 2


__all__ = [
    "main",
    "register_calibrate",
    "register_cv",
    "register_data",
    "register_evaluate",
    "register_ship",
    "register_spread",
    "register_train",
]
