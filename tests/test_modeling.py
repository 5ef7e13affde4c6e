"""The stance model's directory format and the classifier's target/sentence readings (tiny model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tests_helpers import tiny_stance_model

from inference.classifier import StanceClassifier, decode_detail, load_classifier
from inference.encoding import EncodedItem, encode, mark_spans, target_token_mask
from inference.labels import DETAIL_LABELS, STANCE_LABELS
from inference.modeling import StanceModel

SENTENCE = "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine."


def _fresh_model(
    encoder_dir: Path, target_pooling: str = "mean", target_encoding: str = "shared"
) -> tuple[StanceModel, object]:
    model, tok = tiny_stance_model(
        encoder_dir, target_pooling=target_pooling, target_encoding=target_encoding
    )
    if model.target_attention is not None:  # the distance bias starts at zero; make it matter
        torch.nn.init.normal_(model.target_attention.distance_bias.weight, std=1.0)
    return model, tok


def test_target_token_mask_covers_overlapping_tokens() -> None:
    offsets = [(0, 0), (0, 7), (7, 8), (8, 14), (0, 0)]
    assert target_token_mask(offsets, [(0, 7)], shift=0) == [0, 1, 0, 0, 0]
    assert target_token_mask(offsets, [(1, 3), (9, 10)], shift=0) == [0, 1, 0, 1, 0]
    assert target_token_mask(offsets, [(0, 4)], shift=7) == [0, 0, 1, 1, 0]


def test_encode_shapes_and_truncation_fallback(tiny_encoder: Path) -> None:
    _, tok = _fresh_model(tiny_encoder)
    items = [EncodedItem(SENTENCE, [[(0, 7)], [(19, 25)]]), EncodedItem("Russia.", [])]
    batch = encode(tok, items, max_length=5, prefix="query: ")
    assert batch["input_ids"].shape[0] == 2
    assert batch["target_index"].tolist() == [0, 0] and "sentence_index" not in batch  # rows are sentences
    assert batch["target_truncated"].tolist() == [False, True]  # "Israel" is past 5 tokens
    assert batch["target_mask"].shape == (2, batch["input_ids"].shape[1])


def test_mark_spans_wraps_every_mention_and_moves_the_spans() -> None:
    text = "Russia said Russia and Iran met."
    marked, spans = mark_spans(text, [(12, 18), (0, 6)], ("[ ", " ]"))
    assert marked == "[ Russia ] said [ Russia ] and Iran met."
    assert [marked[s:e] for s, e in spans] == ["Russia", "Russia"]
    merged, spans = mark_spans(text, [(0, 3), (2, 6)], ("<", ">"))  # overlapping: one pair of markers
    assert merged == "<Russia> said Russia and Iran met." and spans == [(1, 7)]


def test_marked_encoding_gives_each_target_its_own_row(tiny_encoder: Path) -> None:
    _, tok = _fresh_model(tiny_encoder)
    items = [EncodedItem(SENTENCE, [[(0, 7)], [(19, 25)]]), EncodedItem("Russia.", [])]
    batch = encode(tok, items, max_length=64, prefix="query: ", markers=("[ ", " ]"))
    assert batch["input_ids"].shape[0] == 3  # two marked rows for the first sentence, one plain row
    assert batch["target_index"].tolist() == [0, 1] and batch["sentence_index"].tolist() == [0, 2]
    plain = encode(tok, items, max_length=64, prefix="query: ")
    sentence_tokens = int(plain["attention_mask"][0].sum())
    assert all(int(batch["attention_mask"][r].sum()) > sentence_tokens for r in (0, 1))  # the markers
    for row, mention in ((0, "Germany"), (1, "Israel")):  # the mask covers the mention, not its markers
        masked = batch["input_ids"][row][batch["target_mask"][row] > 0]
        assert tok.decode(masked).strip() == mention


def test_decode_is_hierarchical_and_consistent() -> None:
    probs = torch.tensor([[0.40, 0.35, 0.25, 0.0, 0.0], [0.1, 0.0, 0.0, 0.5, 0.4]])
    a, b = decode_detail(probs)
    assert (a.stance, a.detail) == (
        "cooperative",
        "verbal_cooperation",
    )  # 0.60 cooperative beats 0.40 neutral
    assert (b.stance, b.detail) == ("conflictual", "verbal_conflict")
    assert set(a.scores["stance"]) == set(STANCE_LABELS) and set(a.scores["detail"]) == set(DETAIL_LABELS)


@pytest.mark.parametrize(
    ("encoder_format", "target_pooling", "target_encoding"),
    [
        ("lora", "mean", "shared"),
        ("full", "mean", "shared"),
        ("lora", "attention", "shared"),
        ("lora", "attention", "marked"),
    ],
)
def test_save_reload_gives_the_same_predictions(
    tiny_encoder: Path, tmp_path: Path, encoder_format: str, target_pooling: str, target_encoding: str
) -> None:
    model, tok = _fresh_model(tiny_encoder, target_pooling, target_encoding)
    clf = StanceClassifier(model, tok, name="mem")
    items = [(SENTENCE, 0, 7), (SENTENCE, 19, 25), (SENTENCE, 81, 90)]
    before = clf.classify_targets(items)
    sentences_before = clf.classify_sentences([SENTENCE, "Russia imposed sanctions on Ukraine."])
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok, encoder_format=encoder_format)
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "diplostance-stance" and config["heads"]["detail"] == list(DETAIL_LABELS)
    assert not list(out.rglob("*.bin")) and not list(out.rglob("*.pt")), "safetensors only"
    loaded = load_classifier(out, precision="fp32")
    after = loaded.classify_targets(items)
    for x, y in zip(before, after, strict=True):
        for name in ("detail", "sentiment"):
            for label, p in x.scores[name].items():
                assert y.scores[name][label] == pytest.approx(p, abs=1e-4)
    sentences_after = loaded.classify_sentences([SENTENCE, "Russia imposed sanctions on Ukraine."])
    for x, y in zip(sentences_before, sentences_after, strict=True):
        assert x.detail == y.detail
        assert list(x.scores["detail"].values()) == pytest.approx(list(y.scores["detail"].values()), abs=1e-4)


def test_lora_directory_is_small(tiny_encoder: Path, tmp_path: Path) -> None:
    model, _ = _fresh_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "m")
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert not (out / "encoder").exists()
    adapter_cfg = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert adapter_cfg["base_model_name_or_path"] == str(tiny_encoder)


ENCODINGS = [("mean", "shared"), ("attention", "shared"), ("mean", "marked")]


@pytest.mark.parametrize(("target_pooling", "target_encoding"), ENCODINGS)
def test_target_position_drives_the_prediction(
    tiny_encoder: Path, target_pooling: str, target_encoding: str
) -> None:
    model, tok = _fresh_model(tiny_encoder, target_pooling, target_encoding)
    clf = StanceClassifier(model, tok, name="mem")
    res = clf.classify_targets([(SENTENCE, 0, 7), (SENTENCE, 19, 25), (SENTENCE, 81, 90)])
    vectors = [tuple(r.scores["detail"].values()) for r in res]
    assert len(set(vectors)) == 3


@pytest.mark.parametrize(("target_pooling", "target_encoding"), ENCODINGS)
def test_batch_equals_one_at_a_time(tiny_encoder: Path, target_pooling: str, target_encoding: str) -> None:
    model, tok = _fresh_model(tiny_encoder, target_pooling, target_encoding)
    clf = StanceClassifier(model, tok, name="mem", batch_size=4)
    items = [(SENTENCE, 0, 7), ("Russia imposed sanctions on Ukraine.", 0, 6), (SENTENCE, 81, 90)]
    together = clf.classify_targets(items)
    alone = [clf.classify_targets([item])[0] for item in items]
    for a, b in zip(together, alone, strict=True):
        assert a.detail == b.detail and a.sentiment == b.sentiment
        assert list(a.scores["detail"].values()) == pytest.approx(list(b.scores["detail"].values()), abs=1e-5)


def test_bad_inputs_name_the_problem(tiny_encoder: Path, tmp_path: Path) -> None:
    model, tok = _fresh_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="mem")
    with pytest.raises(TypeError, match=r"items\[0\]\[0\] must be a str, got int"):
        clf.classify_targets([(5, 0, 1)])
    with pytest.raises(ValueError, match=r"span \(3, 99\)"):
        clf.classify_targets([("short", 3, 99)])
    with pytest.raises(TypeError, match="sentences\\[1\\] must be a str, got NoneType"):
        clf.classify_sentences(["ok", None])
    assert clf.classify_sentences([]) == [] and clf.classify_targets([]) == []
    with pytest.raises(FileNotFoundError, match="config.json is missing"):
        load_classifier(tmp_path)
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ValueError, match="model_type is 'bert'"):
        load_classifier(tmp_path)


def test_target_attention_reads_the_mention_neighbourhood() -> None:
    from inference.modeling import TargetAttention

    torch.manual_seed(0)
    attention = TargetAttention(8, heads=2)
    with torch.no_grad():  # no content signal, only the distance bias: inside the mention wins
        attention.query.weight.zero_()
        attention.query.bias.zero_()
        attention.distance_bias.weight.copy_(torch.tensor([[9.0, 9.0]] + [[0.0, 0.0]] * 8))
    states = torch.randn(1, 6, 8)
    tmask = torch.tensor([[0, 0, 1, 1, 0, 0]])
    pooled = attention(states[:, 2:4].mean(1), states, tmask, torch.ones(1, 6, dtype=torch.long))
    assert torch.allclose(pooled, states[0, 2:4].mean(0, keepdim=True), atol=1e-3)
    padded = attention(states[:, 2:4].mean(1), states, tmask, torch.tensor([[1, 1, 0, 0, 1, 1]]))
    assert torch.isfinite(padded).all()


def test_unknown_target_pooling_is_named() -> None:
    from inference.modeling import ModelSettings

    with pytest.raises(ValueError, match="target_pooling='max'"):
        ModelSettings(target_pooling="max")
    with pytest.raises(ValueError, match=r"target_encoding='mark'; expected one of \['shared', 'marked'\]"):
        ModelSettings(target_encoding="mark")
