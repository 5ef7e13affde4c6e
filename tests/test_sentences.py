"""The multilingual sentence splitter keeps offsets and knows common abbreviations."""

from __future__ import annotations

import pytest

from inference.sentences import split_sentences

CASES = {
    "en": (
        "Dr. Smith met U.S. officials on Monday. The Kremlin said talks were positive! Was it? Yes.",
        [
            "Dr. Smith met U.S. officials on Monday.",
            "The Kremlin said talks were positive!",
            "Was it?",
            "Yes.",
        ],
    ),
    "de": (
        "Am 13. Dezember trafen sich z. B. Vertreter aus Berlin. Die Summe betrug 1,2 Mrd. Euro. Danach reisten sie ab.",
        [
            "Am 13. Dezember trafen sich z. B. Vertreter aus Berlin.",
            "Die Summe betrug 1,2 Mrd. Euro.",
            "Danach reisten sie ab.",
        ],
    ),
    "zh": (
        "中国外交部表示，中美关系应当稳定发展。美方对此表示欢迎！日本呢？",
        ["中国外交部表示，中美关系应当稳定发展。", "美方对此表示欢迎！", "日本呢？"],
    ),
    "ru": (
        "Россия, т. е. Кремль, заявила о санкциях. В 2027 г. ожидается рост.",
        ["Россия, т. е. Кремль, заявила о санкциях.", "В 2027 г. ожидается рост."],
    ),
    "es": (
        "Los gobiernos de México y EE. UU. firmaron. Exportaciones hacia EE. UU. Washington las limitó. "
        "Las FF. AA. se retiraron. Son EE. Y no más.",
        [
            "Los gobiernos de México y EE. UU. firmaron.",
            "Exportaciones hacia EE. UU.",  # the pair's last period ends a sentence before a capital
            "Washington las limitó.",
            "Las FF. AA. se retiraron.",
            "Son EE.",
            "Y no más.",
        ],
    ),
    "ar": (
        "قالت روسيا إن المحادثات إيجابية. وردت واشنطن بالترحيب؟ نعم.",
        ["قالت روسيا إن المحادثات إيجابية.", "وردت واشنطن بالترحيب؟", "نعم."],
    ),
    "hi": (
        "भारत ने समझौते पर हस्ताक्षर किए। पाकिस्तान ने विरोध किया।",
        ["भारत ने समझौते पर हस्ताक्षर किए।", "पाकिस्तान ने विरोध किया।"],
    ),
    "quotes": (
        'He said "we will respond." Then he left. The deal is worth 3.5 billion dollars.',
        ['He said "we will respond."', "Then he left.", "The deal is worth 3.5 billion dollars."],
    ),
}


@pytest.mark.parametrize("lang", sorted(CASES))
def test_splits_and_offsets(lang: str) -> None:
    text, expected = CASES[lang]
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for i, s in enumerate(sentences):
        assert s.index == i and text[s.start : s.end] == s.text


def test_blank_line_ends_a_sentence_without_punctuation() -> None:
    text = "Headline without a period\n\nBody starts here. Second sentence."
    assert [s.text for s in split_sentences(text)] == [
        "Headline without a period",
        "Body starts here.",
        "Second sentence.",
    ]


def test_empty_and_bad_input() -> None:
    assert split_sentences("") == [] and split_sentences(" \n\t ") == []
    with pytest.raises(TypeError, match="got bytes"):
        split_sentences(b"abc")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_chars=5"):
        split_sentences("abc", max_chars=5)


def test_runaway_text_is_cut_into_bounded_pieces() -> None:
    text = ("word " * 100_000).strip()
    sentences = split_sentences(text, max_chars=400)
    assert all(len(s.text) <= 400 for s in sentences)
    assert "".join(text[s.start : s.end] + " " for s in sentences).strip() == text
