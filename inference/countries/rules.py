"""The few context rules that a dictionary cannot express. Each is tested.

- ``person``: an alias that is also a given name or surname (Jordan, Chad, Washington,
  Lima, London, Paris) is rejected when a capitalised word is glued to it on either side
  (Michael Jordan, Chad Smith, Jordan Bardella, George Washington, Washington Post,
  Paris Agreement), unless that word is in a short list of function words and titles
  that keep the state reading ("In Jordan", "Washington DC", "Jordan King Abdullah").
- ``oman``/``amman``: unvocalised Arabic/Persian ``عمان`` is Oman unless the sentence is
  about Jordan (``oman_reading``). ``misr``: Arabic ``الوزير مصر على`` is "insisting", not
  Egypt. ``hodu``: Hebrew ``הודו ל...`` is "thanked", not India.
- ``language_use``: a Latin-script adjective that names a language ("speaks Russian",
  "em português", "O português é língua oficial", "Russian-language") is not the country.
- capitals next to a university word (Ankara Üniversitesi, University of Tehran) are the
  institution, not the state.
- ``georgia``: Georgia/Géorgie/ジョージア/조지아 is the US state when the sentence has US cues
  (Atlanta, governor, county, a neighbouring state, ...) and no cues for the country
  (Tbilisi, Caucasus, Russia, Abkhazia, ...).
"""

from __future__ import annotations

import re

_NEXT_OK = frozenset(
    {
        "DC",
        "D.C.",
        "Defense",
        "Defence",
        "Army",
        "Navy",
        "Police",
        "Foreign",
        "Prime",
        "President",
        "King",
        "Queen",
        "Minister",
        "Ministry",
        "Government",
        "Embassy",
        "Airways",
        "On",
        "In",
        "And",
        "Or",
        "But",
        "Says",
        "Said",
        "Insists",
        "Warns",
        "Rejects",
        "Calls",
        "To",
        "With",
    }
)
_PREV_OK = frozenset(
    {
        "In",
        "From",
        "To",
        "And",
        "With",
        "For",
        "Of",
        "By",
        "At",
        "On",
        "Hashemite",
        "Neighbouring",
        "Neighboring",
        "Western",
        "Official",
        "Officials",
        "Between",
        "Then",
        "But",
        "While",
        "Both",
        "Like",
        "As",
        "Unlike",
        "Including",
        "Says",
        "Said",
        "Told",
        "Visits",
        "Visited",
        "Today",
        "Yesterday",
        "Now",
        "When",
        "If",
        "Since",
        "After",
        "Before",
        "Although",
        "Though",
        "Why",
        "How",
        "Where",
        "Meanwhile",
        "Also",
        "Only",
        "Even",
        "Neither",
        "Either",
        "Whether",
        "Because",
        "So",
        "Last",
        "This",
        "Next",
        "Here",
        "There",
        "Yet",
        "Still",
        "Under",
        "Against",
        "Over",
        "En",
        "Au",
        "Le",
        "La",
        "Et",
        "Dans",
        "Desde",
        "Em",
        "No",
        "Na",
        "Di",
        "Da",
        "Del",
        "De",
        "Y",
        "E",
        "Il",
        "Los",
        "Las",
        "El",
        "O",
        "I",
        "Och",
        "Till",
        "Ve",
        "Ile",
        "Dan",
        "Ke",
        "Dari",
    }
)
_PREV_WORD = re.compile(r"([A-ZÀ-ÖØ-Þ][\w'’.-]*) $")
_NEXT_WORD = re.compile(r" ([A-ZÀ-ÖØ-Þ][\w.]*)")


