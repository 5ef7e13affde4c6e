"""``precision="int8"``: the encoder's linear layers computed in int8, for CPUs without bf16 arithmetic.

Each layer's weights are quantised once, per output channel, to 7 bits; its input is quantised per
token (each row of the batch its own scale) at run time; the product runs in int8 with int32
accumulation (``torch._int_mm``) and is scaled back to fp32. Attention, layer norms, GELU and the heads
stay in fp32. torch's dynamic int8 (``torch.ao``, one activation scale per batch) was the earlier
implementation: it lost up to 3.3 points on a dev set (``benchmarks/int8_dev.py``).

Calibrated (what ``load_classifier(precision="int8")`` builds): the encoder first reads a few hundred
sentences of ``int8_calibration.txt`` in fp32, and each layer keeps what it saw:

- **outlier channels**: one input channel in :data:`OUTLIER_SHARE`, those with the largest |input|
  (among them the few dimensions of a layer norm's output that run ten times larger than the rest), stays
  in fp32, activations and weights, as a small side product; every other channel gets finer steps;
- **a zero point** where the inputs are nearly one-signed (the GELU output feeding the FFN's output
  projection): each token's range [min, max] is spread over the 8 bits instead of [-max, max];
- **GPTQ** (Frantar et al. 2023) rounds the weights column by column, each rounding error carried into
  the columns not yet rounded as the inputs' second moments say (the outlier columns go last and absorb
  it in fp32);
- each FFN's inner channels are reordered so its output projection's outliers come last (read as a view),
  and sibling layers reading one tensor (query, key, value) quantise it once.

Cost and speed, measured: benchmarks/results/int8.md. ``inference.int8_cache`` keeps the result on disk,
so the calibration runs once per model.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

# Weights are quantised to 7 bits (|q| <= 63) per output channel: on CPUs without AVX512-VNNI, oneDNN's
# int8 product (``torch._int_mm``) adds pairs of u8 x s8 products in 16 bits, which saturate with 8-bit
# weights (measured under ``ONEDNN_MAX_CPU_ISA=AVX2``: errors up to 3e6 with |w| <= 127, none with
# |w| <= 63 and any 8-bit activation). The same 7 bits everywhere keep results the same on every CPU.
WEIGHT_LEVELS = 63
ACTIVATION_LEVELS = 127
# With a zero point a token's range is split into 254 steps, its codes -127..127: a rounding error in
# the float arithmetic can then never reach 128 (no clamp needed before the int8 cast).
ZERO_POINT_STEPS = 254
# A calibrated layer computes one input channel in every OUTLIER_SHARE in fp32 (8 of 384, 32 of 1536):
# each such channel costs a full-precision product, so the share stays small.
OUTLIER_SHARE = 48
# A calibrated layer gets a zero point when its inputs' minimum is above -ONE_SIGNED x their maximum.
ONE_SIGNED = 0.25


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


@dataclass
class LayerStats:
    """What one linear layer's inputs looked like over the calibration sentences."""

    moment: torch.Tensor  # (in, in): sum of x^T x over every token (GPTQ's Hessian, up to a factor)
    absmax: torch.Tensor  # (in,): the largest |x| per input channel
    low: float  # the smallest input value seen
    high: float  # the largest input value seen


def collect_stats(
    encoder: nn.Module, run: Callable[[], object], layers: Sequence[str]
) -> dict[str, LayerStats]:
    """Run ``run()`` (which must pass calibration text through ``encoder``) and return the input
    statistics of each linear layer named in ``layers``."""
    stats: dict[str, LayerStats] = {}

    def observe(name: str, x: torch.Tensor) -> None:
        rows = x.detach().reshape(-1, x.shape[-1]).float()
        seen = stats.get(name)
        absmax = rows.abs().amax(0)
        low, high = float(rows.min()), float(rows.max())
        if seen is None:
            stats[name] = LayerStats(rows.t() @ rows, absmax, low, high)
        else:
            seen.moment.addmm_(rows.t(), rows)
            seen.absmax = seen.absmax.maximum(absmax)
            seen.low, seen.high = min(seen.low, low), max(seen.high, high)

    hooks = [
        encoder.get_submodule(name).register_forward_pre_hook(
            lambda _m, args, name=name: observe(name, args[0])
        )
        for name in layers
    ]
    try:
        with torch.inference_mode():
            run()
    finally:
        for hook in hooks:
            hook.remove()
    missing = [name for name in layers if name not in stats]
    if missing:
        raise RuntimeError(f"the calibration text never reached the layers {missing[:3]}...")
    return stats


