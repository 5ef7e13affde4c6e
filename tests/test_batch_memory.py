"""Returning freed heap memory between chunks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from inference.batch.memory import release_free_memory


def test_release_free_memory_runs_and_reports_support() -> None:
    supported = release_free_memory()
    assert isinstance(supported, bool)
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert supported


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_release_free_memory_gives_back_freed_heap_pages() -> None:
    def anon_kb() -> int:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
        raise AssertionError("no RssAnon in /proc/self/status")

    # many mid-sized blocks (below the mmap threshold) freed except a few, which pins the heap top
    blocks = [bytearray(64 * 1024) for _ in range(2000)]
    keep = blocks[-1]
    del blocks
    before = anon_kb()
    if not release_free_memory():
        pytest.skip("no malloc_trim on this C library")
    assert anon_kb() < before - 32 * 1024, "at least 32 MB of the ~128 MB freed went back"
    del keep
