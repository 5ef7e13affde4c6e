"""Which device trains (``train.device``) and in which precision it computes (``train.bf16``/``fp16``).

The device itself is resolved by :func:`inference.devices.resolve_device` (one rule for training and
inference); here its errors become config errors, and the config's bf16/fp16 flags become the
Trainer's mixed-precision mode.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from inference import devices

from .config import ConfigError

logger = logging.getLogger(__name__)


def resolve_device(name: str) -> str:
    """``train.device`` -> ``cpu`` | ``cuda`` | ``mps`` (``auto``: the accelerator torch sees, else the CPU);
    a named device that is not there is a config error naming the fix."""
    if name not in devices.DEVICES:
        raise ConfigError(f"train.device={name!r}; expected one of {', '.join(devices.DEVICES)}")
    try:
        return devices.resolve_device(name).type
    except ValueError as err:
        raise ConfigError(f"train.{err}") from None  # "train.device='cuda', but torch sees no ..."


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
        if device == "cuda" and not devices.cuda_supports_bf16(devices.resolve_device("cuda")):
            logger.warning("this CUDA device has no bf16: training in fp16 mixed precision instead")
            return Precision(False, True)
        return Precision(True, False)
    if fp16:
        if device != "cuda":
            logger.warning("train.fp16 needs a CUDA device; training on %s in fp32", device)
            return Precision(False, False)
        return Precision(False, True)
    return Precision(False, False)
