"""Which device trains (``train.device``) and in which precision it computes (``train.bf16``/``fp16``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

from .config import ConfigError

logger = logging.getLogger(__name__)


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())


def resolve_device(name: str) -> str:
    """``auto`` -> ``cuda`` when a CUDA device is visible, else ``mps``, else ``cpu``; a named device
    that is not there is an error naming the fix."""
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "train.device='cuda' but torch sees no CUDA device (torch "
            f"{torch.__version__}); install a CUDA build of torch or set train.device: auto"
        )
    if name == "mps" and not _mps_available():
        raise ConfigError("train.device='mps' but Apple MPS is not available here; set train.device: auto")
    if name not in {"cpu", "cuda", "mps"}:
        raise ConfigError(f"train.device={name!r}; expected auto, cpu, cuda or mps")
    return name


@dataclass(frozen=True)
class Precision:
    bf16: bool
    fp16: bool

    @property
    def name(self) -> str:
        return "bf16" if self.bf16 else "fp16" if self.fp16 else "fp32"


def resolve_precision(device: str, bf16: bool, fp16: bool) -> Precision:
    """Mixed precision the device has: bf16 when asked for and supported (falling back to fp16 on a CUDA
    device without bf16), fp16 on CUDA only; otherwise fp32, with a log line saying why."""
    if bf16 and fp16:
        raise ConfigError("train.bf16 and train.fp16 are both true; choose one")
    if bf16:
        if device == "cuda" and not torch.cuda.is_bf16_supported():
            logger.warning("this CUDA device has no bf16: training in fp16 mixed precision instead")
            return Precision(False, True)
        return Precision(True, False)
    if fp16:
        if device != "cuda":
            logger.warning("train.fp16 needs a CUDA device; training on %s in fp32", device)
            return Precision(False, False)
        return Precision(False, True)
    return Precision(False, False)
