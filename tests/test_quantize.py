"""precision="int8": the encoder's linear layers in int8, per-token activations (tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tests_helpers import tiny_stance_model
from torch import nn

import inference
from inference.quantize import (
    ACTIVATION_LEVELS,
    WEIGHT_LEVELS,
    TokenInt8Linear,
    quantize_encoder,
    quantized_layers,
    weight_scales,
)

TEXTS = ["Russia imposed sanctions on Ukraine and France condemned it.", "Deutschland und Frankreich."]


def _emulated(layer: TokenInt8Linear, x: torch.Tensor) -> torch.Tensor:
    """The same quantisation in fp32 arithmetic: what the int8 product must equal."""
    rows = x.reshape(-1, layer.in_features)
    step = rows.abs().amax(1, keepdim=True) / ACTIVATION_LEVELS
    weight = layer.qweight.t().float() * layer.weight_scale[:, None]
    return (torch.round(rows / step) * step @ weight.t() + layer.bias).reshape(*x.shape[:-1], -1)


def test_int8_linear_is_its_quantisation_computed_exactly_and_close_to_fp32() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(64, 48)
    layer = TokenInt8Linear(linear)
    assert layer.qweight.dtype == torch.int8 and int(layer.qweight.abs().max()) <= WEIGHT_LEVELS
    x = torch.randn(3, 7, 64) * torch.linspace(0.1, 20, 7)[None, :, None]  # rows of very different size
    x[0, 0, 5] = 300.0  # an outlier in one token leaves the other tokens' steps alone
    with torch.no_grad():
        got, want = layer(x), linear(x)
    assert got.shape == want.shape == (3, 7, 48) and got.dtype == torch.float32
    assert torch.allclose(got, _emulated(layer, x), rtol=1e-4, atol=1e-4)
    error = (got - want).norm(dim=-1) / want.norm(dim=-1)
    assert float(error.max()) < 0.05


def test_int8_linear_without_bias_and_on_no_rows() -> None:
    layer = TokenInt8Linear(nn.Linear(16, 8, bias=False))
    assert torch.equal(layer.bias, torch.zeros(8))
    assert layer(torch.zeros(0, 16)).shape == (0, 8)
    assert torch.equal(
        layer(torch.zeros(2, 16)), torch.zeros(2, 8)
    )  # an all-zero row has no step to divide by


def test_weight_scales_clip_only_where_it_rounds_better() -> None:
    torch.manual_seed(1)
    weight = torch.distributions.Laplace(0.0, 1.0).sample((32, 1536))  # heavy tails, as trained weights

    def error(steps: torch.Tensor) -> torch.Tensor:
        q = torch.round(weight / steps[:, None]).clamp(-WEIGHT_LEVELS, WEIGHT_LEVELS)
        return (q * steps[:, None] - weight).square().sum(1)

    plain = weight.abs().amax(1) / WEIGHT_LEVELS
    best = weight_scales(weight)
    assert torch.all(error(best) <= error(plain))
    assert bool((best < plain).any()) and bool((best == plain).any())  # clipped where it pays
    assert torch.equal(weight_scales(weight, ratios=(1.0,)), plain)


def test_int8_quantizes_every_linear_layer_and_reads_like_fp32(tiny_encoder: Path, tmp_path: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    fp32 = inference.load_classifier(out, precision="fp32")
    int8 = inference.load_classifier(out, precision="int8")
    assert int8.precision == "int8"
    linears = sum(isinstance(m, nn.Linear) for m in fp32.model.encoder.modules())
    assert quantized_layers(int8.model.encoder) == linears > 0
    assert not any(isinstance(m, nn.Linear) for m in int8.model.encoder.modules())
    a, b = fp32.classify_many(TEXTS), int8.classify_many(TEXTS)
    assert [[(r.sentence_index, r.country) for r in rs] for rs in a] == [
        [(r.sentence_index, r.country) for r in rs] for rs in b
    ]
    for ra, rb in zip(sum(a, []), sum(b, []), strict=True):
        assert sum(rb.scores["detail"].values()) == pytest.approx(1.0, abs=1e-4)
        assert list(rb.scores["detail"].values()) == pytest.approx(
            list(ra.scores["detail"].values()), abs=0.1
        )


def test_layers_can_be_kept_in_fp32_but_not_all(tiny_encoder: Path) -> None:
    model, _ = tiny_stance_model(tiny_encoder)
    quantize_encoder(model.encoder, keep_fp32=(r"(^|\.)output\.dense$",))
    kept = [m for name, m in model.encoder.named_modules() if name.endswith("output.dense")]
    assert kept and all(type(m) is nn.Linear for m in kept)
    assert quantized_layers(model.encoder) > 0
    fresh, _ = tiny_stance_model(tiny_encoder)
    with pytest.raises(ValueError, match="leaves no linear layer"):
        quantize_encoder(fresh.encoder, keep_fp32=(r".",))


def test_a_torch_without_the_int8_product_fails_at_load_with_the_fix(
    tiny_encoder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, _ = tiny_stance_model(tiny_encoder)

    def missing(*_args):
        raise RuntimeError("_int_mm is not implemented for this backend")

    monkeypatch.setattr(torch, "_int_mm", missing)
    with pytest.raises(RuntimeError, match=r"needs torch._int_mm.*use precision='fp32'"):
        quantize_encoder(model.encoder)
    assert quantized_layers(model.encoder) == 0  # nothing half-converted
