"""Compact inflection rules: an alias becomes ``(stem, endings)`` pairs.

The matcher finds a stem in the normalised text, then the rest of the word (the *tail*)
must be one of the alias' allowed endings. Rules are per language and per alias kind
(``name``-like nouns vs ``adj``/``demonym``), stated once here instead of listing every
form by hand: Russian ``Россия`` -> stem ``росси`` + {я, и, ю, ей, ею, е, ...}; Polish
``rosyjski`` -> ``rosyjsk`` + adjective endings; German ``russisch`` + {e, en, er, es, em}.
Inner words of multi-word Slavic names are expanded to literal forms (``Южной Кореи``).

Over-generation is harmless (non-words never occur); under-generation is a miss, so
irregular forms (Polish ``Polsce``, ``Niemczech``) are listed in ``aliases_extra.tsv``.

Also here: proclitic prefixes (Arabic ``وبال``..., Hebrew ``ו/ה/ב/ל/מ/ש/כ``, Korean ``대`` before a
full name: ``대중국``) and Korean particles, which are allowed around a name but are not part
of the mention's span.
"""

from __future__ import annotations

import itertools
import re

from .inflect_more import AM_PREFIXES, expand_more
from .inflect_more import LANGS as MORE_LANGS

E = frozenset[str]

NAME_KINDS = frozenset({"name", "formal", "short", "capital", "seat", "block"})
ADJ_KINDS = frozenset({"adj", "demonym"})

_RU_NOUN: E = frozenset(
    [
        "|",
        "а",
        "я",
        "у",
        "ю",
        "ы",
        "и",
        "е",
        "ой",
        "ей",
        "ою",
        "ею",
        "ом",
        "ем",
        "ам",
        "ям",
        "ах",
        "ях",
        "ами",
        "ями",
        "ов",
        "ев",
        "ь",
        "й",
        "ью",  # the instrumental of a feminine soft stem: Беларусь -> Беларусью
    ]
).union({""}) - {"|"}
_RU_ADJ: E = frozenset(
    [
        "ий",
        "ый",
        "ой",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ого",
        "его",
        "ому",
        "ему",
        "ым",
        "им",
        "ом",
        "ем",
        "ую",
        "юю",
        "ых",
        "их",
        "ыми",
        "ими",
        "ей",
        "о",
    ]
)
_UK_NOUN: E = frozenset(
    [
        "а",
        "я",
        "у",
        "ю",
        "і",
        "ї",
        "и",
        "е",
        "є",
        "ою",
        "ею",
        "єю",
        "ом",
        "ем",
        "єм",
        "ам",
        "ям",
        "ах",
        "ях",
        "ами",
        "ями",
        "ів",
        "їв",
        "ь",
        "й",
        # the masculine dative in -ові/-еві/-єві, as common in news as -у: Іранові, Ізраїлеві, Китаєві
        "ові",
        "еві",
        "єві",
    ]
).union({""})
_UK_ADJ: E = frozenset(
    [
        "ий",
        "ій",
        "а",
        "я",
        "е",
        "є",
        "і",
        "ї",
        "ої",
        "ьої",
        "ого",
        "ього",
        "ому",
        "ьому",
        "им",
        "ім",
        "ою",
        "ею",
        "у",
        "ю",
        "их",
        "іх",
        "ими",
        "іми",
        "о",
    ]
)
_PL_NOUN: E = frozenset(
    ["a", "i", "y", "e", "ie", "u", "em", "om", "ach", "ami", "ow", "o", "ii", "ji", "ia", "owi"]
).union({""})
_PL_ADJ: E = frozenset(
    [
        "i",
        "y",
        "a",
        "e",
        "ie",
        "ego",
        "iego",
        "emu",
        "iemu",
        "ym",
        "im",
        "ych",
        "ich",
        "ymi",
        "imi",
        "o",
        "ej",
        "iej",
    ]
)
_SLAVIC_VOWELS = set("аяыиьйоеуюіїєaeiouy")

