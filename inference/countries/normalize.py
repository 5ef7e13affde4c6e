"""Text normalisation with an offset map back to the caller's string.

Matching runs on a normalised copy of the text: NFKC, case-folded, Latin diacritics
stripped (``Türkiye`` -> ``turkiye``, ``Perú`` -> ``peru``), Cyrillic ``ё`` -> ``е``,
Arabic/Persian letter variants unified (alef forms, ``ى``/``ی`` -> ``ي``, ``ک`` -> ``ك``),
Greek accents stripped (``Ελλάδα`` == ``ΕΛΛΑΔΑ``), Arabic tashkeel/tatweel, Hebrew niqqud, Devanagari nukta and ZWNJ/ZWJ removed,
typographic apostrophes and dashes unified. Every normalised character remembers the
index of the original character it came from, so spans found in the normalised text
map back to exact offsets in the original.

The same :func:`normalize_alias` is applied to alias strings when the matcher is built,
so both sides always agree.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u00b4\u0060\u2032\u05f3"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212\u05be\ufe63\uff0d"
_QUOTES = "\u05f4\u201c\u201d\u00ab\u00bb"
_DROP = {
    "\u200c",  # ZWNJ (Persian half-space)
    "\u200d",  # ZWJ
    "\u200e",  # LRM
    "\u200f",  # RLM
    "\u0640",  # Arabic tatweel
    "\u093c",  # Devanagari nukta (इज़राइल == इजराइल)
    "\u00ad",  # soft hyphen
}
_AR_MAP = {
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0649": "\u064a",  # ى -> ي
    "\u06cc": "\u064a",  # Persian ی -> ي
    "\u06a9": "\u0643",  # Persian ک -> ك
    "\u0629": "\u0629",
}


def _is_arabic_or_hebrew_mark(ch: str) -> bool:
    cp = ord(ch)
    return 0x064B <= cp <= 0x065F or cp == 0x0670 or 0x0591 <= cp <= 0x05C7 and ch != "\u05be"


@lru_cache(maxsize=65536)
def _norm_char(ch: str) -> str:
    """Normalise one original character to zero or more characters."""
    if ch in _DROP or _is_arabic_or_hebrew_mark(ch):
        return ""
    if ch in _APOSTROPHES:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch in _QUOTES:
        return '"'
    if ch in _AR_MAP:
        return _AR_MAP[ch]
    if ch in "\u0130\u0131":  # Turkish İ / ı: unify with i
        return "i"
    out = []
    for c in unicodedata.normalize("NFKC", ch).casefold():
        if c == "\u0451":  # ё -> е
            out.append("\u0435")
            continue
        if c == "\u0457":  # Ukrainian ї -> keep (decomposes to і + diaeresis otherwise)
            out.append(c)
            continue
        if c == "\u0439":  # Cyrillic й keeps its breve
            out.append(c)
            continue
        decomposed = unicodedata.normalize("NFD", c)
        base = decomposed[0]
        if len(decomposed) > 1 and unicodedata.name(base, "").startswith(("LATIN", "GREEK")):
            out.append(base)  # strip Latin diacritics and Greek accents (headlines drop them)
        elif unicodedata.category(c) == "Mn" and _is_arabic_or_hebrew_mark(c):
            continue
        else:
            out.append(c)
    return "".join(out)


class _Table(dict):
    """``str.translate`` table, and the only cache of the mapping: original code point -> normalised
    piece, filled on first sight. Characters whose piece is not exactly one character are also
    recorded in ``_UNEVEN``."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        piece = ("'" if ch == "`" else ch.lower()) if ch.isascii() else _norm_char(ch)
        self[cp] = piece
        if len(piece) != 1:
            _UNEVEN.add(ch)
        return piece


_TABLE = _Table()
_UNEVEN: set[str] = set()


def normalize(text: str) -> tuple[str, list[int]]:
    """Return ``(normalised, offsets)`` where ``offsets[i]`` is the original index of
    normalised character ``i``; ``offsets`` has one extra entry, ``len(text)``."""
    if text.isascii() and "`" not in text:  # the common case, done in C
        return text.lower(), list(range(len(text) + 1))
    norm = text.translate(_TABLE)  # fills the table for every character of text
    if _UNEVEN.isdisjoint(text):  # every character gave exactly one
        return norm, list(range(len(text) + 1))
    offsets: list[int] = []
    for i, ch in enumerate(text):
        offsets.extend([i] * len(_TABLE[ord(ch)]))
    offsets.append(len(text))
    return norm, offsets


def normalize_alias(alias: str) -> str:
    """Normalise an alias exactly as :func:`normalize` normalises text."""
    return normalize(alias)[0]


@lru_cache(maxsize=65536)
def is_word_char(ch: str) -> bool:
    """Letters, digits and combining marks (Devanagari vowel signs are marks, not ``\\w``)."""
    return ch.isalnum() or unicodedata.category(ch)[0] == "M"


@lru_cache(maxsize=65536)
def script_of(ch: str) -> str:
    """A coarse script class used for boundary rules: han, kata, hira, hangul, thai, word or other."""
    cp = ord(ch)
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF or cp == 0x3005:
        return "han"
    if 0x30A0 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or cp == 0xFF70:
        return "kata"
    if 0x3040 <= cp <= 0x309F:
        return "hira"
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "hangul"
    if 0x0E00 <= cp <= 0x0E7F:
        return "thai"  # written without spaces between words
    if is_word_char(ch):
        return "word"
    return "other"
