"""The public API end to end on a tiny saved model: articles in, (sentence, country) results out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

import inference
from inference.classifier import StanceClassifier
from inference.labels import DETAIL_LABELS, DETAIL_TO_STANCE, SENTIMENT_LABELS

ARTICLE = (
    "Washington imposed new sanctions on Russia on Monday. The Kremlin called them illegal.\n\n"
    "Officials met in Geneva. Россия и Украина обменялись пленными."
)


@pytest.fixture()
def classifier(tiny_encoder: Path, tmp_path: Path) -> StanceClassifier:
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    return inference.load_classifier(out, precision="fp32")


def test_classify_returns_one_result_per_sentence_and_country(classifier: StanceClassifier) -> None:
    results = classifier.classify(ARTICLE)
    pairs = [(r.sentence_index, r.country) for r in results]
    assert pairs == [(0, "USA"), (0, "RUS"), (1, "RUS"), (3, "RUS"), (3, "UKR")]
    for r in results:
        assert ARTICLE[r.start : r.end] == r.sentence
        assert all(r.start <= s < e <= r.end for s, e in r.mentions)
        assert r.detail in DETAIL_LABELS and DETAIL_TO_STANCE[r.detail] == r.stance
        assert r.sentiment in SENTIMENT_LABELS
        assert sum(r.scores["detail"].values()) == pytest.approx(1, abs=1e-4)
        assert set(r.scores) == {"stance", "detail", "sentiment"}
    kremlin = results[2]
    assert [ARTICLE[s:e] for s, e in kremlin.mentions] == ["Kremlin"]


def test_empty_and_wrong_types(classifier: StanceClassifier) -> None:
    assert classifier.classify("") == [] and classifier.classify("   \n ") == []
    assert classifier.classify("No country is named in this sentence.") == []
    with pytest.raises(TypeError, match=r"texts\[0\] must be a str, got bytes"):
        classifier.classify(b"Russia")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got NoneType"):
        classifier.classify_many(["Russia.", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expects a list of texts"):
        classifier.classify_many("Russia.")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lang has 1 entries for 2 texts"):
        classifier.classify_many(["Russia.", "France."], lang=["en"])


def test_classify_many_equals_one_at_a_time(classifier: StanceClassifier) -> None:
    texts = [ARTICLE, "", "France and Germany signed a treaty in Berlin.", "Китай осудил действия США."]
    together = classifier.classify_many(texts, lang=[None, None, "en", "ru"])
    alone = [
        classifier.classify(t, lang=lang) for t, lang in zip(texts, [None, None, "en", "ru"], strict=True)
    ]
    assert [[(r.country, r.detail, r.sentiment, r.start) for r in rs] for rs in together] == [
        [(r.country, r.detail, r.sentiment, r.start) for r in rs] for rs in alone
    ]
    assert together[1] == []


def test_default_classifier_error_is_actionable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import inference.classifier as mod

    monkeypatch.setattr(mod, "DEFAULT_MODEL_DIR", tmp_path / "missing")
    with pytest.raises(FileNotFoundError, match="diplostance train configs/default.yaml"):
        mod.load_classifier()


def test_bf16_loading_stores_the_embeddings_compactly(tiny_encoder: Path, tmp_path: Path) -> None:
    """bf16 inference keeps the embedding matrix as a bf16 copy (not a growing memory map), same readings."""
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    fp32 = inference.load_classifier(out, precision="fp32")
    bf16 = inference.load_classifier(out, precision="bf16")
    assert fp32.model.encoder.get_input_embeddings().weight.dtype == torch.float32
    assert bf16.model.encoder.get_input_embeddings().weight.dtype == torch.bfloat16
    for a, b in zip(fp32.classify(ARTICLE), bf16.classify(ARTICLE), strict=True):
        assert (a.sentence_index, a.country) == (b.sentence_index, b.country)
        assert list(a.scores["detail"].values()) == pytest.approx(list(b.scores["detail"].values()), abs=0.05)
    for cache in ("LRU_CACHE_CAPACITY", "ONEDNN_PRIMITIVE_CACHE_CAPACITY"):  # capped unless the user set them
        assert os.environ.get(cache)
