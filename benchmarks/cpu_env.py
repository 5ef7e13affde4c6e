"""The environment that makes this machine's torch behave as on an AVX2-only CPU (``--avx2``).

Every library that picks its kernels by CPUID must be capped, or the emulation flatters: oneDNN
(``ONEDNN_MAX_CPU_ISA``), ATen's own vectorised kernels (``ATEN_CPU_CAPABILITY``), FBGEMM (int8) and
MKL, whose sgemm runs torch's fp32 ``linear`` layers. Without ``MKL_ENABLE_INSTRUCTIONS`` the encoder's
matrix products kept using AVX-512 (measured on the 2-core Xeon, 4096x384 by 384x1536 fp32 products:
288-308 GFLOP/s with the first three caps only, 162-165 GFLOP/s with MKL capped too).
"""

AVX2_ENV = {
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    "ATEN_CPU_CAPABILITY": "avx2",
    "FBGEMM_ENABLE_INSTRUCTIONS": "AVX2",
    "MKL_ENABLE_INSTRUCTIONS": "AVX2",
}
