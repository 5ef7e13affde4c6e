"""The C library's allocator on Linux (glibc): keep batch-sized blocks between encoder batches, and give
freed memory back between chunks of a long run. Both are no-ops where the C library is not glibc.

**Keeping blocks.** An encoder batch on the CPU allocates tensors of tens of megabytes (4,096 tokens by the
1,536-wide feed-forward layer in fp32: 25 MB) and frees them a few milliseconds later. glibc serves a block
above its mmap threshold with a fresh ``mmap`` and unmaps it on free; the threshold rises only to the largest
block freed so far (at most 32 MB), and the heap top is trimmed whenever more than twice that is free. Batches
of varying shapes then fault in and zero the same pages again and again. :func:`keep_batch_blocks` raises both
thresholds once per process, so those blocks are reused from the heap. On the 2-core AMD EPYC with AVX2 kernels
(fp32), ``classify_many`` on 300 bench articles took 54,000-64,000 page faults instead of 133,000-378,000 and
about half the system CPU time; over 12 rounds of ``bench_speed.py`` fp32 ran 4.01x the naive baseline by the
median against 3.86x with glibc's thresholds (``benchmarks/README.md``). Long runs still give
memory back: ``score`` calls :func:`release_free_memory` after each chunk, and ``malloc_trim`` ignores the
thresholds.

Not applied where the user chose for themselves: ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or
glibc malloc tunables in ``GLIBC_TUNABLES``; ``DIPLOSTANCE_KEEP_BLOCKS=0`` turns it off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import os
import sys
from collections.abc import Mapping

logger = logging.getLogger(__name__)

MMAP_THRESHOLD = 256 << 20  # blocks up to this size come from the heap (a 40k-token batch's largest tensor)
TRIM_THRESHOLD = 512 << 20  # free memory at the heap top kept up to this size
OPT_OUT = "DIPLOSTANCE_KEEP_BLOCKS"
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt parameters, <malloc.h>


@functools.lru_cache(maxsize=1)
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        # glibc only: musl's mallopt and malloc_trim do nothing or are absent
        if not hasattr(libc, "gnu_get_libc_version"):
            return None
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


def release_free_memory() -> bool:
    """Return freed heap pages to the OS (glibc ``malloc_trim(0)``); False where unsupported.

    Batches of varying shapes leave freed blocks scattered over glibc's heaps; returning the free pages after
    each chunk keeps the resident size of a long run flat instead of ratcheting up with the largest batches seen.
    """
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def user_chose_allocator(environ: Mapping[str, str] = os.environ) -> str | None:
    """The setting through which the user chose the allocator's behaviour, or None."""
    if environ.get(OPT_OUT, "1").strip().lower() in ("0", "false", "no", "off"):
        return OPT_OUT
    for name in _USER_SETTINGS:
        if name in environ:
            return name
    if "glibc.malloc." in environ.get("GLIBC_TUNABLES", ""):
        return "GLIBC_TUNABLES"
    return None


@functools.lru_cache(maxsize=1)
def keep_batch_blocks() -> bool:
    """Raise glibc's mmap and trim thresholds once per process (see the module's docstring); True if they are
    raised now or were before, False where the C library is not glibc or the user chose otherwise."""
    chosen, libc = user_chose_allocator(), _glibc()
    if chosen is not None:
        logger.debug("glibc malloc settings left as they are (%s is set)", chosen)
        return False
    if libc is None:
        return False
    done = bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
    if not done:
        logger.debug("glibc refused the malloc thresholds; its defaults stay")
    return done
