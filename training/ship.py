"""``diplostance ship``: install a finished run as the package's default model, reproducibly.

A shipped model directory is a run's weights (``adapter/`` or ``encoder/``, safetensors only), its heads, config,
card and records (:data:`SHIPPED_FILES`), and the seed spread of its recipe when one was measured. :func:`ship`
checks all of that before it touches the destination: the run is complete, it holds no pickled weights, it fits
the repository's size limit, and, given the config that is meant to rebuild it (``configs/default.yaml``), that
config reproduces the run key for key but for ``output.dir``. With ``spread_runs`` the spread over those runs is
written into the run first (:mod:`training.seed_spread`), so its card shows it. The copy goes to a temporary
folder beside the destination and replaces it only once complete.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .config import RUNTIME_KEYS, ConfigError, load_config
from .seed_spread import (
    SPREAD_FILE,
    config_differences,
    run_config,
    seed_spread,
    shown_differences,
    write_spread,
)

# What a run directory must hold to be shipped, besides its weights folder (one of WEIGHT_DIRS).
SHIPPED_FILES = (
    "heads.safetensors",
    "config.json",
    "README.md",
    "metrics.json",
    "training_config.yaml",
    "data.json",
)
WEIGHT_DIRS = ("adapter", "encoder")
# Shipped when the run has them.
OPTIONAL_FILES = (SPREAD_FILE,)
# The repository copy of the default model stays under this (README, the brief).
MAX_SHIPPED_MB = 50.0
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt")


class ShipError(ConfigError):
    """The run cannot be shipped as it is; the message names what is wrong and the fix."""


def _weights_dir(run: Path) -> Path:
    found = [run / name for name in WEIGHT_DIRS if (run / name).is_dir()]
    if len(found) != 1:
        raise ShipError(
            f"{run} holds {' and '.join(p.name + '/' for p in found) or 'no weights folder'}; a run to ship has "
            f"exactly one of {', '.join(n + '/' for n in WEIGHT_DIRS)} (diplostance train writes it)"
        )
    weights = found[0]
    pickled = sorted(str(p.relative_to(run)) for p in weights.rglob("*") if p.suffix in PICKLE_SUFFIXES)
    if pickled:
        raise ShipError(
            f"{run} holds pickled weights ({', '.join(pickled)}); only safetensors ship: re-save the model with "
            "save_pretrained"
        )
    if not any(weights.rglob("*.safetensors")):
        raise ShipError(f"{weights} holds no .safetensors file; the run did not finish writing its weights")
    return weights


def shipped_paths(run: str | os.PathLike[str]) -> list[Path]:
    """The files and the weights folder of ``run`` that :func:`ship` copies; :class:`ShipError` if any is
    missing or the weights are not safetensors."""
    run = Path(run)
    if not run.is_dir():
        raise ShipError(f"{run} is not a directory: pass a finished run (diplostance train --output.dir)")
    missing = [name for name in SHIPPED_FILES if not (run / name).is_file()]
    if missing:
        raise ShipError(
            f"{run} lacks {', '.join(missing)}: pass a finished run (a killed one continues with "
            "diplostance train CONFIG --output.dir RUN --resume)"
        )
    optional = [run / name for name in OPTIONAL_FILES if (run / name).is_file()]
    return [_weights_dir(run), *(run / name for name in SHIPPED_FILES), *optional]


def _size_mb(paths: Sequence[Path]) -> float:
    total = 0
    for path in paths:
        files = path.rglob("*") if path.is_dir() else [path]
        total += sum(f.stat().st_size for f in files if f.is_file())
    return total / 2**20


def check_reproduced_by(run: str | os.PathLike[str], config_path: str | os.PathLike[str]) -> None:
    """Raise :class:`ShipError` unless ``config_path`` (with its defaults) trains exactly ``run``'s config, seed
    and dev split included, but for ``output.dir`` and where it ran (``config.RUNTIME_KEYS``)."""
    run = Path(run)
    config = load_config(config_path)
    config.data.split_seed = config.split_seed()
    differences = config_differences(config.to_dict(), run_config(run), free=("output.dir", *RUNTIME_KEYS))
    if differences:
        raise ShipError(
            f"{config_path} does not rebuild {run} ({config_path} value != run value): "
            f"{shown_differences(differences, 6)}. Set these in "
            f"{config_path} first, so that one config retrains the shipped model"
        )


def ship(
    run: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    config: str | os.PathLike[str] | None = None,
    spread_runs: Sequence[str | os.PathLike[str]] = (),
    max_mb: float = MAX_SHIPPED_MB,
) -> list[Path]:
    """Install finished run ``run`` as the model directory ``dest`` (replaced whole); returns the paths written.

    ``config``: the YAML config that must reproduce the run (:func:`check_reproduced_by`). ``spread_runs``: runs
    of the same recipe at other seeds (``run`` among them or not) whose mean ± sd goes into ``run``'s
    ``seed_spread.json`` and card before the copy. Nothing is written when a check fails.
    """
    run, dest = Path(run), Path(dest)
    if run.resolve() == dest.resolve():
        raise ShipError(f"{run} is the destination itself; pass the run directory to ship from")
    paths = shipped_paths(run)
    if config is not None:
        check_reproduced_by(run, config)
    size = _size_mb(paths)
    if size > max_mb:
        raise ShipError(
            f"{run} would ship {size:.1f} MB, over the {max_mb:g} MB the repository copy may hold; ship a LoRA "
            "run (output.encoder_format: lora) or raise max_mb for a copy kept outside the repository"
        )
    if spread_runs:
        spread = seed_spread(spread_runs)
        write_spread(run, spread, spread_runs)
        paths = shipped_paths(run)
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    old = dest.with_name(f".{dest.name}-old")
    try:
        for path in paths:
            target = staging / path.name
            if path.is_dir():
                shutil.copytree(path, target)
            else:
                shutil.copy2(path, target)
        if old.exists():
            shutil.rmtree(old)
        if dest.exists():
            dest.rename(old)
        staging.rename(dest)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        # the old model moved aside, the new one not in place: put it back
        if not dest.exists() and old.exists():
            old.rename(dest)
        raise
    return sorted(dest.iterdir())


__all__ = ["MAX_SHIPPED_MB", "SHIPPED_FILES", "ShipError", "check_reproduced_by", "ship", "shipped_paths"]
