"""Token-budget batching gives the same readings as the per-count path it replaced (tiny model)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tests_helpers import count_encoder_rows, readings, tiny_stance_model

from inference.classifier import StanceClassifier
from inference.encoding import encode, padded_length, token_budget_batches
from inference.labels import DETAIL_LABELS, DETAIL_TO_STANCE, SENTIMENT_LABELS, STANCE_LABELS

ARTICLES = [
    "Russia imposed sanctions on Ukraine and France condemned it. Officials met.",
    "Germany criticised Israel's decision to arrest Spanish activists who had praised Palestine.",
    "Россия ввела санкции против Украины.",
    "Deutschland und Frankreich unterzeichneten ein Abkommen. China and Japan were not there.",
    "The Kremlin said the talks with Washington were constructive. Russia and Ukraine talked.",
] * 3


def _reference(clf: StanceClassifier, text: str) -> list[tuple[str, str, str, list[float]]]:
    """The path before token budgets: one item per forward, the tokenizer's own padding, decoding
    in plain Python per target (as inference/classifier.py did)."""
    from inference.countries import find_countries
    from inference.sentences import split_sentences

    out = []
    mentions = find_countries(text)
    for sentence in split_sentences(text):
        by_country: dict[str, list[tuple[int, int]]] = {}
        for m in mentions:
            if sentence.start <= m.start < sentence.end:
                by_country.setdefault(m.country, []).append(
                    (m.start - sentence.start, m.end - sentence.start)
                )
        if not by_country:
            continue
        from inference.encoding import EncodedItem

        item = EncodedItem(sentence.text, list(by_country.values()))
        s = clf.settings
        batch = encode(clf.tokenizer, [item], max_length=s.max_length, prefix=s.text_prefix)
        with torch.inference_mode():
            logits = clf.model(**batch)
        detail = torch.softmax(logits["detail"].float(), -1).tolist()
        sentiment = torch.softmax(logits["sentiment"].float(), -1).tolist()
        for row, srow in zip(detail, sentiment, strict=True):
            stance_mass = [
                sum(p for d, p in zip(DETAIL_LABELS, row, strict=True) if DETAIL_TO_STANCE[d] == st)
                for st in STANCE_LABELS
            ]
            stance = STANCE_LABELS[max(range(3), key=stance_mass.__getitem__)]
            best = max(
                (i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == stance), key=row.__getitem__
            )
            sent = SENTIMENT_LABELS[max(range(len(srow)), key=srow.__getitem__)]
            out.append((stance, DETAIL_LABELS[best], sent, [round(p, 6) for p in row + srow]))
    return out


@pytest.mark.parametrize("max_tokens", [16, 64, 4096])
def test_token_budget_batches_read_as_one_at_a_time(tiny_encoder: Path, max_tokens: int) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="mem", max_tokens=max_tokens)
    got = clf.classify_many(ARTICLES)
    for text, results in zip(ARTICLES, got, strict=True):
        expected = _reference(clf, text)
        assert len(results) == len(expected) > 0
        for r, (stance, detail, sentiment, scores) in zip(results, expected, strict=True):
            assert (r.stance, r.detail, r.sentiment) == (stance, detail, sentiment)
            mine = list(r.scores["detail"].values()) + list(r.scores["sentiment"].values())
            assert mine == pytest.approx(scores, abs=1e-5)


def test_batches_cover_every_item_once_within_the_budget() -> None:
    lengths = [5, 40, 12, 12, 64, 3, 30, 7, 100]
    rows = [1, 2, 1, 1, 1, 3, 1, 1, 1]
    batches = token_budget_batches(lengths, rows, max_tokens=96, max_length=128, max_rows=4)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    flat = [i for b in batches for i in b]
    assert [lengths[i] for i in flat] == sorted(lengths)  # shortest first: little padding
    for b in batches:
        width = padded_length(max(lengths[i] for i in b), 128)
        n_rows = sum(rows[i] for i in b)
        assert len(b) == 1 or (n_rows * width <= 96 and n_rows <= 4)


def test_bad_budget_is_named(tiny_encoder: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    with pytest.raises(ValueError, match="max_tokens=0"):
        StanceClassifier(model, tok, name="mem", max_tokens=0)


def test_a_full_enough_batch_ends_where_the_padded_length_grows() -> None:
    # 80 rows of 10 tokens (padded to 16: 1,280 tokens, past the default min_tokens of 1,024) and 40
    # of 20 (padded to 24): one budget would hold them all, but then the short rows read 40 % padding
    lengths = [10] * 80 + [20] * 40
    rows = [1] * len(lengths)
    batches = token_budget_batches(lengths, rows, max_tokens=4096, max_length=128, max_rows=256)
    assert [sorted({lengths[i] for i in b}) for b in batches] == [[10], [20]]
    # below min_tokens the short rows join their longer neighbours rather than make a small batch
    merged = token_budget_batches(
        lengths, rows, max_tokens=4096, max_length=128, max_rows=256, min_tokens=2048
    )
    assert len(merged) == 1


def test_a_repeated_sentence_is_read_once_and_given_to_every_copy(tiny_encoder: Path) -> None:
    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="mem")
    distinct = ARTICLES[:5]
    alone = clf.classify_many(distinct)
    rows, reported = count_encoder_rows(clf), []
    clf.progress_hook = reported.append
    repeated = clf.classify_many(ARTICLES)  # the five articles three times over
    read_once, progress = sum(rows), sum(reported)
    rows.clear()
    clf.classify_many(distinct)
    assert read_once == sum(rows) > 0  # the copies cost no encoder rows
    assert progress == 3 * sum(rows)  # progress still counts every copy's sentences
    for k, results in enumerate(repeated):
        want = alone[k % 5]
        assert readings(results) == readings(want)
    repeated[0][0].scores["detail"]["neutral"] = -1.0  # one copy's result is its own
    assert repeated[5][0].scores["detail"]["neutral"] != -1.0
