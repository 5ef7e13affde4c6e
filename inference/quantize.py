"""``precision="int8"``: the encoder's linear layers as dynamic int8 (per-channel weights), for CPUs
without bf16 arithmetic.

Weights are quantized once at load time, one scale per output channel; activations are quantized per
batch from their observed range (``torch.ao.quantization.quantize_dynamic``). Some layers lose more
than others (the feed-forward output projections, ``layer.N.output.dense``, carry the encoder's
activation outliers); ``KEEP_FP32`` names those left in fp32 by default. Cost and speed, measured:
benchmarks/results/int8.md. The heads stay in fp32.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

from torch import nn

# Module names (regular expressions, matched against the encoder's module names) left in fp32.
KEEP_FP32: tuple[str, ...] = (r"(^|\.)output\.dense$",)


def quantize_encoder(encoder: nn.Module, keep_fp32: Sequence[str] = KEEP_FP32) -> nn.Module:
    """``encoder`` with every ``nn.Linear`` not matched by ``keep_fp32`` replaced by a dynamic int8 one."""
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    patterns = [re.compile(p) for p in keep_fp32]
    names = {
        name: per_channel_dynamic_qconfig
        for name, module in encoder.named_modules()
        if isinstance(module, nn.Linear) and not any(p.search(name) for p in patterns)
    }
    if not names:
        raise ValueError(f"keep_fp32={list(keep_fp32)} leaves no linear layer of the encoder to quantize")
    with warnings.catch_warnings():  # torch.ao.quantization announces its move to torchao
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings(
            "ignore", message=".*quantized tensor creation functions", category=UserWarning
        )
        return quantize_dynamic(encoder, names, inplace=True)


def quantized_layers(encoder: nn.Module) -> int:
    """How many of ``encoder``'s modules are dynamic int8 linear layers."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear

    return sum(isinstance(m, DynamicLinear) for m in encoder.modules())
