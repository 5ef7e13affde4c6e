"""A sentence repeated across classifier calls is read once: the bounded cache and the batch scorer's use of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests_helpers import count_encoder_rows, readings, tiny_stance_model

from inference.batch.core import score_batch, score_with_retry
from inference.classifier import StanceClassifier
from inference.read_cache import ReadCache

WIRE = "Russia and France signed a trade agreement in Paris on Monday."
ARTICLES = [
    f"{WIRE} Germany protested.",
    "China condemned Japan. Local news followed.",
    f"{WIRE} India welcomed it.",
    f"Brazil hosted Argentina. {WIRE}",
    "China condemned Japan. Sport came next.",
]


def test_cache_keeps_the_most_recently_used_items() -> None:
    cache: ReadCache[str] = ReadCache(max_items=2)
    cache.put("a", "A")
    cache.put("b", "B")
    assert cache.get("a") == "A"  # now the most recent: "b" goes first
    cache.put("c", "C")
    assert (cache.get("b"), cache.get("a"), cache.get("c")) == (None, "A", "C")
    assert (len(cache), cache.hits, cache.misses) == (2, 3, 1)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "100", None])
def test_cache_size_must_be_a_positive_whole_number(bad: object) -> None:
    with pytest.raises(ValueError, match=r"max_items=.*positive whole number"):
        ReadCache(max_items=bad)  # type: ignore[arg-type]


def test_a_cached_item_is_not_read_again_in_a_later_call(tiny_encoder: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="cache")
    plain = clf.classify_many(ARTICLES)
    rows, reported = count_encoder_rows(clf), []
    clf.progress_hook = reported.append
    clf.read_cache = ReadCache()
    first = clf.classify_many(ARTICLES[:2])
    read_first = sum(rows)
    second = clf.classify_many(ARTICLES[2:])
    assert read_first == 3  # WIRE, "Germany protested.", "China condemned Japan."
    assert sum(rows) - read_first == 2  # "India welcomed it.", "Brazil hosted Argentina."
    assert sum(reported) == 8  # progress counts every sentence with a country, read or taken from the cache
    assert [readings(r) for r in first + second] == [readings(r) for r in plain]
    second[1][0].scores["stance"]["neutral"] = -1.0  # a cached copy's result objects are its own
    assert first[0][0].scores["stance"]["neutral"] != -1.0


def test_the_batch_scorer_reads_a_sentence_once_per_chunk(tiny_encoder: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="cache")
    batch = {"id": [f"a{i}" for i in range(len(ARTICLES))], "text": list(ARTICLES)}
    one_at_a_time = [
        score_batch({"id": [i], "text": [t]}, clf) for i, t in zip(batch["id"], ARTICLES, strict=True)
    ]
    rows = count_encoder_rows(clf)
    scored, failures = score_with_retry(batch, clf, batch_size=1, keys=batch["id"])
    assert failures == {}
    distinct = sum(rows)
    rows.clear()
    clf.classify_many(ARTICLES)  # one call: each distinct sentence once
    assert distinct == sum(rows) == 5  # the same over five calls of one article each
    assert clf.read_cache is None  # the cache ended with the chunk
    for name in ("id", "country", "stance", "detail", "sentiment", "stance_p_neutral"):
        assert scored[name] == [v for part in one_at_a_time for v in part[name]]
