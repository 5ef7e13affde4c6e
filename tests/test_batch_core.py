"""The engine-free core on plain dicts of columns (what a Ray ``map_batches`` would call)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest_batch import FakeClassifier

from inference.batch import aggregate_articles, score_batch
from inference.batch.core import PROB_COLUMNS, stance_schema
from inference.batch.readers import RawRecord
from inference.batch.records import ErrorRecord, ValidateOptions, ValidRecord, to_columns, validate
from inference.results import StanceResult


def batch() -> dict[str, list]:
    return {
        "id": ["a", "b", "c"],
        "text": ["France and Russia met. Japan watched.", "Nothing here.", "Germany helped Ukraine."],
        "lang": ["en", None, "de"],
        "date": ["2024-01-01", None, "2024-02-01"],
    }


def test_score_batch_rows_and_passthrough() -> None:
    out = score_batch(batch(), FakeClassifier())
    assert list(out) == stance_schema(["lang", "date"]).names
    assert out["id"] == ["a", "a", "a", "c", "c"]
    assert out["country"] == ["FRA", "RUS", "JPN", "DEU", "UKR"]
    assert out["sentence_index"] == [0, 0, 1, 0, 0]
    assert out["lang"] == ["en", "en", "en", "de", "de"] and out["date"][-1] == "2024-02-01"
    texts = dict(zip(batch()["id"], batch()["text"], strict=True))
    for article_id, start, end, sentence in zip(
        out["id"], out["start"], out["end"], out["sentence"], strict=True
    ):
        assert texts[article_id][start:end] == sentence
    text = texts["a"]
    assert text[out["mentions"][2][0]["start"] : out["mentions"][2][0]["end"]] == "Japan"
    assert all(len(out[c]) == 5 for c in PROB_COLUMNS)


def test_score_batch_equals_one_at_a_time() -> None:
    full = score_batch(batch(), FakeClassifier())
    parts: dict[str, list] = {k: [] for k in full}
    for i in range(3):
        one = score_batch({k: [v[i]] for k, v in batch().items()}, FakeClassifier())
        for k, v in one.items():
            parts[k].extend(v)
    assert parts == full


def test_score_batch_checks_the_classifier() -> None:
    class Short(FakeClassifier):
        def classify_many(self, texts, lang=None):
            return []

    class BadOffsets(FakeClassifier):
        def classify_many(self, texts, lang=None):
            return [
                [StanceResult(0, "x", 0, 10_000, "FRA", [], "neutral", "neutral", "neutral")] for _ in texts
            ]

    with pytest.raises(RuntimeError, match="returned 0 results for 3 texts"):
        score_batch(batch(), Short())
    with pytest.raises(ValueError, match="outside article 'a'"):
        score_batch(batch(), BadOffsets())
    with pytest.raises(ValueError, match="no 'text' column"):
        score_batch({"id": []}, FakeClassifier())
    assert score_batch({"id": [], "text": []}, FakeClassifier())["id"] == []


def test_aggregate_articles() -> None:
    stances = {
        "id": ["a", "a", "a", "b"],
        "lang": ["en"] * 4,
        "country": ["FRA", "RUS", "FRA", "FRA"],
        "stance": ["cooperative", "conflictual", "conflictual", "neutral"],
    }
    out = aggregate_articles(stances, ["lang"])
    assert out["id"] == ["a", "a", "b"] and out["country"] == ["FRA", "RUS", "FRA"]
    assert out["n_sentences"] == [2, 1, 1]
    assert (out["n_cooperative"], out["n_conflictual"], out["n_neutral"]) == ([1, 0, 0], [1, 1, 0], [0, 0, 1])
    assert out["net"] == [0.0, -1.0, 0.0]


@pytest.mark.parametrize(
    ("data", "error", "reason"),
    [
        (None, "invalid JSON: x", "invalid JSON"),
        ({"text": "France."}, None, "missing id: field 'id' is absent"),
        ({"id": "", "text": "France."}, None, "missing id: field 'id' is empty"),
        ({"id": True, "text": "France."}, None, "id is not a string or integer (got bool"),
        ({"id": 1.5, "text": "France."}, None, "id is not a string or integer (got float"),
        ({"id": "1"}, None, "missing text field 'text'"),
        ({"id": "1", "text": None}, None, "text is null"),
        ({"id": "1", "text": ""}, None, "empty text"),
        ({"id": "1", "text": " \n"}, None, "empty text"),
        ({"id": "1", "text": 3}, None, "text is not a string (got int)"),
        ({"id": "1", "text": {"a": 1}}, None, "text is not a string (got dict)"),
        ({"id": "1", "text": "x" * 11}, None, "text too long: 11 characters > max_chars 10"),
        ({"id": "1", "text": "a\x00b"}, None, "NUL"),
        ({"id": "1", "text": "a\ud800b"}, None, "invalid UTF-8/Unicode in field 'text'"),
        ({"id": "1", "text": b"\xff"}, None, "invalid UTF-8 in field 'text'"),
        ({"id": "1", "text": "ok", "title": "\udcff"}, None, "invalid UTF-8/Unicode in field 'title'"),
    ],
)
def test_validate_errors(data: dict | None, error: str | None, reason: str) -> None:
    record = validate(RawRecord("f.jsonl", 3, data, error), 7, ValidateOptions(max_chars=10))
    assert isinstance(record, ErrorRecord)
    assert reason in record.reason and (record.seq, record.source, record.line) == (7, "f.jsonl", 3)


def test_validate_valid_and_columns() -> None:
    opts = ValidateOptions(text_field="body", lang="fr")
    record = validate(
        RawRecord("f", 1, {"id": 12, "body": "France.", "date": 20240101, "title": None, "x": 1}), 0, opts
    )
    assert isinstance(record, ValidRecord)
    assert (record.id, record.text, record.lang) == ("12", "France.", "fr")
    assert record.extra == {
        "lang": None,
        "date": date(2024, 1, 1),
        "date_raw": None,
        "title": None,
        "language": "fr",  # the language the finder assumes: the default lang here
        "language_covered": True,
    }
    assert record.date_status == "parsed"
    with_lang = validate(RawRecord("f", 2, {"id": "b", "body": "Japan.", "lang": "ja"}), 1, opts)
    assert isinstance(with_lang, ValidRecord)
    cols = to_columns([record, with_lang], ("lang", "date", "date_raw", "title"))
    assert cols == {
        "id": ["12", "b"],
        "text": ["France.", "Japan."],
        "lang": ["fr", "ja"],
        "date": [date(2024, 1, 1), None],
        "date_raw": [None, None],
        "title": [None, None],
    }
