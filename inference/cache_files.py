"""Files in the user's cache (merged adapters, the country index): written whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


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
