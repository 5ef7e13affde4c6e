"""Per-language cases: inflection, demonyms, seats, abbreviations, compounds, false friends."""

from __future__ import annotations

import pytest

from inference.countries import find_countries

CASES: list[tuple[str, str, set[str]]] = [
    # en
    (
        "en",
        "The Kremlin and the White House traded barbs; Downing Street stayed silent.",
        {"RUS", "USA", "GBR"},
    ),
    ("en", "US-China talks; Russian-American ties; Sino-Japanese rivalry.", {"USA", "CHN", "RUS", "JPN"}),
    ("en", "The U.S., the UAE, the DPRK and the PRC; the ROK too.", {"USA", "ARE", "PRK", "CHN", "KOR"}),
    ("en", "Officials at Foggy Bottom and the Élysée; Zhongnanhai and Quai d'Orsay.", {"USA", "FRA", "CHN"}),
    ("en", "Kyiv and Kiev both mean Ukraine; Russian soldiers advanced.", {"UKR", "RUS"}),
    ("en", "The Holy See, Palestine, Kosovo and Taiwan sent envoys.", {"VAT", "PSE", "XKX", "TWN"}),
    # ru
    ("ru", "Россия, России, Россией, в России; российско-американский диалог.", {"RUS", "USA"}),
    (
        "ru",
        "США и РФ; ФРГ и КНР; в Саудовской Аравии и Южной Корее.",
        {"USA", "RUS", "DEU", "CHN", "SAU", "KOR"},
    ),
    ("ru", "Губернатор штата Джорджия; Грузия и Молдавия.", {"GEO", "MDA"}),
    ("ru", "Он говорит по-русски; русский язык сложен.", set()),
    ("ru", "Американцы, украинцы и россияне; в Белом доме и в Кремле.", {"USA", "UKR", "RUS"}),
    # uk
    (
        "uk",
        "Росії, Україною, Росією; Сполучених Штатів; українсько-польський кордон.",
        {"RUS", "UKR", "USA", "POL"},
    ),
    ("uk", "Росіяни обстріляли Харків, заявили у Києві.", {"RUS", "UKR"}),
    ("uk", "Він говорить українською мовою.", set()),
    # pl
    ("pl", "Rosji, Rosją, w Polsce, w Niemczech, Stanów Zjednoczonych.", {"RUS", "POL", "DEU", "USA"}),
    ("pl", "Polsko-niemieckie rozmowy; Ukraińcy i Amerykanie.", {"POL", "DEU", "UKR", "USA"}),
    ("pl", "Korea Północna i Korei Południowej; Kreml i Biały Dom.", {"PRK", "KOR", "RUS", "USA"}),
    # de
    ("de", "Russlands, russische, der Russen; deutsch-französische Brigade.", {"RUS", "DEU", "FRA"}),
    ("de", "US-amerikanische Truppen; die USA und die Vereinigten Staaten; Irans Führung.", {"USA", "IRN"}),
    ("de", "Das Kanzleramt und der Kreml; im Weißen Haus.", {"DEU", "RUS", "USA"}),
    # fr
    (
        "fr",
        "La Russie et les États-Unis; relations sino-japonaises; l'Élysée.",
        {"RUS", "USA", "CHN", "JPN", "FRA"},
    ),
    ("fr", "Le Quai d'Orsay; la Maison-Blanche; les Américaines et les Chinois.", {"FRA", "USA", "CHN"}),
    ("fr", "le conflit israélo-palestinien et la RDC", {"ISR", "PSE", "COD"}),
    # es
    ("es", "EE.UU. y EEUU; estadounidenses; la Casa Blanca; la Moncloa.", {"USA", "ESP"}),
    ("es", "El chile picante; Chile firmó con Argentina.", {"CHL", "ARG"}),
    # pt
    ("pt", "O peru assado; o Peru e a Bolívia; os EUA; norte-americanos.", {"PER", "BOL", "USA"}),
    ("pt", "O Itamaraty e Brasília; alemães e afegãos.", {"BRA", "DEU", "AFG"}),
    # it
    (
        "it",
        "Gli Usa e gli USA; il Cremlino; conflitto russo-ucraino; tedeschi.",
        {"USA", "RUS", "UKR", "DEU"},
    ),
    ("it", "La Farnesina e Palazzo Chigi; la Santa Sede.", {"ITA", "VAT"}),
    # nl
    ("nl", "De VS en Nederland; Russische en Amerikaanse troepen; het Witte Huis.", {"USA", "NLD", "RUS"}),
    ("nl", "Frans Timmermans; indien nodig.", set()),
    # sv
    ("sv", "Rysslands och USA:s; ryska och amerikanska; Vita huset.", {"RUS", "USA"}),
    ("sv", "Roboten föll i Japanska havet.", set()),
    # tr
    (
        "tr",
        "Rusya'nın, ABD'nin, Türkiye ile; Rus ve Çinli askerler; İranlı.",
        {"RUS", "USA", "TUR", "CHN", "IRN"},
    ),
    ("tr", "Mısır ekmeği pahalandı; Mısır, Gazze'ye yardım gönderdi.", {"EGY"}),
    ("tr", "Beyaz Saray ve Kremlin; İngiltere'ye.", {"USA", "RUS", "GBR"}),
    # ar
    ("ar", "والولايات المتحدة وبالصين وللسعودية؛ الإسرائيلية والروسي.", {"USA", "CHN", "SAU", "ISR", "RUS"}),
    ("ar", "البيت الأبيض والكرملين؛ الكوري الشمالي؛ المحيط الهندي.", {"USA", "RUS", "PRK"}),
    # fa
    ("fa", "آمریکا و ایران؛ روسیه‌ای‌ها؛ کاخ سفید؛ رژیم صهیونیستی.", {"USA", "IRN", "RUS", "ISR"}),
    ("fa", "او زبان انگلیسی را خوب صحبت می‌کند.", set()),
    # he
    ("he", 'בישראל, לארה"ב, מרוסיה, והרוסים; בקרמלין.', {"ISR", "USA", "RUS"}),
    ("he", "בחצי האי סיני נפתח מלון.", set()),
    # zh
    ("zh", "中美关系；俄乌冲突；美日韩联合军演；中方和美方。", {"CHN", "USA", "RUS", "UKR", "JPN", "KOR"}),
    ("zh", "以巴西为例；5日美国总统；中美洲国家；美德。", {"BRA", "USA"}),
    ("zh", "日本首相访华，克里姆林宫和白宫表态。", {"JPN", "CHN", "RUS", "USA"}),
    # ja
    ("ja", "日米首脳会談；米中対立；米政府；日中関係。", {"JPN", "USA", "CHN"}),
    ("ja", "日中は晴れる。中国地方で大雨。", set()),
    ("ja", "インドネシアとインド；ロシア軍とウクライナ軍。", {"IDN", "IND", "RUS", "UKR"}),
    # ko
    (
        "ko",
        "한미 정상회담; 미국은 러시아와 중국을; 남북 관계; 대북 제재.",
        {"KOR", "USA", "RUS", "CHN", "PRK"},
    ),
    ("ko", "인도적 지원과 인도주의; 인도양.", set()),
    ("ko", "美中 갈등 속 北 미사일 발사", {"USA", "CHN", "PRK"}),
    # hi
    (
        "hi",
        "अमेरिका ने रूस पर प्रतिबंध लगाए; भारतीय और पाकिस्तानी अधिकारी; व्हाइट हाउस।",
        {"USA", "RUS", "IND", "PAK"},
    ),
    ("hi", "इज़राइल और इजरायल; अमेरिकियों।", {"ISR", "USA"}),
    # id
    (
        "id",
        "Amerika Serikat dan AS; Tiongkok dan China; Korsel dan Korut; Gedung Putih.",
        {"USA", "CHN", "KOR", "PRK"},
    ),
    ("id", "Ia fasih berbahasa Inggris; Laut Cina Selatan.", set()),
]


@pytest.mark.parametrize(
    ("lang", "text", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_language_cases(lang: str, text: str, expected: set[str]) -> None:
    found = find_countries(text, lang)
    assert {m.country for m in found} == expected
    for m in found:
        assert text[m.start : m.end] == m.text


def test_every_language_has_a_case() -> None:
    from inference.countries import LANGUAGES
    from inference.countries.codes import NEW_LANGS

    # the 30 languages of issue 15 have their cases in test_countries_fifty.py and the dev set
    assert {c[0] for c in CASES} == set(LANGUAGES) - set(NEW_LANGS)


def test_compound_gives_both_spans() -> None:
    text = "中美关系"
    assert [(m.country, m.text) for m in find_countries(text, "zh")] == [("CHN", "中"), ("USA", "美")]
    text = "российско-американский"
    assert [(m.country, m.text) for m in find_countries(text, "ru")] == [
        ("RUS", "российско"),
        ("USA", "американский"),
    ]


def test_arabic_prefix_not_in_span_korean_particle_not_in_span() -> None:
    assert [m.text for m in find_countries("وبالصين", "ar")] == ["صين"]
    assert [m.text for m in find_countries("러시아는", "ko")] == ["러시아"]
