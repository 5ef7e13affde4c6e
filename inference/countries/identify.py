"""Which language a text is in, as far as the finder needs to know: script + a few letters.

No model and no dependency. The rules, in order:

1. A script used by one language names it (Greek ``el``, Georgian ``ka``, Armenian ``hy``,
   Thai ``th``, Ethiopic ``am``, Bengali ``bn``, Tamil ``ta``, Hangul ``ko``, kana ``ja``,
   Hebrew ``he``, Devanagari ``hi``); scripts of languages without a table name those
   (Khmer ``km``, Lao ``lo``, Myanmar ``my``, Sinhala ``si``, Gujarati ``gu``, Gurmukhi
   ``pa``, Kannada ``kn``, Telugu ``te``, Malayalam ``ml``, Tibetan ``bo``).
2. Otherwise the letters and short function words that only one language uses decide
   (Vietnamese ``ư``/``ơ``, Romanian ``ș``/``ț``, Azerbaijani ``ə``, Kazakh ``қ``/``ә``,
   Ukrainian ``ї``/``є``, Urdu ``ے``/``ں``...), scored and the best one kept.
3. Otherwise ``None``: the finder then uses every table.

The finder uses the answer for one thing only: aliases flagged ``hint`` (short words that
are false friends in other languages, such as Dutch ``Indien`` "if") are used when their
language is the caller's hint or the identified language. Measured on
``data/countries/dev.jsonl`` by ``tests/test_countries_identify.py``.
"""

from __future__ import annotations

import re

# ISO 639-1: the codes a hint may use (a code outside this list is an error).
_ISO639_1_TEXT = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu "
    "hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb "
    "lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om "
    "or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw "
    "ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
ISO639_1 = frozenset(_ISO639_1_TEXT.split())

_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0370, 0x03FF, "el"),
    (0x1F00, 0x1FFF, "el"),
    (0x10A0, 0x10FF, "ka"),
    (0x0530, 0x058F, "hy"),
    (0x0E00, 0x0E7F, "th"),
    (0x1200, 0x139F, "am"),
    (0x0980, 0x09FF, "bn"),
    (0x0B80, 0x0BFF, "ta"),
    (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "ja"),
    (0x0590, 0x05FF, "he"),
    (0x0900, 0x097F, "hi"),
    (0x1780, 0x17FF, "km"),
    (0x0E80, 0x0EFF, "lo"),
    (0x1000, 0x109F, "my"),
    (0x0D80, 0x0DFF, "si"),
    (0x0A80, 0x0AFF, "gu"),
    (0x0A00, 0x0A7F, "pa"),
    (0x0C80, 0x0CFF, "kn"),
    (0x0C00, 0x0C7F, "te"),
    (0x0D00, 0x0D7F, "ml"),
    (0x0F00, 0x0FFF, "bo"),
)
# Letters or words that point to one language (each hit scores 1; words score 2).
_MARKS: dict[str, str] = {
    "vi": "ơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ",
    "ro": "șțşţă",
    "az": "ə",
    "kk": "әғқңөұүһ",
    "uk": "їєґ",
    "sr": "ђјљњћџ",
    "ur": "ےںٹڈڑھ",
    "fa": "پچژگ",
    "hu": "őű",
    "cs": "řěů",
    "sk": "ľĺŕô",
    "lv": "āēīūķļņģ",
    "lt": "ąęėįųū",
    "et": "õ",
    "da": "æø",
    "tr": "ğış",
    "pl": "łżśźćń",
    "ha": "ɗƙɓƴ",
    "uz": "ʻ",
    "de": "ß",
    "zh": "的了是在和国",
}
_WORDS: dict[str, str] = {
    "en": "the and of to in is was with for that said on",
    "id": "dan yang di dengan untuk dari ini itu tidak akan",
    "ms": "dan yang di dengan untuk daripada ini itu tidak akan kerana beliau",
    "tl": "ang ng mga sa ay nang",
    "sw": "kwa katika ni za cha huku wa",
    "ha": "cikin kasar shugaban ce kuma wanda tare",
    "de": "und der die das mit von den nicht ist",
    "nl": "en de het van een met niet voor zijn",
    "fr": "et le la les des une avec pour est dans",
    "es": "y el los las con para una del por según",
    "pt": "e o os da do das com para uma não em",
    "it": "il gli con per una della che è sono degli",
    "sv": "och att det som med för inte är på",
    "da": "og at det som med for ikke er på af",
    "nb": "og at det som med for ikke er på av",
    "fi": "ja on ei että se kanssa oli",
    "et": "ja on ei et see oli ning",
    "pl": "i w z na się że nie do",
    "cs": "je se že na do ve ze pro jsou podle také",
    "sk": "je sa že na do vo zo pre sú podľa aj",
    "hr": "i je se na da u s su",
    "sl": "in je se na da v s so",
    "sr": "i je se na da u s su је",
    "ro": "și în cu pe care",
    "hu": "és a az hogy nem egy is",
    "lv": "un ir ar par no uz",
    "lt": "ir yra su kad į iš",
    "tr": "ve bir bu ile için da de",
    "az": "və bir bu ilə üçün da də",
    "uz": "va bilan uchun bu bir",
    "ru": "и в не на что с по это",
    "uk": "і в не на що з по це",
    "bg": "и в не на че с по това",
    "kk": "және мен бұл бір",
    "ar": "في من على إلى أن",
    "fa": "در از به با که این",
    "ur": "کے کی نے میں اور سے",
}
_WORD_SETS = {lang: frozenset(w for w in words.split() if len(w) > 1) for lang, words in _WORDS.items()}
_WORD_RE = re.compile(r"\w+")
# Scripts whose text is Cyrillic/Arabic/Latin but not one language: a tie-break by default.
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