_ENDINGS: dict[tuple[str, str], E] = {
    ("en", "adj"): frozenset({"", "s"}),
    ("de", "name"): frozenset({"", "s", "es"}),
    ("de", "adj"): frozenset({"", "e", "en", "er", "es", "em"}),
    ("de", "demonym"): frozenset({"", "n", "in", "innen", "en", "s"}),
    ("fr", "adj"): frozenset({"", "e", "s", "es", "ne", "nes"}),
    ("nl", "adj"): frozenset({"", "e", "en", "s"}),
    ("sv", "name"): frozenset({"", "s"}),
    ("sv", "adj"): frozenset({"", "a", "e", "t", "ar", "arna", "en", "s"}),
    ("id", "name"): frozenset({"", "nya"}),
    # -li/-lu (of), the plural -lar/-ler and the plural's case endings, which a demonym takes without an
    # apostrophe: Rusların, Almanlara, Türklerden, İsraillilere, Suriyelilerin
    ("tr", "name"): frozenset(
        base + plural + case
        for base in ("", "li", "lu")
        for plural, cases in (
            ("", ("",)),
            ("lar", ("", "in", "i", "a", "da", "dan", "la")),  # ı is folded to i before matching
            ("ler", ("", "in", "i", "e", "de", "den", "le")),
        )
        for case in cases
    ),
    ("fa", "name"): frozenset(a + b for a in ("", "اي", "ي") for b in ("", "ها", "هاي", "ان", "يان", "ي")),
    # -ا is the accusative tanween (مصرياً -> مصريا once the tanween mark is stripped)
    ("ar", "adj"): frozenset({"", "ة", "ا", "ين", "ون", "ان", "تين", "تان", "ات"}),
    ("he", "adj"): frozenset({"", "ת", "ה", "ם", "ים", "ות", "יים", "יות", "יה"}),
    # -ई/-ी make the adjective (सोमालियाई, कनाडाई, ईरानी), -ियों/-ाइयों its oblique plural
    ("hi", "name"): frozenset({"", "ों", "यों", "ई", "ी", "ियों", "ाइयों"}),
}

KO_PARTICLES: E = frozenset(
    a + b
    for a in (
        "",
        "인",
        "인들",
        "군",
        "측",
        "산",
        "계",
        "내",
        "쪽",
        "정부",
        "당국",
        "과",
        "와",
        "대사",
        "대사관",
        "대통령",
        "총리",
        "외교부",
        "외무부",
        "국방부",
        "국민",
        "기업",
        "은행",
        "대표팀",
        "행",
        "발",
        "시장",
        "경제",
        "해군",
        "공군",
        "육군",
        "국경",
        "영토",
        "영해",
        "정부와",
        "측과",
    )
    for b in (
        "",
        "은",
        "는",
        "이",
        "가",
        "을",
        "를",
        "의",
        "에",
        "에서",
        "에게",
        "와",
        "과",
        "도",
        "로",
        "으로",
        "만",
        "까지",
        "부터",
        "보다",
        "처럼",
        "이나",
        "나",
        "이라는",
        "라는",
        "에서는",
        "에는",
        "에도",
        "과의",
        "와의",
        "에서의",
        "으로의",
        "로의",
        "이다",
        "였다",
        "에선",
        "엔",
        "으로서",
        "로서",
        "에서도",
        "과도",
        "와도",
        "조차",
        "마저",
        "이랑",
        "랑",
        "하고",
        "으로부터",
        "로부터",
        "에게서",
        "한테",
        "과는",
        "와는",
        "으로는",
        "로는",
        "에서만",
        "이라고",
        "라고",
        "이며",
        "며",
        "이고",
        "과도",
        "만의",
        "까지는",
        "보다는",
        "이라며",
        "라며",
        "이었다",
        "였으며",
        "에겐",
    )
)

_AR_PREFIX = re.compile(r"^(?:[وف]?(?:[بكل]?(?:ال)?|لل))$")
_HE_PREFIX = re.compile(r"^[ושהבלמכ]{0,3}$")


# Glued political prefixes before an adjective (Polish ``prorosyjski``, Russian ``антиамериканский``,
# Italian ``filorusso``, Spanish ``prorruso``): they still name the country.
_ADJ_PREFIXES = frozenset({"pro", "anti", "filo", "pror", "про", "анти", "проро"})
_KO_DAE_KINDS = frozenset({"name", "short", "formal"})


