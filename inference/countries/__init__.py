"""Find the countries a text names: ``find_countries(text, lang=None)``.

Covered: the 193 UN members, the observers Holy See (``VAT``) and Palestine (``PSE``),
Kosovo (``XKX``) and Taiwan (``TWN``), in 20 languages (en ru uk de fr es pt it nl pl tr
ar fa he zh ja ko hi id sv): common and formal names, adjectives and demonyms, capitals
and seats of government, abbreviations, inflected forms and two-country compounds.

Choices (see ``guidelines/stance.md``):
- Capitals and seats are matched as their state (they are overwhelmingly metonymic in
  international news); other cities (Geneva, Davos) are not matched at all. Exceptions:
  Brussels (stands for the EU) and Jerusalem (contested) are not matched; Tel Aviv is
  matched as Israel (the usual metonymy in Arabic, Persian and Turkish news).
- Seas and oceans named after a state (South China Sea, Indian Ocean, Sea of Japan) and
  language names in "speaks X" constructions that a language marks distinctly
  (``по-русски``, ``bahasa Inggris``, ``русский язык``) are blocked.
- Demonyms count ("Russian soldiers" names RUS); a language name used for the language
  ("she speaks Russian") is not separated from the adjective in English/French/...; where
  a language has a distinct form for the language (Turkish ``Rusça``, Russian
  ``по-русски``) it is not matched.
- Hong Kong, Macau, dependent territories (Puerto Rico, Greenland...) and regions (Gaza,
  Crimea, Donbas) are not states and are not reported. England/Scotland/Wales are not
  matched (sports teams, not the state); Britain/British/UK/London are ``GBR``.
- Bare "Congo" is the DR Congo (``COD``); bare "Korea" and "Korean" are South Korea.
- ``lang`` is a hint: when given, only that language's aliases (and language-neutral
  ones) are used, which avoids false friends across languages (Dutch ``indien`` "if").
"""

from __future__ import annotations

from functools import lru_cache

from ..results import CountryMention
from .codes import LANGS
from .matcher import Matcher

__all__ = ["CountryMention", "LANGUAGES", "find_countries", "get_matcher"]

LANGUAGES: tuple[str, ...] = LANGS


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    """The shared matcher, compiled on first use (about a second)."""
    return Matcher.default()


def _base_lang(lang: str | None) -> str | None:
    if lang is None:
        return None
    if not isinstance(lang, str):
        raise TypeError(f"lang must be a str or None, got {type(lang).__name__}")
    base = lang.strip().replace("_", "-").split("-")[0].lower()
    if base == "iw":
        base = "he"
    if base == "in":
        base = "id"
    return base if base in LANGUAGES else None  # unknown language: use every alias


def find_countries(text: str, lang: str | None = None) -> list[CountryMention]:
    """Every place where ``text`` names a country, sorted by offset.

    ``lang`` (an ISO 639-1 code such as ``"ru"`` or ``"pt-BR"``) is optional; an unknown
    code is ignored. Offsets are character offsets into ``text``. Raises ``TypeError``
    when ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        return []
    return get_matcher().find(text, _base_lang(lang))
