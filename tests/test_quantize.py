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


def _stats_for(linear: nn.Linear, x: torch.Tensor):
    from inference.quantize import collect_stats

    holder = nn.Sequential(linear)
    return collect_stats(holder, lambda: holder(x), ["0"])["0"]


def _emulated_calibrated(layer: TokenInt8Linear, x: torch.Tensor) -> torch.Tensor:
    """A calibrated layer's quantisation in fp32 arithmetic: outlier channels exact, the rest rounded per
    token (with a zero point where the layer has one), times the rounded weights."""
    from inference.quantize import ZERO_POINT_STEPS

    rows = x.reshape(-1, layer.in_features)
    mask = torch.zeros(layer.in_features, dtype=torch.bool)
    mask[layer.keep] = True
    inner = rows.masked_fill(mask, 0.0)
    if layer.zero_point:
        low, high = inner.amin(1, keepdim=True), inner.amax(1, keepdim=True)
        step = (high - low) / ZERO_POINT_STEPS
        approx = torch.round((inner - low) / step) * step + low
    else:
        step = inner.abs().amax(1, keepdim=True) / ACTIVATION_LEVELS
        approx = torch.round(inner / step) * step
    weight = layer.qweight.t().float() * layer.weight_scale[:, None]
    weight[:, layer.keep] = layer.side_weight[int(layer.zero_point) :].t()
    return torch.where(mask, rows, approx) @ weight.t() + layer.bias


@pytest.mark.parametrize("one_signed", [False, True])
def test_calibrated_int8_linear_is_its_quantisation_and_beats_the_data_free_one(one_signed: bool) -> None:
    torch.manual_seed(2)
    linear = nn.Linear(96, 40)
    channel_size = torch.ones(96)
    channel_size[[3, 50]] = 25.0  # two outlier channels, as a layer norm's output has
    x = torch.randn(400, 96) * channel_size
    if one_signed:  # a GELU output: barely negative
        x = torch.nn.functional.gelu(x)
    stats = _stats_for(linear, x[:300])
    layer = TokenInt8Linear(linear, stats)
    assert layer.zero_point is one_signed
    assert layer.keep.tolist() == [3, 50]  # one channel in 48 of 96: the two outliers
    assert int(layer.qweight[layer.keep].abs().max()) == 0  # outlier channels only in the fp32 side product
    test = x[300:]
    with torch.no_grad():
        got, want, plain = layer(test), linear(test), TokenInt8Linear(linear)(test)
    assert torch.allclose(got, _emulated_calibrated(layer, test), rtol=1e-4, atol=1e-4)
    error = (got - want).norm() / want.norm()
    assert float(error) < 0.5 * float((plain - want).norm() / want.norm())


def test_gptq_rounding_lowers_the_output_error_and_leaves_exact_columns_in_fp32() -> None:
    from inference.quantize import gptq_round

    torch.manual_seed(3)
    mixing = torch.randn(64, 64) * 0.3 + torch.eye(64)
    x = torch.randn(2000, 64) @ mixing  # correlated inputs: what GPTQ exploits
    weight = torch.randn(32, 64)
    moment = x.t() @ x
    scale = weight_scales(weight)
    exact = torch.tensor([5, 9])
    rounded = gptq_round(weight, moment, scale, exact)
    plain = torch.round(weight / scale[:, None]).clamp(-WEIGHT_LEVELS, WEIGHT_LEVELS) * scale[:, None]
    inner = torch.ones(64, dtype=torch.bool)
    inner[exact] = False
    steps = rounded[:, inner] / scale[:, None]
    assert torch.allclose(steps, steps.round(), atol=1e-4) and int(steps.round().abs().max()) <= WEIGHT_LEVELS
    assert float(((x @ (rounded - weight).t()) ** 2).mean()) < 0.7 * float(
        ((x @ (plain - weight).t()) ** 2).mean()
    )


