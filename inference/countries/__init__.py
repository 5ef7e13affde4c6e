"""Find the countries a text names: ``find_countries(text, lang=None)``.

Covered: the 193 UN members, the observers Holy See (``VAT``) and Palestine (``PSE``),
Kosovo (``XKX``) and Taiwan (``TWN``), plus five territories with their own ISO 3166-1
alpha-3 code (see below), in 50 languages (en ru uk de fr es pt it nl pl tr ar fa he zh ja ko
hi id sv, and since issue 15 vi th el cs sk hu ro bg sr hr sl da nb fi et lv lt ka hy az kk uz
ur bn ta ms tl sw am ha; ``docs/adding-a-language.md`` says how to add one): common and formal names, adjectives and demonyms, capitals and seats of
government, abbreviations and epithets, inflected forms and multi-country compounds.

Policy (``guidelines/stance.md``, checked against the independently annotated stance data):
- Capitals and seats are matched as their state, also when they are only the venue ("a
  conference in Rome", "a ceremony in Lilongwe"): the stance annotators key them that way,
  and in international news they are overwhelmingly metonymic. Seats include ministries
  and offices used for the government (Kremlin, Élysée, Viminale, Auswärtiges Amt, Palacio
  de Santa Cruz, Foreign Office, Den Haag / het Torentje / Polish Haga for the Netherlands,
  용산 대통령실; Colombo, which holds the President's office, for Sri Lanka). Other cities
  (Geneva, Davos, Istanbul, Antwerp) are never matched.
- Exceptions: Brussels (stands for the EU in news; the annotators do not key BEL for it) and
  Jerusalem (contested) are not matched, nor the courts in The Hague ("Trybunał w Hadze":
  the annotators do not key NLD for them); Tel Aviv is matched as Israel. A capital that
  names an institution ("Ankara Üniversitesi", "University of Tehran") is not the state.
- Territories: Greenland (``GRL``), Western Sahara (``ESH``), Gibraltar (``GIB``), the
  Falklands (``FLK``) and Puerto Rico (``PRI``) are reported under their own ISO alpha-3
  code: their status is itself the news and the annotators key them. Hong Kong, Macau,
  other dependencies and regions (Gaza, Crimea, Donbas, Somaliland) are not reported;
  England/Scotland/Wales are not matched (sports teams); Britain/UK/London are ``GBR``.
- Seas, gulfs, straits, lakes and rivers named after a state (South China Sea, Sea of
  Japan / Японское море / Japanische Meer, Gulf of Oman, Gulf of Finland, Taiwan Strait /
  台湾海峡, Lake Chad, Jordan River / 约旦河, Mozambique Channel) are blocked, as are
  fixed idioms and foods (Turkey Trot, tête de Turc, encre de Chine, montagne russe,
  insalata russa, fare il portoghese, conejillo de Indias, vale un Perú, Turks fruit,
  Spaanse peper, Hebrew תרנגול הודו "turkey", Persian کره "butter",
  Hindi चीनी की "sugar").
- Demonyms and adjectives count ("Russian soldiers", "prorosyjski", "антиамериканский"
  name the state; the glued prefix is not in the span). An adjective used as a language
  name ("speaks Russian", "em português", "O português é língua oficial",
  "Russian-language", Turkish ``Rusça``, Russian ``по-русски``) is not matched.
- Homographs decided by context (``rules.py``): unvocalised Arabic/Persian ``عمان`` is Oman
  unless the sentence is about Jordan (then Amman); Arabic ``مصر على`` after a subject is
  "insisting"; Hebrew ``הודו ל...`` is "they thanked"; Jordan/Chad/Washington/Paris as
  names of people or brands; Georgia the US state.
- Bare "Congo" is the DR Congo (``COD``); bare "Korea" and "Korean" are South Korea;
  Korean 북미 + talks/summit is North Korea and the US (not North America).
- Runs of one-character abbreviations in Chinese/Japanese ("美英法德", "日豪印米") name each
  state; a listed compound wins over the run (中吉乌 is Kyrgyzstan and Uzbekistan).
- ``lang`` is a hint that never hides a name: every table is always used. The hint (or,
  without one, the language :func:`identify` reads from the script and letters) turns on
  the aliases flagged ``hint`` (short false friends such as Dutch ``Indien`` "if", ``VS``)
  and wins ties between readings. An unknown code (``"xx"``, ``"english"``, ``""``) raises
  ``ValueError`` listing the covered codes; a real ISO 639-1 code without a table
  (``"ca"``) warns once per language (:class:`UncoveredLanguageWarning`) and matches with
  every table. :func:`language_of` says which language was assumed for a text.

Known limits: a given name that is also a country in running text without a capitalised
neighbour (Hebrew ירדן "Yarden"), the US state Georgia without any US cue, bare metonymic
seats that are also common place names (Portuguese "São Bento"), Brussels as a plain venue.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

from ..results import CountryMention
from .codes import LANGS
from .identify import ISO639_1, identify, may_be_uncovered
from .matcher import Matcher

__all__ = [
    "LANGUAGES",
    "CountryMention",
    "LanguageInfo",
    "UncoveredLanguageWarning",
    "find_countries",
    "get_matcher",
    "language_of",
]

LANGUAGES: tuple[str, ...] = LANGS
_ALIASES = {"iw": "he", "in": "id", "no": "nb", "nn": "nb", "fil": "tl", "sh": "sr", "bs": "hr"}
_WARNED: set[str] = set()
# Web addresses are not prose: https://x.com/china-trade names no country.
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


class UncoveredLanguageWarning(UserWarning):
    """A text or hint in a language without a country table (warned once per language)."""


@dataclass(frozen=True, slots=True)
class LanguageInfo:
    """The language assumed for a text: ``code`` (ISO 639-1 or ``None``), where it came from
    (``source``: hint, identified or none) and whether it has a country table (``covered``).
    """

    code: str | None
    source: str
    covered: bool


@lru_cache(maxsize=1)
def get_matcher() -> Matcher:
    """The shared matcher, compiled on first use (a few seconds)."""
    return Matcher.default()


def _base_lang(lang: object) -> str | None:
    if lang is None:
        return None
    if not isinstance(lang, str):
        raise TypeError(f"lang must be an ISO 639-1 code (str) or None, got {type(lang).__name__} {lang!r}")
    base = lang.strip().replace("_", "-").split("-")[0].lower()
    base = _ALIASES.get(base, base)
    if base not in ISO639_1:
        raise ValueError(
            f"unknown language hint {lang!r}: use an ISO 639-1 code such as 'en' or 'pt-BR', or None; "
            f"covered: {' '.join(sorted(LANGUAGES))}"
        )
    return base


def _warn_uncovered(code: str) -> None:
    if code not in _WARNED:
        _WARNED.add(code)
        warnings.warn(
            f"no country table for language {code!r}: matching with all {len(LANGUAGES)} tables; "
            "`diplostance countries languages` lists the covered ones",
            UncoveredLanguageWarning,
            stacklevel=3,
        )


def language_of(text: str, lang: str | None = None) -> LanguageInfo:
    """The language :func:`find_countries` assumes for ``text`` given the hint ``lang``."""
    base = _base_lang(lang)
    if base is not None:
        return LanguageInfo(base, "hint", base in LANGUAGES)
    code = identify(text) if isinstance(text, str) else None
    if code is None:
        return LanguageInfo(None, "none", True)
    return LanguageInfo(code, "identified", code in LANGUAGES)


def find_countries(text: str, lang: str | None = None) -> list[CountryMention]:
    """Every place where ``text`` names a country, sorted by offset.

    ``lang`` (an ISO 639-1 code such as ``"ru"`` or ``"pt-BR"``) is optional and only a hint:
    names in other languages' forms are still found. An unknown code raises ``ValueError``;
    a code without a table warns once (``UncoveredLanguageWarning``). Offsets are character
    offsets into ``text``. Raises ``TypeError`` when ``text`` is not a ``str``.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    base = _base_lang(lang)
    if not text or text.isspace():
        return []
    if "://" in text or "www." in text:
        text = _URL.sub(lambda m: " " * len(m.group()), text)  # same length: offsets hold
    if base is not None:
        if base not in LANGUAGES:
            _warn_uncovered(base)
        return get_matcher().find(text, base)
    if may_be_uncovered(text):  # identify now: the text may need the uncovered-language warning
        detected = identify(text)
        if detected is not None and detected not in LANGUAGES:
            _warn_uncovered(detected)
        return get_matcher().find(text, None, detected)
    # the matcher identifies the language only if a word's reading depends on it
    return get_matcher().find(text, None, identify=identify)
