"""``precision="int8"``: the encoder's linear layers computed in int8, for CPUs without bf16 arithmetic.

Each layer's weights are quantised once at load time, per output channel, to 7 bits; its input is
quantised per token (each row of the batch its own scale) at run time; the product runs in int8 with
int32 accumulation (``torch._int_mm``) and is scaled back to fp32. Attention, layer norms, GELU and the
heads stay in fp32. Cost and speed, measured: benchmarks/results/int8.md. torch's dynamic int8
(``torch.ao``, one activation scale per batch) was the earlier implementation: it lost up to 3.3 points
on a dev set where this loses about one (the comparison is in ``benchmarks/int8_dev.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import torch
from torch import nn

# Weights are quantised to 7 bits (|q| <= 63) per output channel: on CPUs without AVX512-VNNI, oneDNN's
# int8 product (``torch._int_mm``) adds pairs of u8 x s8 products in 16 bits, which saturate with 8-bit
# weights (measured under ``ONEDNN_MAX_CPU_ISA=AVX2``: errors up to 3e6 with |w| <= 127, none with
# |w| <= 63 and any 8-bit activation). The same 7 bits everywhere keep results the same on every CPU.
WEIGHT_LEVELS = 63
ACTIVATION_LEVELS = 127


# Fractions of each output channel's largest |weight| tried as its clipping range.
CLIP_RATIOS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7)


def weight_scales(weight, levels: int = WEIGHT_LEVELS, ratios: Sequence[float] = CLIP_RATIOS):
    """Per output channel (row of ``weight``), the quantisation step that rounds it with the least
    squared error among the clipping ranges ``ratios`` x its largest |weight|. With 7 bits, clipping a
    row's few largest weights gives every other weight finer steps (data-free; no calibration text)."""
    peak = weight.abs().amax(1).clamp(min=1e-12)
    best, best_error = peak / levels, None
    for ratio in ratios:
        step = peak / levels * ratio
        rounded = torch.round(weight / step[:, None]).clamp_(-levels, levels).mul_(step[:, None])
        error = rounded.sub_(weight).square_().sum(1)
        if best_error is None:
            best, best_error = step, error
        else:
            better = error < best_error
            best, best_error = torch.where(better, step, best), torch.where(better, error, best_error)
    return best


class TokenInt8Linear(nn.Module):
    """A linear layer computed in int8: weights per output channel (7 bits), activations per token
    (8 bits, their scale taken from each row's largest |value| at run time), int32 accumulation.

    Per-token scales are what torch's dynamic int8 lacks (one scale for every token of a batch): a
    token with an outlier no longer flattens every other token of the batch to a few levels.
    """

    def __init__(self, linear: nn.Linear) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight_scales(weight)
        q = torch.round(weight / scale[:, None]).clamp_(-WEIGHT_LEVELS, WEIGHT_LEVELS).to(torch.int8)
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.register_buffer("qweight", q.t().contiguous())  # (in, out), as torch._int_mm reads it
        self.register_buffer("weight_scale", scale)
        bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(len(scale))
        self.register_buffer("bias", bias)

    def forward(self, x):
        shape = x.shape
        rows = x.reshape(-1, self.in_features).float()
        scale = rows.abs().amax(1, keepdim=True).clamp_(min=1e-12).div_(ACTIVATION_LEVELS)
        q = rows.div(scale).round_().to(torch.int8)
        out = torch._int_mm(q, self.qweight).to(torch.float32)  # in place from here: fewer passes
        out.mul_(scale).mul_(self.weight_scale).add_(self.bias)
        return out.reshape(*shape[:-1], self.out_features).to(x.dtype)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8 per token"


def _check_int8_product() -> None:
    """Fail at load time, not at the first batch, where this torch build has no int8 product on the CPU."""
    try:
        torch._int_mm(torch.ones(17, 8, dtype=torch.int8), torch.ones(8, 8, dtype=torch.int8))
    except (RuntimeError, NotImplementedError, AttributeError) as err:
        raise RuntimeError(
            f"precision='int8' needs torch._int_mm on the CPU, which this torch {torch.__version__} lacks "
            f"({err}); use precision='fp32' or 'auto'"
        ) from None


def linear_layers(encoder: nn.Module, keep_fp32: Sequence[str] = ()) -> list[str]:
    """Names of ``encoder``'s ``nn.Linear`` modules not matched by any regular expression of ``keep_fp32``."""
    patterns = [re.compile(p) for p in keep_fp32]
    return [
        name
        for name, module in encoder.named_modules()
        if isinstance(module, nn.Linear) and not any(p.search(name) for p in patterns)
    ]


def quantize_encoder(encoder: nn.Module, keep_fp32: Sequence[str] = ()) -> nn.Module:
    """``encoder`` with every ``nn.Linear`` not matched by ``keep_fp32`` replaced, in place, by a
    :class:`TokenInt8Linear`."""
    targets = linear_layers(encoder, keep_fp32)
    if not targets:
        raise ValueError(f"keep_fp32={list(keep_fp32)} leaves no linear layer of the encoder to quantize")
    _check_int8_product()
    for name in targets:
        parent, _, child = name.rpartition(".")
        owner = encoder.get_submodule(parent) if parent else encoder
        setattr(owner, child, TokenInt8Linear(getattr(owner, child)))
    return encoder


def quantized_layers(encoder: nn.Module) -> int:
    """How many of ``encoder``'s modules are int8 linear layers."""
    return sum(isinstance(m, TokenInt8Linear) for m in encoder.modules())