def allowed_prefix(lang: str, prefix: str, kind: str = "name") -> bool:
    """Whether ``prefix`` (the part of the word before the stem) is a proclitic of ``lang``."""
    if not prefix:
        return True
    if kind in ADJ_KINDS and prefix in _ADJ_PREFIXES and lang not in ("ar", "fa", "he"):
        return True
    if lang in ("ar", "fa"):
        return bool(_AR_PREFIX.match(prefix)) and (lang == "ar" or prefix in ("ب", "ال"))
    if lang == "he":
        return bool(_HE_PREFIX.match(prefix))
    if lang == "am":
        return prefix in AM_PREFIXES
    if lang == "ko":
        # 대 "toward/against" glued to a full name: 대중국 수출, 대베트남 투자, 대러시아 제재
        # (one-syllable forms such as 대미, 대일, 대북 are compounds in aliases_extra.tsv; 대중
        # "the public" is not one of them).
        # 주 "resident in" likewise (주러시아 대사), only before an envoy noun (rules.korean_envoy)
        return prefix in ("대", "주") and kind in _KO_DAE_KINDS
    return False


def _endings_for(lang: str, kind: str, alias: str) -> E:
    group = "name" if kind in NAME_KINDS else kind if kind in ADJ_KINDS else ""
    if lang == "es" or lang == "pt" or lang == "it":
        return frozenset({""})
    found = _ENDINGS.get((lang, group))
    if found is None and group == "demonym":
        found = _ENDINGS.get((lang, "adj"))
    if found is None and lang in ("tr", "fa", "hi", "id"):
        found = _ENDINGS[(lang, "name")]
    if lang == "ar" and alias.endswith("ي"):
        return _ENDINGS[("ar", "adj")]
    if lang == "he" and alias.endswith("י"):
        return _ENDINGS[("he", "adj")]
    return found or frozenset({""})


def _slavic_noun(word: str, lang: str, kind: str = "name") -> tuple[str, E]:
    endings = {"ru": _RU_NOUN, "uk": _UK_NOUN, "pl": _PL_NOUN}[lang]
    if len(word) <= 2 or not word[-1].isalpha():
        return word, frozenset({""})
    last = word[-1]
    # Ukrainian -и is a plural ending (Нідерланди -> Нідерландів, Філіппіни -> Філіппінах); its
    # indeclinable loans end in -і (Малі, Чилі), so only Russian treats -и as indeclinable.
    indeclinable = "оеуюі" if lang == "uk" else "оеуюиі"
    if (
        last in indeclinable
        and lang in ("ru", "uk")
        and not word.endswith(("ии", "ые", "ие", "ти", "ні", "ии"))
    ):
        return word, frozenset({""})  # indeclinable: Конго, Чили, Перу, Мали
    if lang == "pl" and word[-1] in "kg":
        return word, endings | {"iem"}  # Mińsk -> Mińskiem, Irak -> Irakiem
    if last in _SLAVIC_VOWELS:
        # the bare stem is no case of a country ("Kub", "Tong"), except the genitive of a plural name:
        # Polish Chiny -> "do Chin", Russian Филиппины -> "у Филиппин", Ukrainian Філіппіни -> "біля Філіппін"
        # (not of a Russian or Ukrainian short form: Штаты -> "Штат" is a US state, Эмираты -> "эмират" one emirate)
        plural = (lang, last) == ("pl", "y") or (
            (lang, last) in (("ru", "ы"), ("uk", "и")) and kind != "short"
        )
        return word[:-1], endings if plural else endings - {""}
    return word, endings


def _slavic_adj(word: str, lang: str) -> tuple[str, E] | tuple[None, E]:
    if lang == "ru" and word.endswith(("ий", "ый", "ой")):
        return word[:-2], _RU_ADJ
    if lang == "uk" and word.endswith(("ий", "ій")):
        return word[:-2], _UK_ADJ
    if lang == "pl" and word.endswith(("ski", "cki", "zki")):
        return word[:-1], _PL_ADJ
    if lang == "pl" and word.endswith(("y", "i", "a", "e")) and len(word) > 4:
        return word[:-1], _PL_ADJ
    return None, frozenset()


