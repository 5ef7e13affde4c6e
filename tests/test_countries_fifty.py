"""Issue 15: fifty languages, hints that never hide a name, false friends, coverage."""

from __future__ import annotations

import warnings

import pytest

from inference.countries import (
    LANGUAGES,
    UncoveredLanguageWarning,
    find_countries,
    language_of,
)
from inference.countries.identify import identify


def _codes(text: str, lang: str | None = None) -> set[str]:
    return {m.country for m in find_countries(text, lang)}


def test_fifty_languages_listed() -> None:
    assert len(LANGUAGES) == 50
    assert {"vi", "th", "el", "sr", "ha", "am"} <= set(LANGUAGES)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Việt Nam và Trung Quốc đã ký thỏa thuận hợp tác, trong khi Mỹ chỉ trích Bắc Kinh.",
            "vi",
            {"VNM", "CHN", "USA"},
        ),
        (
            "Kenya na Tanzania zimesaini mkataba, huku Marekani ikiikosoa China.",
            "sw",
            {"KEN", "TZA", "USA", "CHN"},
        ),
        ("Η Ελλάδα κατηγόρησε την Τουρκία για παραβιάσεις.", "el", {"GRC", "TUR"}),
        ("Česko a Polsko podepsaly dohodu, Rusko ji odsoudilo.", "cs", {"CZE", "POL", "RUS"}),
        ("ไทยและจีนลงนามข้อตกลงการค้าฉบับใหม่", "th", {"THA", "CHN"}),
        ("রাশিয়ার সঙ্গে চীনের সম্পর্ক আরও গভীর হয়েছে।", "bn", {"RUS", "CHN"}),
        ("Oroszország és Kína közös nyilatkozatot adott ki Magyarországon.", "hu", {"RUS", "CHN", "HUN"}),
        ("Yhdysvaltojen ja Venäjän neuvottelut jatkuvat Helsingissä.", "fi", {"USA", "RUS", "FIN"}),
        ("რუსეთმა საქართველოში ჯარი შეიყვანა.", "ka", {"RUS", "GEO"}),
        ("Rusiyanın Ukraynaya hücumu pisləndi.", "az", {"RUS", "UKR"}),
        ("ரஷ்யாவின் தாக்குதலை உக்ரைன் கண்டித்தது.", "ta", {"RUS", "UKR"}),
        ("ከሩሲያ የመጡ ባለሙያዎች ጅቡቲ ደረሱ።", "am", {"RUS", "DJI"}),
    ],
)
def test_new_languages_inflected_forms(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected
    assert _codes(text) == expected  # without a hint too


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Russia and the US signed a deal", "ru", {"RUS", "USA"}),
        ("Як заявили в Кремлі, Россия готова к переговорам с Украиной", "uk", {"RUS", "UKR"}),
        ("Česko a Polsko podepsaly dohodu, Rusko ji odsoudilo.", "en", {"CZE", "POL", "RUS"}),
    ],
)
def test_wrong_hint_never_hides_a_name(text: str, lang: str, expected: set[str]) -> None:
    assert _codes(text, lang) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Farm groups in Georgia and Iowa",
        "Hans Island",
        "the china cabinet",
        "See https://x.com/china-trade for details",
        "My friend visited Y city.",
        "Bà Nguyễn Thị Nga đã mở một cửa hàng mỹ phẩm.",
        "Michael Jordan donated $2 million to flood relief.",
    ],
)
def test_false_friends(text: str) -> None:
    assert find_countries(text) == [] and find_countries(text, "en") == []


def test_url_masking_keeps_offsets() -> None:
    text = "See https://x.com/china-trade, then Russia."
    (m,) = find_countries(text)
    assert (m.country, text[m.start : m.end]) == ("RUS", "Russia")


@pytest.mark.parametrize("bad", ["xx", "english", ""])
def test_unknown_hint_is_an_error_listing_codes(bad: str) -> None:
    with pytest.raises(ValueError, match="unknown language hint.*covered: am ar az"):
        find_countries("Russia", bad)


def test_non_string_hint_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="lang must be an ISO 639-1 code"):
        find_countries("Russia", 5)  # type: ignore[arg-type]


def test_uncovered_language_warns_once() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        find_countries("Rússia va signar un acord.", "ca")
        find_countries("Un altre text amb Rússia.", "ca")
    hits = [w for w in caught if issubclass(w.category, UncoveredLanguageWarning)]
    assert len(hits) == 1 and "'ca'" in str(hits[0].message)
    assert language_of("Un altre text.", "ca").covered is False


def test_uncovered_script_is_reported() -> None:
    info = language_of("ប្រទេសកម្ពុជា និង ថៃ")  # Khmer
    assert (info.code, info.source, info.covered) == ("km", "identified", False)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Việt Nam và Trung Quốc", "vi"),
        ("Η Ελλάδα και η Τουρκία", "el"),
        ("Oroszország és Kína", "hu"),
        ("România și Moldova", "ro"),
        ("Azərbaycan və Türkiyə", "az"),
        ("Қазақстан мен Қытай", "kk"),
        ("پاکستان اور چین نے معاہدے پر دستخط کیے۔", "ur"),
        ("The president said that Russia and China met.", "en"),
        ("Береговая охрана задержала три сенегальские лодки у границы, сообщили в понедельник.", "ru"),
        ("Қазақстан мен Қытай бірлесіп жұмыс істейді.", "kk"),
        (
            "Компания «Укрзалізниця» сообщила, что поезда в Польшу и в Венгрию не будут ходить по выходным.",
            "ru",
        ),
        ("В Болгарии партия «Възраждане» выступила против поставок оружия для Германии и Молдавии.", "ru"),
    ],
)
def test_identify(text: str, lang: str) -> None:
    assert identify(text) == lang
