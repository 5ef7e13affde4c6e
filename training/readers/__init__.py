"""Readers for every training source, each into the one schema of ``training.examples``.

``read_source(kind, path, **options)`` dispatches on ``kind`` (a key of ``READERS``). Every reader
keeps file order, reports each row it cannot read as a ``BadRow`` (1-based line number) and maps the
source's labels explicitly to ours.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from training.examples import ReadResult
from training.readers import cameo, newsmtsc, own, rusentne, un_quadclass
from training.readers._common import PATH_HINT

READERS: dict[str, Callable[..., ReadResult]] = {
    "cameo": cameo.read,
    "un_quadclass": un_quadclass.read,
    "newsmtsc": newsmtsc.read,
    "rusentne": rusentne.read,
    "own": own.read,
}

__all__ = ["READERS", "read_source"]


def read_source(kind: str, path: str | Path, **options: object) -> ReadResult:
    """Read ``path`` with the reader registered as ``kind``, passing ``options`` to it."""
    reader = READERS.get(kind)
    if reader is None:
        raise ValueError(f"unknown data source kind {kind!r}; known kinds: {', '.join(READERS)}")
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{kind} data not found at {p} (resolved: {p.resolve()}); {PATH_HINT}")
    return reader(p, **options)
