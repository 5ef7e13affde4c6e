"""The few context rules that a dictionary cannot express. Each is tested.

- ``person``: an alias that is also a given name or surname (Jordan, Chad, Washington,
  Lima, London, Paris) is rejected when a capitalised word is glued to it on either side
  (Michael Jordan, Chad Smith, Jordan Bardella, George Washington, Washington Post,
  Paris Agreement), unless that word is in a short list of function words and titles
  that keep the state reading ("In Jordan", "Washington DC", "Jordan King Abdullah").
- ``georgia``: Georgia/Géorgie/ジョージア/조지아 is the US state when the sentence has US cues
  (Atlanta, governor, county, a neighbouring state, ...) and no cues for the country
  (Tbilisi, Caucasus, Russia, Abkhazia, ...).
"""

from __future__ import annotations

import re

_NEXT_OK = frozenset(
    {
        "DC", "D.C.", "Defense", "Defence", "Army", "Navy", "Police", "Foreign", "Prime", "President",
        "King", "Queen", "Minister", "Ministry", "Government", "Embassy", "Airways", "On", "In",
        "And", "Or", "But", "Says", "Said", "Insists", "Warns", "Rejects", "Calls", "To", "With",
    }
)
_PREV_OK = frozenset(
    {
        "In", "From", "To", "And", "With", "For", "Of", "By", "At", "On", "Hashemite", "Neighbouring",
        "Neighboring", "Western", "Official", "Officials", "Between", "Then", "But", "While", "Both",
        "Like", "As", "Unlike", "Including", "Says", "Said", "Told", "Visits", "Visited", "Today",
        "Yesterday", "Now", "When", "If", "Since", "After", "Before", "Although", "Though", "Why", "How",
        "Where", "Meanwhile", "Also", "Only", "Even", "Neither", "Either", "Whether", "Because", "So",
        "Last", "This", "Next", "Here", "There", "Yet", "Still", "Under", "Against", "Over",
        "En", "Au", "Le", "La", "Et", "Dans", "Desde", "Em", "No", "Na", "Di", "Da", "Del", "De", "Y", "E",
        "Il", "Los", "Las", "El", "O", "I", "Och", "Till", "Ve", "Ile", "Dan", "Ke", "Dari",
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
    r"republicans?|democrats?|primaries|primary|senate runoff)\b|アトランタ|애틀랜타|亚特兰大|州|주지사",
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
