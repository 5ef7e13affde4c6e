"""Files in the user's cache (merged adapters, int8 layers, the country index): written whole or not at all,
switched off by an environment variable each, keyed by what they were built from."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def cache_enabled(variable: str) -> bool:
    """Whether the cache switched by the environment variable ``variable`` is on (it is unless set to
    0, false, no or off)."""
    return os.environ.get(variable, "1").strip().lower() not in {"0", "false", "no", "off"}


def weights_identity(directory: Path) -> bytes:
    """The identity of ``directory``'s weight files (name, size, modification time), for a cache key:
    a rebuilt or replaced encoder gets a new key without hashing its hundreds of megabytes."""
    parts = []
    for file in sorted(directory.glob("*.safetensors")):
        stat = file.stat()
        parts.append(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "".join(parts).encode()


def replace_atomically(file: Path, write: Callable[[str], object]) -> None:
    """Create ``file`` through ``write(temporary path)``: the temporary file sits beside ``file``, is made
    readable by all (``mkstemp`` makes it private) and renamed over ``file``, so a reader sees the old
    file or the whole new one. Raises ``OSError`` (callers whose cache is optional log and go on)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.stem}.", suffix=".tmp", dir=file.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, file)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
