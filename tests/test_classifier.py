"""The public API end to end on a tiny saved model: articles in, (sentence, country) results out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

import inference
from inference.classifier import StanceClassifier, decode_detail
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
    with pytest.raises(TypeError, match=r"text must be a str, got bytes"):
        classifier.classify(b"Russia")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"texts\[1\] must be a str, got NoneType"):
        classifier.classify_many(["Russia.", None])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="expects a list .* of texts"):
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


def test_bf16_linear_weights_stored_in_bf16_read_the_same_bits_as_autocast(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The encoder's linear layers are stored in bf16 (autocast casts them at every call otherwise); the
    scores are exactly those of autocast over fp32 weights."""
    from tests_helpers import tiny_stance_model

    import inference.classifier as mod

    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    stored = inference.load_classifier(out, precision="bf16")
    linears = [m for m in stored.model.encoder.modules() if type(m) is torch.nn.Linear]
    assert linears and all(m.weight.dtype == m.bias.dtype == torch.bfloat16 for m in linears)
    assert all(p.dtype == torch.float32 for p in stored.model.heads.parameters())  # heads stay fp32
    monkeypatch.setattr(mod, "bf16_weights", mod.compact_embeddings)  # the state before: autocast casts
    cast = inference.load_classifier(out, precision="bf16")
    assert cast.model.encoder.encoder.layer[0].output.dense.weight.dtype == torch.float32
    texts = [ARTICLE, "France and Germany signed a treaty in Berlin."]
    got, want = stored.classify_many(texts), cast.classify_many(texts)
    assert [[r.scores for r in rs] for rs in got] == [[r.scores for r in rs] for rs in want]


def test_api_accepts_iterables_and_names_the_right_call(classifier: StanceClassifier) -> None:
    texts = [ARTICLE, "France and Germany signed a treaty in Berlin."]
    from_list = classifier.classify_many(texts)
    from_generator = classifier.classify_many(t for t in texts)
    assert [[(r.country, r.detail) for r in rs] for rs in from_generator] == [
        [(r.country, r.detail) for r in rs] for rs in from_list
    ]
    sentences = ["Russia and Ukraine exchanged prisoners.", "Officials met in Geneva."]
    assert [r.detail for r in classifier.classify_sentences(s for s in sentences)] == [
        r.detail for r in classifier.classify_sentences(sentences)
    ]
    with pytest.raises(TypeError, match=r"classify\(\) takes one text.*use classify_many\(texts\)"):
        classifier.classify(texts)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"classify_sentences\(\) expects a list.*classify_sentences\(\[sentence\]\)"
    ):
        classifier.classify_sentences("Russia and Ukraine exchanged prisoners.")
    with pytest.raises(TypeError, match=r"classify_many\(\) expects a list.*'texts'.*classify\(text\)"):
        classifier.classify_many("Russia.")
    with pytest.raises(TypeError, match=r"classify_many\(\) expects a list.*got int"):
        classifier.classify_many(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(("start", "end", "bad"), [(0.0, 6, "start"), (0, 6.0, "end"), (False, 6, "start")])
def test_classify_targets_offsets_must_be_int(classifier: StanceClassifier, start, end, bad: str) -> None:
    with pytest.raises(TypeError, match=rf"items\[0\]: {bad} must be an int character offset"):
        classifier.classify_targets([("Russia spoke.", start, end)])
    assert len(classifier.classify_targets([("Russia spoke.", 0, 6)])) == 1


def test_default_classifier_is_loaded_once(
    monkeypatch: pytest.MonkeyPatch, tiny_encoder: Path, tmp_path: Path
) -> None:
    """load_classifier() and the module-level classify() share one load of the default model."""
    from tests_helpers import tiny_stance_model

    import inference.classifier as mod
    from inference.modeling import StanceModel

    model, tok = tiny_stance_model(tiny_encoder)
    monkeypatch.setattr(mod, "DEFAULT_MODEL_DIR", model.save_pretrained(tmp_path / "default", tokenizer=tok))
    monkeypatch.setattr(mod, "_SHARED", [])
    loads = []
    original = StanceModel.from_pretrained.__func__

    def counting(cls, *args, **kwargs):
        loads.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(StanceModel, "from_pretrained", classmethod(counting))
    first = mod.load_classifier()
    assert mod.classify(ARTICLE) == first.classify(ARTICLE)
    assert mod.load_classifier() is first and len(loads) == 1
    assert first.provenance["name"] == "default" and len(first.provenance["weights_sha256"]) == 64
    mod.load_classifier(precision="fp32")  # other settings: a load of its own
    assert len(loads) == 2


def test_decode_detail_decides_on_the_uncalibrated_distribution() -> None:
    """A temperature flattens the detail distribution; the summed stance decision must not move with it,
    while the scores stay the calibrated ones."""
    raw = torch.tensor([[0.001, 0.25, 0.199, 0.55, 0.0001]])  # neutral, vcoop, mcoop, vconf, mconf
    raw = raw / raw.sum()
    temperature = 3.0
    calibrated = torch.softmax(raw.log() / temperature, -1)
    flat = decode_detail(calibrated)[0]
    assert flat.stance == "cooperative"  # the flattened sums favour two mid-sized cooperation details
    reading = decode_detail(calibrated, temperature)[0]
    assert reading.stance == decode_detail(raw)[0].stance == "conflictual"
    assert reading.detail == "verbal_conflict"
    expected = calibrated[0, 1] + calibrated[0, 2]
    assert reading.scores["stance"]["cooperative"] == pytest.approx(float(expected), abs=1e-6)
