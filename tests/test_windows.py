"""Long sentences are read through windows around each country's mentions, cut at clause
boundaries, so no mention is truncated away (issue 17: the 755/930-character sentence whose
only relation comes last, and the unpunctuated text cut mid-clause)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import inference
from inference.encoding import EncodedItem, fit_windows, mention_window
from inference.sentences import clause_boundaries, split_sentences

FILLER = "the delegates discussed the agenda for the next session and the committee reviewed the budget "
RELATION = "while China protested loudly to France over the strikes."


def long_sentence(chars: int, commas: bool = True) -> str:
    filler = (FILLER.replace("session and", "session, and") if commas else FILLER) * (
        chars // len(FILLER) + 1
    )
    return filler[: chars - len(RELATION) - 1].rstrip() + " " + RELATION


def unpunctuated(words: int = 5000) -> str:
    """``words`` words without punctuation; 'China' ends just before the old 1,000-character cut."""
    base = "the delegates discussed the agenda and the committee reviewed the budget figures " * (
        words // 12 + 1
    )
    head = base[: base.rindex(" ", 0, 980) + 1]
    while len(head) < 988:
        head += "a "
    return " ".join((head + "China protested to France over the strikes " + base).split()[:words])


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
    rows, where = fit_windows(tok, [short, long], max_length=max_length, prefix="query: ")
    assert rows[0] is short and where == [[0], [1, 2]]
    for row, name in zip(rows[1:], ["China", "France"], strict=True):
        assert "China protested loudly to France" in row.text and row.text[slice(*row.targets[0][0])] == name
        assert len(tok("query: " + row.text)["input_ids"]) <= max_length


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