_RU_DEMONYM = frozenset({"", "а", "у", "ом", "е", "ы", "ев", "ам", "ами", "ах"})
_RU_ANIN = frozenset(
    {
        "ин",
        "ина",
        "ину",
        "ином",
        "ине",
        "е",
        "и",
        "",
        "ам",
        "ами",
        "ах",
        "ка",
        "ки",
        "ке",
        "ку",
        "кой",
        "ці",
        "кою",
    }
)


def _slavic_demonym(word: str, lang: str) -> list[tuple[str, E]]:
    if word.endswith(("ец", "ець", "єць")):  # американец -> американц + ы/ев/...; кореец -> корейц
        base = word[:-2] if word.endswith("ец") else word[:-3]
        if base[-1:] in "аеиоуяєі":
            base += "й"  # кореец -> корейцы, китаєць -> китайці, сириец -> сирийцы
        elif base[-1:] == "л":
            base += "ь"  # бразилец -> бразильцы, непалець -> непальці
        return [
            (word, frozenset({""})),
            (base + "ц", _RU_DEMONYM | {"і", "ів", "ям", "ями", "ях", "ем", "ю", "еві"}),
        ]
    if word.endswith("iec"):  # Polish Ukrainiec -> Ukraińcy (ń normalised to n)
        return [
            (word, frozenset({""})),
            (word[:-3] + "c", frozenset({"y", "ow", "om", "ami", "ach", "a", "u", "em", "e"})),
        ]
    if word.endswith("ec") and word.isascii():
        return [
            (word, frozenset({""})),
            (word[:-2] + "c", frozenset({"y", "ow", "om", "ami", "ach", "a", "u", "em"})),
        ]
    if word.endswith("czyk"):  # Polish Filipinczyk -> Filipinczycy, Filipinczykow
        return [
            (
                word[:-2],
                frozenset({"yk", "yka", "ykowi", "ykiem", "yku", "ycy", "ykow", "ykom", "ykami", "ykach"}),
            )
        ]
    if word.endswith(("анин", "янин", "anin")):
        return [(word[:-2], _RU_ANIN | {"ie", "ina", "inem", "om", "ami", "ach", "in"})]
    return [_slavic_noun(word, lang)]


_INNER_ADJ = {
    "ru": ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие"),
    "uk": ("ий", "ій", "ка", "на", "ке", "не", "кі", "ні"),
}


# Feminine -a nouns whose locative and dative change the stem's last consonant. Polish: Kanada -> Kanadzie,
# Malta -> Malcie, Jamajka -> Jamajce, Praga -> Pradze, Czarnogóra -> Czarnogórze, Canberra -> Canberze.
# Ukrainian: Мексика -> Мексиці, Прага -> Празі, Рига -> Ризі (Russian keeps it: в Мексике, в Праге).
_FEMININE_LOCATIVE = {
    "pl": (("rra", "rze"), ("da", "dzie"), ("ta", "cie"), ("ka", "ce"), ("ga", "dze"), ("ra", "rze")),
    "uk": (("ка", "ці"), ("га", "зі"), ("ха", "сі")),
}


def _feminine_locative(word: str, lang: str) -> list[tuple[str, E]]:
    """The locative/dative of a feminine -a noun of ``lang`` in :data:`_FEMININE_LOCATIVE` (none for a word that
    ends no such noun, or a language without the table)."""
    for ending, locative in _FEMININE_LOCATIVE.get(lang, ()):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            return [(word[: -len(ending)] + locative, frozenset({""}))]
    return []


def _pl_locative(word: str) -> list[tuple[str, E]]:
    """Polish locatives of consonant-final nouns that change the stem: Czad -> Czadzie, Katar -> Katarze,
    Kuwejt -> Kuwejcie."""
    if word.endswith("d"):
        return [(word + "zie", frozenset({""}))]
    if word.endswith("r"):
        return [(word + "ze", frozenset({""}))]
    if word.endswith("t"):
        return [(word[:-1] + "cie", frozenset({""}))]
    return []


