"""Long sentences are read through windows around each country's mentions, cut at clause
boundaries, so no mention is truncated away (issue 17: the 755/930-character sentence whose
only relation comes last, and the unpunctuated text cut mid-clause)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

import inference
from benchmarks.late_relation import FILLER, RELATION, long_sentence, unpunctuated
from inference.encoding import EncodedItem, encode, fit_windows, mention_window
from inference.sentences import clause_boundaries, split_sentences


def word_offsets(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"\S+", text)]


def spans(text: str, *names: str) -> list[tuple[int, int]]:
    return [(text.index(n), text.index(n) + len(n)) for n in names]


@pytest.mark.parametrize("chars", [755, 930])
def test_window_holds_the_mentions_and_their_clause(chars: int) -> None:
    text = long_sentence(chars)
    assert chars - 2 <= len(text) <= chars
    start, end = mention_window(text, spans(text, "China"), word_offsets(text), budget=40)
    window = text[start:end]
    assert RELATION in window  # the clause with China, and France in it
    assert start in clause_boundaries(text) and end in clause_boundaries(text)
    assert len(word_offsets(window)) <= 40


def test_window_without_clause_punctuation_cuts_between_words() -> None:
    text = long_sentence(930, commas=False).replace(",", "")
    start, end = mention_window(text, spans(text, "China"), word_offsets(text), budget=30)
    window = text[start:end]
    assert "China protested loudly to France over the strikes" in window
    assert (start == 0 or text[start - 1] == " ") and (end == len(text) or text[end] == " ")
    assert len(word_offsets(window)) <= 30


def test_context_caps_the_window_below_the_budget_but_never_cuts_a_mention() -> None:
    text = long_sentence(930)
    offsets = word_offsets(text)
    wide = mention_window(text, spans(text, "China"), offsets, budget=120)
    start, end = mention_window(text, spans(text, "China"), offsets, budget=120, context=12)
    window = text[start:end]
    assert "China" in window and len(word_offsets(window)) <= 12
    assert len(word_offsets(text[wide[0] : wide[1]])) > 12  # without the cap the clauses fill the budget
    # two mentions 40 words apart: the window holds both although the context is smaller
    far = "China spoke " + "and then " * 20 + "France answered " + FILLER * 4
    pair = spans(far, "China", "France")
    start, end = mention_window(far, pair, word_offsets(far), budget=120, context=8)
    assert start <= pair[0][0] and end >= pair[1][1]


def test_all_mentions_of_a_target_when_they_fit_else_the_first() -> None:
    text = "France spoke, " + FILLER * 3 + ", and France left."
    both = [(0, 6), (text.rindex("France"), text.rindex("France") + 6)]
    start, end = mention_window(text, both, word_offsets(text), budget=200)
    assert (start, end) == (0, len(text))
    start, end = mention_window(text, both, word_offsets(text), budget=10)
    assert start == 0 and end < both[1][0]


def test_the_sentence_cap_prefers_clause_boundaries() -> None:
    text = ("we talked about the budget, " * 80).strip()
    pieces = split_sentences(text, max_chars=500)
    assert len(pieces) > 1 and all(p.text.endswith(",") for p in pieces[:-1])


@pytest.fixture()
def tiny(tiny_encoder: Path, tmp_path: Path):
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder)
    return inference.load_classifier(
        model.save_pretrained(tmp_path / "model", tokenizer=tok), precision="fp32"
    )


def test_fit_windows_splits_only_what_does_not_fit(tiny) -> None:
    tok, max_length = tiny.tokenizer, tiny.settings.max_length
    short = EncodedItem("Russia spoke.", [[(0, 6)]])
    text = long_sentence(930)
    long = EncodedItem(text, [spans(text, "China"), spans(text, "France")])
    rows, plans = fit_windows(tok, [short, long], max_length=max_length, prefix="query: ")
    assert rows[0] is short and len(rows) == 3
    assert (plans[0].sentence, plans[0].targets, plans[0].pairs) == (0, [(0, 0)], [])
    assert (plans[1].sentence, plans[1].targets, plans[1].pairs) == (1, [(1, 0), (2, 0)], [])
    for row, name in zip(rows[1:], ["China", "France"], strict=True):
        assert "China protested loudly to France" in row.text and row.text[slice(*row.targets[0][0])] == name
        assert len(tok("query: " + row.text)["input_ids"]) <= max_length


def test_a_pair_is_read_from_one_window_holding_both_countries(tiny) -> None:
    """Both directions of a pair share one row: the window around the two closest mentions."""
    tok, max_length = tiny.tokenizer, tiny.settings.max_length
    text = "France spoke first, " + long_sentence(930)  # France twice: far from China, and next to it
    targets = [spans(text, "China"), [(0, 6), (text.rindex("France"), text.rindex("France") + 6)]]
    short = EncodedItem("Russia and China spoke.", [[(0, 6)], [(11, 16)]], [(0, 1), (1, 0)])
    rows, plans = fit_windows(
        tok, [short, EncodedItem(text, targets, [(0, 1), (1, 0)])], max_length=max_length, prefix="query: "
    )
    assert rows[0] is short and plans[0].pairs == [(0, 0), (0, 1)]
    (row, first), (same, second) = plans[1].pairs
    assert row == same and (first, second) == (0, 1) and row not in {r for r, _ in plans[1].targets}
    pair_row = rows[row]
    assert "China protested loudly to France" in pair_row.text and pair_row.pairs == [(0, 1), (1, 0)]
    assert [pair_row.text[s:e] for s, e in pair_row.targets[0]] == ["China"]
    assert [pair_row.text[s:e] for s, e in pair_row.targets[1]] == ["France"]  # the far one is outside
    assert len(tok("query: " + pair_row.text)["input_ids"]) <= max_length


def test_a_pair_too_far_apart_for_one_window_is_read_from_the_truncated_sentence(tiny) -> None:
    tok, max_length = tiny.tokenizer, tiny.settings.max_length
    text = "France spoke, " + FILLER * 6 + "and China answered."
    targets = [[(0, 6)], spans(text, "China")]
    rows, plans = fit_windows(
        tok, [EncodedItem(text, targets, [(1, 0)])], max_length=max_length, prefix="query: "
    )
    ((row, index),) = plans[0].pairs
    assert index == 0 and rows[row].text == text and rows[row].targets == targets
    assert rows[row].pairs == [(1, 0)]
    # the targets themselves are still read from windows of their own
    assert all(rows[r].text != text for r, _ in plans[0].targets)
    batch = encode(tok, [rows[row]], max_length=max_length, prefix="query: ")
    assert batch["target_truncated"].tolist() == [False, True]  # China lies past the encoder's cut


def test_dyads_of_a_long_sentence_come_from_its_pair_window(tiny_encoder: Path) -> None:
    """analyse_many reads the pair through fit_windows: its probabilities are those of the window row."""
    from tests_helpers import tiny_stance_model

    from inference.classifier import StanceClassifier

    model, tok = tiny_stance_model(tiny_encoder, heads=("detail", "sentiment", "sentence_detail", "pair"))
    clf = StanceClassifier(model, tok, name="tiny-pair")
    text = long_sentence(930)
    item = EncodedItem(text, [spans(text, "China"), spans(text, "France")], [(0, 1), (1, 0)])
    read = clf._read([item])[0]
    rows, plans = fit_windows(
        tok, [item], max_length=clf.settings.max_length, prefix=clf.settings.text_prefix
    )
    direct = clf._forward(rows)
    (row, _), _ = plans[0].pairs
    for got, want in zip(read.pairs, direct[row].pairs, strict=True):
        assert torch.equal(got["pair"], want["pair"])
    whole = clf._forward([item])[0]  # the sentence truncated: France and China past the cut
    assert not torch.equal(read.pairs[0]["pair"], whole.pairs[0]["pair"])
    stances, dyads = clf.analyse_many([text])
    assert {r.country for r in stances[0]} == {"CHN", "FRA"}
    for d in dyads[0]:
        assert {d.source, d.target} == {"CHN", "FRA"} and text[d.start : d.end] == d.sentence


@pytest.mark.parametrize("text", [long_sentence(755), long_sentence(930), unpunctuated()])
def test_no_mention_is_truncated_away(tiny, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import inference.classifier as mod

    seen = []
    original = mod.encode

    def spy(*args, **kwargs):
        batch = original(*args, **kwargs)
        seen.append(batch["target_truncated"])
        return batch

    monkeypatch.setattr(mod, "encode", spy)
    results = tiny.classify(text)
    assert {r.country for r in results} == {"CHN", "FRA"}
    assert seen and not any(t.any() for t in seen)
    for r in results:
        assert text[r.start : r.end] == r.sentence and all(r.start <= s < e <= r.end for s, e in r.mentions)


def test_unpunctuated_text_keeps_china_with_its_verb() -> None:
    text = unpunctuated()
    sentence = next(s for s in split_sentences(text, max_chars=5000) if "China" in s.text)
    assert "China protested to France" in sentence.text
    old = next(s for s in split_sentences(text, max_chars=1000) if "China" in s.text)
    assert "China protested" not in old.text  # the old 1,000-character cut fell mid-clause


@pytest.mark.slow
@pytest.mark.parametrize("text", [long_sentence(755), long_sentence(930), unpunctuated()])
def test_real_model_reads_the_late_relation(text: str) -> None:
    """With the shipped model: CHN and FRA conflictual (before the windows: neutral, or split)."""
    results = inference.load_classifier().classify(text)
    assert {r.country: r.stance for r in results} == {"CHN": "conflictual", "FRA": "conflictual"}