_NON_LATIN_RE = re.compile(r"[^\x00-\u036f\u1e00-\u1eff\u2000-\u206f]")


_CHAR_SCRIPT: dict[str, str | None] = {}


def _char_script(ch: str) -> str | None:
    cp = ord(ch)
    found = next((lang for lo, hi, lang in _SCRIPTS if lo <= cp <= hi), None)
    _CHAR_SCRIPT[ch] = found
    return found


def _script_language(text: str) -> str | None:
    non_latin = _NON_LATIN_RE.findall(text)
    if not non_latin:
        return None
    # plain dicts, not Counter: this runs on every sentence (ties go to the first seen)
    counts: dict[str, int] = {}
    memo = _CHAR_SCRIPT
    for ch in non_latin:
        lang = memo[ch] if ch in memo else _char_script(ch)
        if lang is not None:
            counts[lang] = counts.get(lang, 0) + 1
    if not counts:
        return None
    lang = max(counts, key=counts.__getitem__)
    n = counts[lang]
    if lang == "ja" or (_HAN.search(text) and lang != "ko" and n < 3):
        return "ja"
    return lang


# The scripts of rule 1 whose language has no country table (Khmer, Lao, Myanmar, ...).
_UNCOVERED_SCRIPTS = tuple(
    (lo, hi)
    for lo, hi, lang in _SCRIPTS
    if lang in ("km", "lo", "my", "si", "gu", "pa", "kn", "te", "ml", "bo")
)
_UNCOVERED_RE = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _UNCOVERED_SCRIPTS) + "]")


def may_be_uncovered(text: str) -> bool:
    """Whether :func:`identify` may name a language without a country table for ``text``
    (only a script of rule 1 can); when not, the finder may identify lazily or not at all."""
    return _UNCOVERED_RE.search(text, 0, 600) is not None


_MARK_LANG: dict[str, str] = {ch: code for code, letters in _MARKS.items() for ch in letters}
_MARK_RE = re.compile("[" + re.escape("".join(_MARK_LANG)) + "]")
_WORD_LANGS: dict[str, tuple[str, ...]] = {}
for _code, _words in _WORD_SETS.items():
    for _w in _words:
        _WORD_LANGS[_w] = (*_WORD_LANGS.get(_w, ()), _code)


def identify(text: str) -> str | None:
    """The language of ``text`` as an ISO 639-1 code, or ``None`` when the clues are too weak."""
    head = text[:600]  # enough to tell the language; keeps the cost flat on long articles
    lang = _script_language(head)
    if lang is not None:
        return lang
    lower = head.lower()
    if "ə" in lower:
        return "az"  # schwa is Azerbaijani's alone among the covered languages
    scores: dict[str, int] = {}
    for ch in _MARK_RE.findall(lower):
        code = _MARK_LANG[ch]
        scores[code] = scores.get(code, 0) + 1
    word_langs = _WORD_LANGS
    for word in _WORD_RE.findall(lower):
        if word in word_langs:
            for code in word_langs[word]:
                scores[code] = scores.get(code, 0) + 2
    if not scores:
        if _HAN.search(head):
            return "zh"
        if _CYRILLIC.search(head):
            return "ru"
        return "ar" if _ARABIC.search(head) else None
    best = max(scores, key=scores.__getitem__)  # the first of the best, as Counter.most_common
    if _CYRILLIC.search(head) and best not in ("ru", "uk", "bg", "sr", "kk"):
        return "ru"
    if _ARABIC.search(head) and best not in ("ar", "fa", "ur"):
        return "ar"
    if _HAN.search(head) and not _CYRILLIC.search(head) and best not in ("zh", "ja"):
        return "zh"
    return best
