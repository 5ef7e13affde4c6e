"""Where the model runs (``cpu``, ``cuda``, ``mps``) and in which precision.

``auto`` picks an accelerator when torch sees one (CUDA first, then Apple's MPS), else the CPU.
Precision ``auto`` is bf16 on a CUDA device that computes it (Ampere and newer), else fp16 on
CUDA and MPS; the CPU keeps its own rule (``inference.classifier.resolve_precision``).
"""

from __future__ import annotations

import torch

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16", "fp16")
AUTOCAST_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def resolve_device(device: str | torch.device | None = "auto") -> torch.device:
    """``auto`` | ``cpu`` | ``cuda`` | ``cuda:N`` | ``mps`` (or a ``torch.device``) -> a device torch can use.

    Asking for an accelerator torch does not see is an error that says so, never a silent CPU run.
    """
    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device={device!r}; expected one of {list(DEVICES)} (or 'cuda:N')") from None
    if resolved.type not in DEVICES:
        raise ValueError(f"device={device!r}; expected one of {list(DEVICES)} (or 'cuda:N')")
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r}, but torch sees no CUDA device (torch {torch.__version__}, built with CUDA "
                f"{torch.version.cuda}); use device='cpu' or 'auto', or install a CUDA build of torch"
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r}, but torch sees {torch.cuda.device_count()} CUDA device(s); "
                f"use cuda:0 to cuda:{torch.cuda.device_count() - 1}"
            )
    if resolved.type == "mps" and not mps_available():
        raise ValueError(
            f"device={device!r}, but torch's MPS backend is not available here; use 'cpu' or 'auto'"
        )
    return resolved


def cuda_supports_bf16(device: torch.device) -> bool:
    """True on CUDA devices with native bf16 (Ampere and newer), not counting emulation."""
    if device.type != "cuda":
        return False
    with torch.cuda.device(device):
        try:
            return bool(torch.cuda.is_bf16_supported(including_emulation=False))
        except TypeError:  # torch < 2.4 has no including_emulation
            return bool(torch.cuda.is_bf16_supported())


def accelerator_precision(precision: str, device: torch.device) -> str:
    """On a CUDA/MPS ``device``: ``auto`` -> bf16 where the GPU computes it natively, else fp16; others checked.

    (The CPU's rule is ``inference.classifier.resolve_precision``.)
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r}; expected one of {list(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if cuda_supports_bf16(device) else "fp16"
    if precision == "bf16" and device.type == "cuda" and not cuda_supports_bf16(device):
        raise ValueError(
            f"precision='bf16' but {torch.cuda.get_device_name(device)} does not compute bf16; use 'fp16' or 'auto'"
        )
    return precision