def gptq_round(
    weight: torch.Tensor, moment: torch.Tensor, scale: torch.Tensor, exact: torch.Tensor, *, block: int = 128
) -> torch.Tensor:
    """``weight`` (out, in) rounded to multiples of ``scale`` (per row, at most WEIGHT_LEVELS steps) by
    GPTQ: columns in order of decreasing input energy (``moment``'s diagonal), each column's rounding
    error spread over the columns after it through the inverse of ``moment``. The columns ``exact`` go
    last and are left unrounded (fp32), taking up error of the others. Returns the rounded weight."""
    w = weight.detach().double().clone()
    h = moment.double().clone()
    n = w.shape[1]
    dead = torch.diag(h) == 0  # a channel the calibration never lit: its weights cannot matter there
    h[dead, dead] = 1.0
    is_exact = torch.zeros(n, dtype=torch.bool)
    is_exact[exact] = True
    energy = torch.diag(h).masked_fill(is_exact, -1.0)  # exact columns sort last
    order = torch.argsort(energy, descending=True, stable=True)
    w, h = w[:, order], h[order][:, order]
    h.diagonal().add_(0.01 * float(torch.diag(h).mean()))  # dampening, as in the paper
    upper = torch.linalg.cholesky(torch.cholesky_inverse(torch.linalg.cholesky(h)), upper=True)
    rounded_cols = n - int(is_exact.sum())
    step = scale.double()
    for start in range(0, rounded_cols, block):
        end = min(start + block, rounded_cols)
        errors = torch.zeros(w.shape[0], end - start, dtype=w.dtype)
        for i in range(start, end):
            column = w[:, i]
            q = torch.round(column / step).clamp_(-WEIGHT_LEVELS, WEIGHT_LEVELS) * step
            err = (column - q) / upper[i, i]
            w[:, i] = q
            w[:, i + 1 : end] -= err[:, None] * upper[i, i + 1 : end][None, :]
            errors[:, i - start] = err
        w[:, end:] -= errors @ upper[start:end, end:]
    return w[:, torch.argsort(order)].float()


def _version(tensor: torch.Tensor) -> int:
    """The tensor's in-place version counter; -1 for inference-mode tensors, which keep none."""
    return -1 if tensor.is_inference() else tensor._version


class SharedInput:
    """The quantised input of sibling layers that read one tensor (an attention block's query, key and
    value): the first computes it, the others reuse it while the tensor is unchanged (same object, same
    version where tracked), and the last one to use it lets it go. Kept per thread, so threads sharing a
    model never read each other's."""

    def __init__(self, readers: int) -> None:
        self.readers = readers
        self._local = threading.local()

    def lookup(self, tensor: torch.Tensor) -> tuple | None:
        """The value put for ``tensor`` in this thread, or None."""
        state = self._local
        if getattr(state, "tensor", None) is not tensor or state.version != _version(tensor):
            return None
        value = state.value
        state.left -= 1
        if state.left <= 0:
            state.tensor = state.value = None
        return value

    def put(self, tensor: torch.Tensor, value: tuple) -> None:
        state = self._local
        state.tensor, state.version, state.value, state.left = (
            tensor,
            _version(tensor),
            value,
            self.readers - 1,
        )

    def held(self) -> bool:
        """Whether this thread still holds a value (it should not once every reader has read it)."""
        return getattr(self._local, "value", None) is not None


