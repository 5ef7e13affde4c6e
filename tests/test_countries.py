"""find_countries: API contract, offsets and the hard cases of the issue, per language."""

from __future__ import annotations

import pytest

from inference.countries import LANGUAGES, find_countries
from inference.countries.normalize import normalize
from inference.results import CountryMention


def countries(text: str, lang: str | None = None) -> set[str]:
    return {m.country for m in find_countries(text, lang)}


# -- API contract ------------------------------------------------------------------


def test_returns_country_mentions_with_offsets_into_the_original_text() -> None:
    text = "Вашингтон ввёл новые санкции против России."
    mentions = find_countries(text, "ru")
    assert mentions == [
        CountryMention("USA", 0, 9, "Вашингтон"),
        CountryMention("RUS", 36, 42, "России"),
    ]
    for m in mentions:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "text",
    [
        "ＵＳＡ and Straße near Türkiye’s border; İRAN said",  # width, ß expansion, Turkish İ
        "الأمريكيّة وروسیه‌ای",  # tashkeel, ZWNJ removed by normalisation
        "इज़राइल और भारत",  # Devanagari nukta dropped
    ],
)
def test_offsets_survive_normalisation(text: str) -> None:
    mentions = find_countries(text)
    assert mentions
    for m in mentions:
        assert text[m.start : m.end] == m.text


def test_non_str_text_raises_type_error_naming_the_type() -> None:
    with pytest.raises(TypeError, match="got bytes"):
        find_countries(b"Russia")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got int"):
        find_countries("Russia", lang=7)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_or_whitespace_text_gives_no_mentions(text: str) -> None:
    assert find_countries(text) == []


def test_lang_is_only_a_hint() -> None:
    text = "Rusia y Ucrania firmaron un acuerdo."
    assert countries(text) == countries(text, "es") == countries(text, "es-419") == {"RUS", "UKR"}
    assert countries(text, "ru") == {"RUS", "UKR"}  # a wrong hint hides nothing
    with pytest.raises(ValueError, match="unknown language hint 'xx'"):
        countries(text, "xx")  # an unknown code is an error that lists the covered ones


def test_lang_hint_removes_cross_language_false_friends() -> None:
    text = "Indien de onderhandelingen mislukken, volgen sancties."  # Dutch "indien" = "if"
    assert countries(text, "nl") == set()


def test_deterministic_and_sorted() -> None:
    text = "Russia, China, the US and Russia again; Moscow and Beijing."
    first = find_countries(text)
    assert first == find_countries(text)
    assert [m.start for m in first] == sorted(m.start for m in first)


def test_languages_cover_the_twenty_of_the_issue() -> None:
    from inference.countries.codes import NEW_LANGS

    old = {"en", "ru", "uk", "de", "fr", "es", "pt", "it", "nl", "pl", "tr", "ar", "fa", "he", "zh", "ja"}
    old |= {"ko", "hi", "id", "sv"}
    assert set(LANGUAGES) == old | set(NEW_LANGS) and len(NEW_LANGS) == 30


# -- longest match and overlaps ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Guinea-Bissau and Equatorial Guinea, not Guinea.", ["GNB", "GNQ", "GIN"]),
        ("Papua New Guinea and Guinea", ["PNG", "GIN"]),
        ("Niger and Nigeria; a Nigerien and a Nigerian", ["NER", "NGA", "NER", "NGA"]),
        ("South Sudan and Sudan", ["SSD", "SDN"]),
        ("North Korea and South Korea", ["PRK", "KOR"]),
        ("Dominica and the Dominican Republic", ["DMA", "DOM"]),
        ("the Democratic Republic of the Congo and the Republic of the Congo", ["COD", "COG"]),
        ("Congo-Kinshasa and Congo-Brazzaville", ["COD", "COG"]),
    ],
)
def test_longest_match_wins(text: str, expected: list[str]) -> None:
    assert [m.country for m in find_countries(text, "en")] == expected


# -- context rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Michael Jordan visited Jordan.", {"JOR"}),
        ("Jordan Bardella spoke in Paris.", {"FRA"}),
        ("Chad Smith lost his case.", set()),
        ("King Abdullah of Jordan met officials in Chad.", {"JOR", "TCD"}),
        ("The Washington Post said George Washington slept here.", set()),
        ("Officials in Washington DC said", {"USA"}),
        ("The Paris Agreement was signed in 2015.", set()),
    ],
)
def test_person_and_brand_names(text: str, expected: set[str]) -> None:
    assert countries(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Georgia's governor signed the bill in Atlanta.", set()),
        ("Republicans won the Senate runoff in Georgia.", set()),
        ("Georgia accused Russia of occupying its territory.", {"GEO", "RUS"}),
        ("ジョージア州の知事が非常事態を宣言した。", set()),
        ("조지아주 주지사가 비상사태를 선포했다.", set()),
    ],
)
def test_georgia_state_vs_country(text: str, expected: set[str]) -> None:
    assert countries(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Let us go, said the mayor.", set()),
        ("US officials met UK counterparts.", {"USA", "GBR"}),
        ("Turkey objected; we ate turkey.", {"TUR"}),
        ("She collects fine china from China.", {"CHN"}),
        ("The summit was held in Geneva and Davos.", set()),
        ("Minsk and Moscow signed the deal.", {"BLR", "RUS"}),
        ("Guinea pigs were imported from Peru.", {"PER"}),
        ("Indian Ocean trade and the Indo-Pacific.", set()),
        ("Latin American and South American leaders met.", set()),
    ],
)
def test_english_false_friends(text: str, expected: set[str]) -> None:
    assert countries(text, "en") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII: France and `Germany` signed.",
        "Ελλάδα και Τουρκία",  # one character each
        "ＵＳＡ and Straße; ﬁnal İRAN",  # pieces of two or three characters
        "روسیه‌ای الأمريكيّة",  # pieces of none (ZWNJ, tashkeel)
        "",
    ],
)
def test_normalize_fast_paths_equal_the_character_walk(text: str) -> None:
    """``normalize`` translates whole strings; its result equals normalising character by character."""
    from inference.countries.normalize import _norm_char

    pieces = ["'" if c == "`" else c.lower() if c.isascii() else _norm_char(c) for c in text]
    offsets = [i for i, piece in enumerate(pieces) for _ in piece] + [len(text)]
    assert normalize(text) == ("".join(pieces), offsets)
    assert normalize(text) == ("".join(pieces), offsets)  # and again, from the filled table
