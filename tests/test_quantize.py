"""precision="int8": dynamic int8 encoder layers, some left in fp32 (tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_helpers import tiny_stance_model
from torch import nn

import inference
from inference.quantize import quantize_encoder, quantized_layers

TEXTS = ["Russia imposed sanctions on Ukraine and France condemned it.", "Deutschland und Frankreich."]


def test_int8_quantizes_all_but_the_kept_layers_and_reads_like_fp32(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    fp32 = inference.load_classifier(out, precision="fp32")
    int8 = inference.load_classifier(out, precision="int8")
    assert int8.precision == "int8"
    kept = [m for name, m in int8.model.encoder.named_modules() if name.endswith("output.dense")]
    assert kept and all(type(m) is nn.Linear for m in kept)  # left in fp32
    assert quantized_layers(int8.model.encoder) > 0
    a, b = fp32.classify_many(TEXTS), int8.classify_many(TEXTS)
    assert [[(r.sentence_index, r.country) for r in rs] for rs in a] == [
        [(r.sentence_index, r.country) for r in rs] for rs in b
    ]
    for ra, rb in zip(sum(a, []), sum(b, []), strict=True):
        assert sum(rb.scores["detail"].values()) == pytest.approx(1.0, abs=1e-4)
        assert list(rb.scores["detail"].values()) == pytest.approx(
            list(ra.scores["detail"].values()), abs=0.1
        )


def test_keeping_every_layer_is_refused(tiny_encoder: Path) -> None:
    model, _ = tiny_stance_model(tiny_encoder)
    with pytest.raises(ValueError, match="leaves no linear layer"):
        quantize_encoder(model.encoder, keep_fp32=(r".",))