def _slavic_inner_forms(word: str, lang: str) -> list[str]:
    """Every case of an inner word: ``Объединённые`` -> ``объединенных``; ``Саудівська`` -> ``саудівської``."""
    forms = set()
    pairs = [_slavic_adj(word, lang), _slavic_noun(word, lang)]
    for suffix in _INNER_ADJ.get(lang, ()):
        if word.endswith(suffix) and len(word) > 4:
            cut = 2 if lang == "ru" or suffix in ("ий", "ій") else 1
            pairs.append((word[:-cut], _RU_ADJ if lang == "ru" else _UK_ADJ))
    for stem, endings in pairs:
        if stem is not None:
            forms.update(stem + e for e in endings)
    return sorted(forms)


def _romance_adj(word: str, lang: str) -> tuple[str, E]:
    if lang == "it":
        if word.endswith(("co", "go")):  # turco -> turchi/turche, greco -> greci/greche
            return word[:-1], frozenset({"o", "a", "i", "e", "hi", "he"})
        if word.endswith("o"):
            return word[:-1], frozenset({"o", "a", "i", "e"})
        if word.endswith("e"):
            return word[:-1], frozenset({"e", "i"})
        if word.endswith("a"):
            return word[:-1], frozenset({"a", "i", "e"})
        return word, frozenset({""})
    if word.endswith("o"):
        return word[:-1], frozenset({"o", "a", "os", "as"})
    if word.endswith("a"):
        return word, frozenset({"", "s"})
    if word.endswith("e"):
        return word, frozenset({"", "s"})
    if word.endswith(("i", "u")):
        return word, frozenset({"", "s", "es"})
    return word, frozenset({"", "a", "es", "as"})


def expand(lang: str, kind: str, alias: str) -> list[tuple[str, E]]:
    """``(stem, endings)`` pairs for a normalised ``alias`` of ``lang`` and ``kind``."""
    if kind in ("abbr", "combining", "compound") or lang == "*":
        return [(alias, frozenset({""}))]
    if lang in MORE_LANGS:
        return expand_more(lang, kind, alias)
    if lang in ("ru", "uk", "pl"):
        words = alias.split(" ")
        last = words[-1]
        if kind in ADJ_KINDS:
            stem, endings = _slavic_adj(last, lang)
            lasts = [(stem, endings)] if stem is not None else _slavic_demonym(last, lang)
            if lang == "pl" and last.endswith(("ski", "cki")):  # marokanscy, niemieccy
                lasts.append((last[:-3] + ("scy" if last.endswith("ski") else "ccy"), frozenset({""})))
        else:
            lasts = [_slavic_noun(last, lang, kind)]
            if len(words) == 1:  # a noun, not the adjective ending "Arabia Saudyjska"
                lasts.extend(_feminine_locative(last, lang))
            if lang == "pl":
                lasts.extend(_pl_locative(last))
            if len(words) > 1:  # Polish "Korea Południowa" -> "Korei Południowej"
                stem, endings = _slavic_adj(last, lang)
                if stem is not None:
                    lasts.append((stem, endings))
        if len(words) == 1:
            return lasts
        inner = [_slavic_inner_forms(w, lang) for w in words[:-1]]
        heads = [" ".join(p) for p in itertools.islice(itertools.product(*inner), 800)]
        return [(h + " " + s, e) for h in heads for s, e in lasts]
    if lang in ("es", "pt", "it") and kind in ADJ_KINDS and " " not in alias:
        return [_romance_adj(alias, lang)]
    if lang in ("ar", "fa", "he") and kind in NAME_KINDS and lang == "ar" and alias.startswith("ال"):
        return [(alias[2:], _endings_for(lang, kind, alias))]
    if lang == "ar" and kind in ADJ_KINDS and alias.startswith("ال"):
        return [(alias[2:], _endings_for(lang, kind, alias))]
    if lang == "ko":
        return [(alias, KO_PARTICLES)]
    return [(alias, _endings_for(lang, kind, alias))]