def person_like(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` reads as part of a person's (or brand's) name."""
    nxt = _NEXT_WORD.match(text, end)
    if nxt and nxt.group(1) not in _NEXT_OK:
        return True
    prev = _PREV_WORD.search(text, max(0, start - 40), start)
    return bool(prev and prev.group(1) not in _PREV_OK)


_US_CUES = re.compile(
    r"\b(atlanta|savannah|augusta|governor|gov\.|county|counties|state senate|state house|"
    r"state legislature|secretary of state brad|peach state|fulton|kemp|raffensperger|warnock|ossoff|"
    r"georgia tech|university of georgia|bulldogs|alabama|florida|tennessee|carolina|texas|arizona|"
    r"pennsylvania|michigan|wisconsin|nevada|ohio|virginia|u\.s\. state|us state|american state|"
    r"estado de georgia|état de géorgie|bundesstaat|stato della georgia|delstaten|negara bagian|"
    r"republicans?|democrats?|primaries|primary|senate runoff|state lottery|état du sud|état américain|"
    r"southern state|iowa|kansas|nebraska|kentucky|mississippi|louisiana|oklahoma|missouri|minnesota|"
    r"illinois|indiana|colorado|utah|oregon|montana|idaho|dakota|stanie|stanu|eyalet\w*|guvern\w*|"
    r"gouverneur|governador|gobernador|governatore|bang|država)\b|アトランタ|애틀랜타|亚特兰大|州|주지사|ولاية|राज्य",
    re.IGNORECASE,
)
_COUNTRY_CUES = re.compile(
    r"\b(tbilisi|tiflis|caucasus|caucase|kaukasus|cáucaso|caucaso|kavkas|abkhazia|abkhazie|abchasien|"
    r"ossetia|ossétie|ossetien|georgian dream|kobakhidze|zourabichvili|zurabishvili|saakashvili|"
    r"ivanishvili|kremlin|russia|russie|russland|rusia|rússia|russia|rusland|ryssland|rosja|"
    r"black sea|soviet|eu candidate|nato)\b|トビリシ|트빌리시|第比利斯",
    re.IGNORECASE,
)


def us_state_georgia(text: str) -> bool:
    """True when "Georgia" in ``text`` is the US state rather than the country."""
    return bool(_US_CUES.search(text)) and not _COUNTRY_CUES.search(text)


# -- Arabic/Persian عمان: Oman (عُمان) or Amman (عمّان)? -----------------------------------
_JORDAN_CUES = re.compile(r"الأردن|الاردن|أردني|اردني|اردن|الهاشمية")
_OMAN_CUES = re.compile(
    r"مسقط|سلطنة|عماني|عمانی|الخليج|خليج|خلیج|اليمن|یمن|الحوثي|حوثی|هرمز|قابوس|هيثم|البوسعيدي"
)


def oman_reading(text: str, start: int, end: int) -> bool:
    """True when the unvocalised ``عمان`` at ``text[start:end]`` is Oman rather than Amman.

    Vocalisation decides when present (shadda: Amman; damma: Oman); otherwise Amman needs a
    Jordan cue in the sentence and no Oman/Gulf cue. Oman is the default reading."""
    span = text[start:end]
    if "\u0651" in span:
        return False
    if "\u064f" in span:
        return True
    return not (_JORDAN_CUES.search(text) and not _OMAN_CUES.search(text))


# -- Arabic مصر "Egypt" vs مُصِرّ "insisting" ("الوزير مصر على أن ...") ---------------------
_MISR_PREV = re.compile(r"(?:^|\s)(?:ال\w+|[إأا]نه|لأنه|هو|كان|ظل|يزال|زال|بات)\s+$")
_MISR_NEXT = re.compile(r"ّ|\s+على\b")


def insisting_not_egypt(text: str, start: int, end: int) -> bool:
    """True when ``مصر`` reads as the adjective مُصِرّ: a shadda, or "the X / إنه / كان مصر على"."""
    if "\u0651" in text[start : end + 1]:
        return True
    return bool(_MISR_NEXT.match(text, end) and _MISR_PREV.search(text, max(0, start - 30), start))


# -- Hebrew הודו "India" vs the verb "they thanked/admitted" ---------------------------------
_HODU_VERB = re.compile(r"\s+(?:ל(?!א\b|אחר|פני)\w+|על\s|כי\b|ש\w+|ב\w+\s+ש)")


def thanked_not_india(text: str, end: int) -> bool:
    """True when ``הודו`` is followed by what a verb takes: ``לְ``-object, ``כי``, ``על``."""
    return bool(_HODU_VERB.match(text, end))


# -- a capital that names an institution (Ankara University, Universität Wien) ----------------
_UNIVERSITY = re.compile(
    r"(?:university|universität|université|universidad|universidade|università|universiteit|universitet|"
    r"uniwersytet|üniversite|universitas|университет|університет|دانشگاه|جامعة|大学|대학)",
    re.IGNORECASE,
)


def university_like(text: str, start: int, end: int) -> bool:
    """True when a university word touches the capital on either side (within one word)."""
    after = text[end : end + 20]
    before = text[max(0, start - 22) : start]
    return bool(
        _UNIVERSITY.match(after.lstrip(" '’-"))
        or re.search(_UNIVERSITY.pattern + r"\w*\s+(?:of\s+|de\s+|di\s+|)$", before, re.IGNORECASE)
    )


# -- an adjective used as a language name ("O português é língua oficial", "en español") ------
_SPEAK = frozenset(
    [
        "speak",
        "speaks",
        "spoke",
        "speaking",
        "habla",
        "hablan",
        "hablar",
        "hablaba",
        "fala",
        "falam",
        "falar",
        "falava",
        "parla",
        "parlano",
        "parlare",
        "parlava",
        "parle",
        "parlent",
        "parler",
        "parlait",
        "spricht",
        "sprechen",
        "sprach",
        "talar",
        "talade",
        "talas",
        "spreekt",
        "spreken",
        "sprak",
        "mówi",
        "mówią",
        "mówić",
        "língua",
        "lengua",
        "lingua",
        "langue",
        "idioma",
        "sprache",
        "språket",
        "språk",
        "taal",
        "język",
        "into",
    ]
)
_LANG_NOUN = frozenset(
    [
        "language",
        "língua",
        "lengua",
        "lingua",
        "langue",
        "idioma",
        "sprache",
        "språk",
        "språket",
        "taal",
        "język",
    ]
)
_COPULA = frozenset(["é", "es", "è", "est", "ist", "är", "is"])
_LANG_PREP = frozenset(["en", "em", "in", "auf", "på"])
_CONJ = frozenset(["and", "or", "y", "e", "o", "ou", "et", "und", "oder", "och", "eller", "en", "of", "i"])
_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


def _word_before(text: str, start: int) -> str:
    i = start
    while i > 0 and not text[i - 1].isalpha():
        i -= 1
        if start - i > 3:
            return ""
    j = i
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] in "'’-"):
        j -= 1
    return text[j:i].lower()


def language_use(text: str, start: int, end: int) -> bool:
    """True when the adjective at ``text[start:end]`` names a language, not the country."""
    prev = _word_before(text, start)
    if prev in _SPEAK:
        return True
    rest = text[end : end + 40]
    if rest.startswith("-language"):
        return True
    nxt = [w.lower() for w in _WORDS.findall(rest, 0, 40)[:3]] if rest[:1] == " " else []
    if nxt and nxt[0] in _LANG_NOUN:
        return True
    if (
        len(nxt) >= 2
        and nxt[0] in _COPULA
        and (nxt[1] in _LANG_NOUN or (len(nxt) > 2 and nxt[2] in _LANG_NOUN))
    ):
        return True
    if prev in _LANG_PREP:
        stripped = rest.lstrip()
        return not stripped or not stripped[0].isalpha() or (bool(nxt) and nxt[0] in _CONJ)
    return False


# -- Thai titles: นายจอร์แดน สมิธ "Mr Jordan Smith" is a person ----------------------------
_TH_TITLES = ("นาย", "นางสาว", "นาง", "คุณ", "ดร.", "ด.ช.", "ด.ญ.")
# Words that end in a title but are none: ขอบคุณ "thank", ขอบพระคุณ, บุญคุณ "gratitude", ทนาย "lawyer",
# เจ้านาย "boss" (Thai has no spaces: ขอบคุณญี่ปุ่น is "thank Japan", not "Khun Japan")
_TH_NOT_TITLES = ("ขอบคุณ", "ขอบพระคุณ", "บุญคุณ", "พระคุณ", "ทนาย", "เจ้านาย")


def thai_titled(text: str, start: int) -> bool:
    """True when a Thai title (Mr, Mrs, Miss, Khun, Dr) stands right before ``text[start:]``."""
    before = text[max(0, start - 12) : start].rstrip(" ")
    return before.endswith(_TH_TITLES) and not before.endswith(_TH_NOT_TITLES)


# -- Korean 주 "resident in" before a full name: 주러시아 대사 "the ambassador to Russia" ----
_KO_ENVOY = re.compile(r" ?(?:대사관|대사|총영사관|총영사|영사관|영사|공사|특파원|미군|한국)")


def korean_envoy(text: str, end: int) -> bool:
    """True when a diplomatic noun follows ``text[:end]`` (the 주 prefix reads "resident in")."""
    return _KO_ENVOY.match(text, end) is not None


# -- Swahili Ki- words: the language (anazungumza Kichina) or, after an associative
#    connector, the adjective (watalii wa Kichina "Chinese tourists") -----------------------
_SW_CONNECTOR = re.compile(r"(\w+) (wa|ya|za|la|cha|vya|pa) $")


def swahili_associative(text: str, start: int) -> bool:
    """True when ``text[start:]`` (a Ki- word) follows wa/ya/za/... and not "lugha ya"."""
    m = _SW_CONNECTOR.search(text, max(0, start - 40), start)
    return bool(m) and m.group(1).lower() not in ("lugha", "kwa")


# -- Polish "mali" (small, masculine-personal plural) before a plural noun: not Mali -------
_PL_PLURAL_NOUN = re.compile(r" [a-ząćęłńóśźż]+(?:cy|dzy|owie|dzie|nci|rze|li)\b")


_PL_PREPOSITION = re.compile(
    r"\b(?:w|we|do|z|ze|na|o|od|dla|wobec|przez|przeciw|nad|pod|przed|za|po|u|ku) $", re.I
)


def polish_small(text: str, start: int, end: int) -> bool:
    """True when "Mali" at ``text[start:end]`` is followed by a masculine-personal plural noun
    or past-tense verb ("Mali chłopcy", "Mali ludzie") and not governed by a preposition
    (the country is indeclinable: "W Mali żołnierze przejęli władzę")."""
    if _PL_PREPOSITION.search(text, max(0, start - 8), start):
        return False
    return _PL_PLURAL_NOUN.match(text, end) is not None