class TokenInt8Linear(nn.Module):
    """A linear layer computed in int8: weights per output channel (7 bits), activations per token
    (8 bits, their scale taken from each row's largest |value| at run time), int32 accumulation.

    Per-token scales are what torch's dynamic int8 lacks (one scale for every token of a batch): a
    token with an outlier no longer flattens every other token of the batch to a few levels.

    With ``stats`` (calibrated): GPTQ rounding, one in :data:`OUTLIER_SHARE` input channels in fp32, and a
    zero point for one-signed inputs (the module docstring says why).
    """

    def __init__(self, linear: nn.Linear, stats: LayerStats | None = None) -> None:
        super().__init__()
        weight = linear.weight.detach().float()
        n_in = linear.in_features
        keep = torch.zeros(0, dtype=torch.long)
        zero_point = False
        if stats is not None:
            zero_point = stats.low > -ONE_SIGNED * stats.high
            keep = torch.sort(torch.argsort(stats.absmax, descending=True)[: n_in // OUTLIER_SHARE]).values
        inner = torch.ones(n_in, dtype=torch.bool)
        inner[keep] = False
        scale = weight_scales(weight[:, inner])
        if stats is not None:
            weight = gptq_round(weight, stats.moment, scale, keep)
        q = torch.round(weight / scale[:, None]).clamp_(-WEIGHT_LEVELS, WEIGHT_LEVELS).to(torch.int8)
        q[:, keep] = 0  # outlier channels: their fp32 weights are in side_weight
        if len(keep) and torch.equal(keep, torch.arange(n_in - len(keep), n_in)):
            q = q[:, : n_in - len(keep)]  # outliers last (see reorder_ffn): the int8 product skips them
        bias = linear.bias.detach().float() if linear.bias is not None else torch.zeros(len(scale))
        self.register_buffer("qweight", q.t().contiguous())  # (in, out), as torch._int_mm reads it
        self.register_buffer("weight_scale", scale)
        self.register_buffer("bias", bias)
        self.register_buffer("keep", keep)
        self.register_buffer("zero_point_flag", torch.tensor(zero_point))
        # One fp32 side product per call: [offset | x[:, keep]] @ side_weight, where a zero point's
        # per-token offset multiplies each output's rounded weights' sum (x = step * code + offset).
        side = [q.float().sum(1, keepdim=True).t() * scale] if zero_point else []
        self.register_buffer("side_weight", torch.cat([*side, weight[:, keep].t()]).contiguous())
        self._layout()

    def _layout(self) -> None:
        self.shared: SharedInput | None = None
        self.out_features = self.qweight.shape[1]
        self.tail = len(self.keep) > 0 and self.qweight.shape[0] == int(self.keep[0])
        self.in_features = self.qweight.shape[0] + (len(self.keep) if self.tail else 0)

    @property
    def zero_point(self) -> bool:
        return bool(self.zero_point_flag)

    def forward(self, x):
        shape = x.shape
        rows = x.reshape(-1, self.in_features).float()
        shared = self.shared  # query, key and value read one tensor: quantised once
        value = shared.lookup(x) if shared is not None else None
        if value is None:
            value = self._quantize_input(rows)
            if shared is not None:
                shared.put(x, value)
        q, step, side = value
        acc = torch._int_mm(q, self.qweight).to(torch.float32)
        out = torch.addcmul(self.bias, acc.mul_(step), self.weight_scale)  # bias + acc * step * weight scale
        if side is not None:
            out.addmm_(side, self.side_weight)
        return out.reshape(*shape[:-1], self.out_features).to(x.dtype)

    def _quantize_input(self, rows: torch.Tensor):
        """``rows``' int8 codes, each row's step, and the fp32 side product's input (None: no side product)."""
        outliers = self.keep.numel() > 0
        side_inputs = []
        if self.zero_point:
            if self.tail:  # outlier channels last: the rest is a view, nothing to copy
                inner = rows[:, : self.qweight.shape[0]]
            else:
                inner = rows.index_fill(1, self.keep, 0.0) if outliers else rows
            low, high = inner.amin(1, keepdim=True), inner.amax(1, keepdim=True)  # (aminmax is slower)
            step = (high - low).clamp_(min=1e-12).div_(ZERO_POINT_STEPS)
            # code = (x - low) / step - 127, in -127..127; x = step * code + (low + 127 step)
            q = torch.addcdiv(low.div(step).add_(ZERO_POINT_STEPS // 2).neg_(), inner, step)
            q = q.round_().to(torch.int8)
            side_inputs.append(step.mul(ZERO_POINT_STEPS // 2).add_(low))
        else:
            inner = rows[:, : self.qweight.shape[0]] if self.tail else rows
            magnitude = inner.abs()
            if outliers and not self.tail:
                magnitude.index_fill_(1, self.keep, 0.0)
            step = magnitude.amax(1, keepdim=True).clamp_(min=1e-12).div_(ACTIVATION_LEVELS)
            q = inner.div(step)
            if outliers and not self.tail:
                q.index_fill_(1, self.keep, 0.0)
            q = q.round_().to(torch.int8)
        if outliers:
            side_inputs.append(
                rows[:, self.qweight.shape[0] :] if self.tail else rows.index_select(1, self.keep)
            )
        if not side_inputs:
            return q, step, None
        return q, step, side_inputs[0] if len(side_inputs) == 1 else torch.cat(side_inputs, 1)

    def reads_like(self, other: TokenInt8Linear) -> bool:
        """Whether ``other`` quantises its input exactly as this layer does (so one can reuse the other's)."""
        return (
            self.in_features == other.in_features
            and self.qweight.shape[0] == other.qweight.shape[0]
            and self.zero_point == other.zero_point
            and torch.equal(self.keep, other.keep)
        )

    def extra_repr(self) -> str:
        extra = f", {self.keep.numel()} channels fp32" if self.keep.numel() else ""
        extra += ", zero point" if self.zero_point else ""
        return f"in_features={self.in_features}, out_features={self.out_features}, int8 per token{extra}"

    @classmethod
    def from_buffers(cls, buffers: dict[str, torch.Tensor]) -> TokenInt8Linear:
        """A layer from the buffers of one saved with :func:`quantized_state` (no weights to round)."""
        layer = cls.__new__(cls)
        nn.Module.__init__(layer)
        for name in BUFFERS:
            layer.register_buffer(name, buffers[name])
        layer._layout()
        return layer


BUFFERS = ("qweight", "weight_scale", "bias", "keep", "zero_point_flag", "side_weight")


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


def _replace(encoder: nn.Module, name: str, module: nn.Module) -> None:
    parent, _, child = name.rpartition(".")
    setattr(encoder.get_submodule(parent) if parent else encoder, child, module)


def quantize_encoder(
    encoder: nn.Module,
    keep_fp32: Sequence[str] = (),
    calibrate: Callable[[], object] | None = None,
) -> nn.Module:
    """``encoder`` with every ``nn.Linear`` not matched by ``keep_fp32`` replaced, in place, by a
    :class:`TokenInt8Linear`. ``calibrate``: a function that passes calibration text through the
    (still fp32) encoder; with it the layers are calibrated (GPTQ, outlier channels, zero points),
    without it rounded data-free."""
    targets = linear_layers(encoder, keep_fp32)
    if not targets:
        raise ValueError(f"keep_fp32={list(keep_fp32)} leaves no linear layer of the encoder to quantize")
    _check_int8_product()
    stats = collect_stats(encoder, calibrate, targets) if calibrate is not None else {}
    reorder_ffn(encoder, stats)
    for name in targets:
        _replace(encoder, name, TokenInt8Linear(encoder.get_submodule(name), stats.pop(name, None)))
    share_inputs(encoder)
    return encoder


FFN_PAIR = re.compile(r"^(.*)\.intermediate\.dense$")  # BERT / XLM-R naming: <layer>.output.dense reads it


def reorder_ffn(encoder: nn.Module, stats: dict[str, LayerStats]) -> int:
    """Move each feed-forward block's outlier channels (of its output projection's input) to the end.

    The FFN's inner channels can be put in any order: permuting the rows of the input projection (and
    its bias) and the columns of the output projection the same way changes nothing computed (GELU is
    elementwise). With the outliers last, the output projection reads its int8 part as a view instead of
    copying its input with the outliers zeroed. Acts on fp32 ``nn.Linear`` pairs with statistics, and
    permutes the output projection's statistics to match. Returns how many blocks were reordered."""
    done = 0
    for name, module in list(encoder.named_modules()):
        match = FFN_PAIR.match(name)
        output_name = f"{match.group(1)}.output.dense" if match else None
        if output_name is None or output_name not in stats or type(module) is not nn.Linear:
            continue
        output = encoder.get_submodule(output_name)
        seen = stats[output_name]
        k = output.in_features // OUTLIER_SHARE
        if type(output) is not nn.Linear or k == 0 or module.out_features != output.in_features:
            continue
        keep = torch.argsort(seen.absmax, descending=True)[:k]
        rest = torch.ones(output.in_features, dtype=torch.bool)
        rest[keep] = False
        order = torch.cat([torch.nonzero(rest).flatten(), torch.sort(keep).values])
        with torch.no_grad():  # new tensors: the loaded ones may be read-only memory maps
            module.weight = nn.Parameter(module.weight[order].contiguous(), requires_grad=False)
            if module.bias is not None:
                module.bias = nn.Parameter(module.bias[order].contiguous(), requires_grad=False)
            output.weight = nn.Parameter(output.weight[:, order].contiguous(), requires_grad=False)
        seen.moment = seen.moment[order][:, order]
        seen.absmax = seen.absmax[order]
        done += 1
    return done


def share_inputs(encoder: nn.Module) -> int:
    """Let sibling int8 layers (the children of one module, such as an attention block's query, key and
    value) that quantise their input alike share it (:class:`SharedInput`). Returns the groups made."""
    groups = 0
    for parent in encoder.modules():
        layers = [m for m in parent.children() if isinstance(m, TokenInt8Linear)]
        while layers:
            first, layers = layers[0], layers[1:]
            alike = [first] + [m for m in layers if first.reads_like(m)]
            layers = [m for m in layers if m not in alike]
            shared = SharedInput(len(alike)) if len(alike) > 1 else None
            for layer in alike:
                layer.shared = shared
            groups += shared is not None
    return groups


def quantized_state(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """The buffers of every int8 layer of ``encoder``, keyed ``<layer>.<buffer>`` (for a safetensors file)."""
    return {
        f"{name}.{buffer}": getattr(module, buffer).contiguous()
        for name, module in encoder.named_modules()
        if isinstance(module, TokenInt8Linear)
        for buffer in BUFFERS
    }


def load_quantized(encoder: nn.Module, tensors: dict[str, torch.Tensor]) -> bool:
    """Replace ``encoder``'s linear layers by the int8 layers saved in ``tensors``; False (``encoder``
    untouched) when they do not fit it: other layers, or other shapes."""
    layers: dict[str, dict[str, torch.Tensor]] = {}
    for key, tensor in tensors.items():
        name, _, buffer = key.rpartition(".")
        layers.setdefault(name, {})[buffer] = tensor
    linears = dict.fromkeys(linear_layers(encoder))
    if not layers or set(layers) - set(linears) or any(set(b) != set(BUFFERS) for b in layers.values()):
        return False
    built = {name: TokenInt8Linear.from_buffers(buffers) for name, buffers in layers.items()}
    for name, layer in built.items():
        linear = encoder.get_submodule(name)
        if (layer.in_features, layer.out_features) != (linear.in_features, linear.out_features):
            return False
    _check_int8_product()
    for name, layer in built.items():
        _replace(encoder, name, layer)
    share_inputs(encoder)
    return True


def quantized_layers(encoder: nn.Module) -> int:
    """How many of ``encoder``'s modules are int8 linear layers."""
    return sum(isinstance(m, TokenInt8Linear) for m in encoder.modules())
