"""The head registry: model, collation, loss and card read it; old model directories still load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from tests_helpers import tiny_stance_model

from inference.classifier import StanceClassifier, load_classifier
from inference.heads import HEADS, LEGACY_HEADS, PAIR_LABELS, check_heads
from inference.modeling import ModelSettings
from training.batching import IGNORE, class_weights, collate
from training.examples import Example, Pair, Target

SENTENCE = "Russia imposed sanctions on Ukraine and France condemned it."
ALL = tuple(HEADS)


def _examples() -> list[Example]:
    targets = [Target([(0, 6)], "RUS", "material_conflict"), Target([(28, 35)], "UKR", "material_conflict")]
    return [
        Example("a", "cameo", "en", SENTENCE, sentence_detail="material_conflict"),
        Example(
            "b", "un", "en", SENTENCE, sentence_detail="verbal_conflict", sentence_head="sentence_detail_un"
        ),
        Example(
            "c", "own", "en", SENTENCE, targets, pairs=[Pair(0, 1, "material_conflict"), Pair(1, 0, "none")]
        ),
    ]


def test_model_builds_the_heads_its_settings_name(tiny_encoder: Path) -> None:
    model, _ = tiny_stance_model(tiny_encoder, heads=ALL)
    assert list(model.heads) == list(HEADS)
    assert model.sentence_heads == ["sentence_detail", "sentence_detail_un"] and model.pair_heads == ["pair"]
    legacy, _ = tiny_stance_model(tiny_encoder)
    assert list(legacy.heads) == list(LEGACY_HEADS)
    with pytest.raises(ValueError, match=r"unknown head 'stance_pair'; known heads: detail, sentiment"):
        ModelSettings(heads=[*LEGACY_HEADS, "stance_pair"])
    with pytest.raises(ValueError, match=r"lack the required head\(s\) \['sentiment'\]"):
        check_heads(["detail", "sentence_detail"])


@pytest.mark.parametrize("target_encoding", ["shared", "marked"])
def test_collation_and_outputs_follow_the_registry(tiny_encoder: Path, target_encoding: str) -> None:
    model, tok = tiny_stance_model(tiny_encoder, heads=ALL, target_encoding=target_encoding)
    batch = collate(tok, _examples(), max_length=64, prefix="query: ", markers=model.settings.markers)
    assert {k[len("labels_") :] for k in batch if k.startswith("labels_")} == set(HEADS)
    # a sentence label trains the head its source chose, and only that one
    assert batch["labels_sentence_detail"].tolist() == [4, IGNORE, IGNORE]
    assert batch["labels_sentence_detail_un"].tolist() == [IGNORE, 3, IGNORE]
    assert batch["labels_pair"].tolist() == [
        PAIR_LABELS.index("material_conflict"),
        PAIR_LABELS.index("none"),
    ]
    assert batch["pair_index"].tolist() == [[0, 1], [1, 0]]
    outputs = model(**batch)
    for name, spec in HEADS.items():
        rows = {"sentence": 3, "target": 2, "pair": 2}[spec.arity]
        assert outputs[name].shape == (rows, len(spec.labels)), name
    weights = class_weights(_examples(), 1.0)
    assert set(weights) == {"detail", "sentence_detail", "sentence_detail_un", "pair"}
    assert weights["pair"] == {"material_conflict": 1.0, "none": 1.0}


def test_old_format_directory_loads_with_the_same_predictions(tiny_encoder: Path, tmp_path: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="mem")
    before = clf.classify_many([SENTENCE])[0]
    sentences = clf.classify_sentences([SENTENCE])
    out = model.save_pretrained(tmp_path / "m", tokenizer=tok)
    config = json.loads((out / "config.json").read_text())
    assert config["format_version"] == 2 and config["diplostance"]["heads"] == list(LEGACY_HEADS)
    # rewrite it as a directory written before the registry (format 1: no heads in the settings)
    del config["diplostance"]["heads"]
    config["format_version"] = 1
    (out / "config.json").write_text(json.dumps(config))
    loaded = load_classifier(out, precision="fp32")
    assert loaded.settings.heads == list(LEGACY_HEADS) and not loaded.has_dyads
    after = loaded.classify_many([SENTENCE])[0]
    assert [(r.country, r.detail, r.sentiment) for r in after] == [
        (r.country, r.detail, r.sentiment) for r in before
    ]
    for x, y in zip(before, after, strict=True):
        assert list(x.scores["detail"].values()) == pytest.approx(list(y.scores["detail"].values()), abs=1e-5)
    again = loaded.classify_sentences([SENTENCE])[0].scores["detail"]
    assert again == pytest.approx(sentences[0].scores["detail"], abs=1e-5)
    with pytest.raises(ValueError, match="has no pair head, so it cannot read dyads; train one with"):
        loaded.classify_dyads(SENTENCE)


def test_a_changed_label_order_is_refused(tiny_encoder: Path, tmp_path: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "m", tokenizer=tok)
    config = json.loads((out / "config.json").read_text())
    config["heads"]["sentiment"] = ["positive", "neutral", "negative"]
    (out / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match=r"head 'sentiment' has labels \['positive'.*retrain the model"):
        load_classifier(out, precision="fp32")


def test_loss_reads_every_registered_head(tiny_encoder: Path) -> None:
    from training.trainer import compute_loss

    model, tok = tiny_stance_model(tiny_encoder, heads=ALL)
    batch = collate(tok, _examples(), max_length=64, prefix="")
    weights = {name: 1.0 for name in HEADS}
    total, parts = compute_loss(model(**batch), batch, weights)
    assert set(parts) == {"detail", "sentence_detail", "sentence_detail_un", "pair"} and torch.isfinite(total)
    _, without = compute_loss(model(**batch), batch, {**weights, "sentence_detail_un": 0.0})
    assert "sentence_detail_un" not in without
