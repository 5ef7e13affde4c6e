"""The environment that makes this machine's torch behave as on an AVX2-only CPU (``--avx2``).

Every library that picks its kernels by CPUID must be capped, or the emulation flatters: oneDNN
(``ONEDNN_MAX_CPU_ISA``), ATen's own vectorised kernels (``ATEN_CPU_CAPABILITY``), FBGEMM (int8) and
MKL, whose sgemm runs torch's fp32 ``linear`` layers. Without ``MKL_ENABLE_INSTRUCTIONS`` the encoder's
matrix products kept using AVX-512 (measured on the 2-core Xeon, 4096x384 by 384x1536 fp32 products:
288-308 GFLOP/s with the first three caps only, 162-165 GFLOP/s with MKL capped too).
"""

from __future__ import annotations

import os
import subprocess
import sys

# Set in a process rerun under AVX2_ENV (rerun_under_avx2), so it does not rerun itself again
EMULATED = "DIPLOSTANCE_AVX2_EMULATED"

AVX2_ENV = {
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "FBGEMM_ENABLE_INSTRUCTIONS": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
}


def avx2_emulated() -> bool:
    """Whether this process runs under the AVX2 caps (rerun by :func:`rerun_under_avx2`)."""
    return bool(os.environ.get(EMULATED))


def rerun_under_avx2(module: str) -> None:
    """Rerun ``python -m module`` with this process's arguments under the AVX2 caps and exit with its
    status, unless this process already runs under them. The caps must be set before torch loads its
    kernels, so a benchmark that measures in its own process calls this before importing torch."""
    if avx2_emulated():
        return
    env = {**os.environ, **AVX2_ENV, EMULATED: "1"}
    raise SystemExit(subprocess.call([sys.executable, "-m", module, *sys.argv[1:]], env=env))