def test_int8_is_calibrated_once_then_read_from_the_cache(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    monkeypatch.setenv("DIPLOSTANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("DIPLOSTANCE_INT8_CACHE", "1")
    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    with caplog.at_level(logging.INFO, logger="inference.int8_cache"):
        first = inference.load_classifier(out, precision="int8")
        files = list((tmp_path / "cache" / "int8").glob("*.safetensors"))
        second = inference.load_classifier(out, precision="int8")
    calls = [r for r in caplog.records if "calibrating" in r.getMessage()]
    assert len(files) == 1 and len(calls) == 1
    assert any(m.keep.numel() for m in second.model.encoder.modules() if isinstance(m, TokenInt8Linear))
    a, b = first.classify_many(TEXTS), second.classify_many(TEXTS)
    assert [[r.scores for r in rs] for rs in a] == [[r.scores for r in rs] for rs in b]
    files[0].write_bytes(b"not a safetensors file")  # a damaged cache: calibrate again, say so
    with caplog.at_level(logging.WARNING, logger="inference.int8_cache"):
        third = inference.load_classifier(out, precision="int8")
    assert "ignoring int8 cache" in caplog.text
    assert [[r.scores for r in rs] for rs in third.classify_many(TEXTS)] == [
        [r.scores for r in rs] for rs in a
    ]


def test_a_cache_of_another_encoder_is_refused(tiny_encoder: Path) -> None:
    from inference.quantize import load_quantized, quantized_state

    model, _ = tiny_stance_model(tiny_encoder)
    quantize_encoder(model.encoder)
    state = quantized_state(model.encoder)
    fresh, _ = tiny_stance_model(tiny_encoder)
    name = next(iter(state)).rpartition(".")[0]
    bad = dict(state)
    bad[f"{name}.qweight"] = torch.zeros(3, 3, dtype=torch.int8)
    assert not load_quantized(fresh.encoder, bad) and quantized_layers(fresh.encoder) == 0
    assert not load_quantized(fresh.encoder, {"nowhere.qweight": torch.zeros(1)})
    assert load_quantized(fresh.encoder, state) and quantized_layers(fresh.encoder) == quantized_layers(
        model.encoder
    )


def test_the_calibration_text_is_what_its_builder_writes() -> None:
    from inference.int8_cache import calibration_texts
    from training.int8_calibration import calibration_sentences

    texts = calibration_texts()
    assert texts == calibration_sentences(len(texts)) and len(texts) == 512


def test_reordering_the_ffn_changes_nothing_in_fp32_and_puts_its_outliers_last(tiny_encoder: Path) -> None:
    from inference.quantize import collect_stats, linear_layers, reorder_ffn

    model, tok = tiny_stance_model(tiny_encoder)
    encoder = model.encoder.eval()
    batch = tok(TEXTS, return_tensors="pt", padding=True)
    with torch.no_grad():
        before = encoder(**batch).last_hidden_state
    stats = collect_stats(encoder, lambda: encoder(**batch), linear_layers(encoder))
    assert reorder_ffn(encoder, stats) == 2  # one feed-forward block per layer
    with torch.no_grad():
        after = encoder(**batch).last_hidden_state
    assert torch.allclose(before, after, atol=1e-5)
    for name, seen in stats.items():
        if name.endswith("output.dense") and "attention" not in name:
            k = len(seen.absmax) // 48
            assert set(torch.argsort(seen.absmax, descending=True)[:k].tolist()) == set(
                range(len(seen.absmax) - k, len(seen.absmax))
            )


def test_query_key_and_value_quantise_their_input_once_and_read_the_same(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    model = inference.load_classifier(
        model.save_pretrained(tmp_path / "m", tokenizer=tok), precision="int8"
    ).model
    attention = [m for name, m in model.encoder.named_modules() if name.endswith("attention.self")]
    assert attention
    for block in attention:
        shared = {id(block.query.shared), id(block.key.shared), id(block.value.shared)}
        assert len(shared) == 1 and block.query.shared is not None
    batch = tok(TEXTS, return_tensors="pt", padding=True)
    with torch.inference_mode():
        together = model.encoder(**batch).last_hidden_state
        assert not any(block.query.shared.held() for block in attention)  # nothing held after use
        for module in model.encoder.modules():
            if isinstance(module, TokenInt8Linear):
                module.shared = None
        alone = model.encoder(**batch).last_hidden_state
    assert torch.equal(together, alone)


def test_threads_sharing_an_int8_model_read_their_own_inputs(tiny_encoder: Path, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    model, tok = tiny_stance_model(tiny_encoder)
    classifier = inference.load_classifier(
        model.save_pretrained(tmp_path / "m", tokenizer=tok), precision="int8"
    )
    texts = [[t] for t in TEXTS * 4]
    alone = [classifier.classify_many(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(classifier.classify_many, texts))
    assert [[[r.scores for r in rs] for rs in a] for a in together] == [
        [[r.scores for r in rs] for rs in a] for a in alone
    ]
