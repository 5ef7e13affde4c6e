"""Find the countries a text names: ``find_countries(text, lang=None)``.

Covered: the 193 UN members, the observers Holy See (``VAT``) and Palestine (``PSE``),
Kosovo (``XKX``) and Taiwan (``TWN``), plus five territories with their own ISO 3166-1
alpha-3 code (see below), in 20 languages (en ru uk de fr es pt it nl pl tr ar fa he zh ja ko
hi id sv): common and formal names, adjectives and demonyms, capitals and seats of
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
- ``lang`` is a hint: when given, only that language's aliases (and language-neutral
  ones) are used, which avoids false friends across languages (Dutch ``indien`` "if").

Known limits: a given name that is also a country in running text without a capitalised
neighbour (Hebrew ירדן "Yarden"), the US state Georgia without any US cue, bare metonymic
seats that are also common place names (Portuguese "São Bento"), Brussels as a plain venue.
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
