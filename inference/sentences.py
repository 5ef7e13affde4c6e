"""A rule-based multilingual sentence splitter that keeps character offsets.

Splits after terminal punctuation of Latin, Cyrillic, Greek, Arabic, Devanagari and CJK scripts
(``. ! ? … 。 ！ ？ ؟ ۔ । ॥``) followed by an optional closing quote or bracket, unless the period
ends a known abbreviation (Mr., Dr., U.S., No., z. B., т. е. ...), an initial, an ordinal
("13. Dezember") or a number ("3.5"). Blank lines always end a sentence. Sentences longer than
``max_chars`` are cut at the last clause boundary (``, ; :`` dashes, brackets) before the limit,
else at the last whitespace, so memory stays bounded on pathological input (a megabyte without
punctuation). The encoder reads a long sentence through windows around its mentions, cut at
clause boundaries too (:func:`clause_boundaries`, ``encoding.mention_windows``).
"""

from __future__ import annotations

import re

from .results import Sentence

# Lower-cased abbreviations (without their final period) after which a period does not end a sentence.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mme",
        "mlle",
        "dr",
        "dra",
        "drs",
        "prof",
        "sr",
        "sra",
        "srta",
        "jr",
        "st",
        "ste",
        "mt",
        "no",
        "nos",
        "nr",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "cf",
        "al",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "col",
        "lt",
        "maj",
        "capt",
        "cmdr",
        "adm",
        "sgt",
        "gov",
        "sen",
        "rep",
        "pres",
        "amb",
        "min",
        "dept",
        "est",
        "fig",
        "inc",
        "ltd",
        "corp",
        "co",
        "bros",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "u.s.a",
        "d.c",
        "p.m",
        "a.m",
        "ph.d",
        "z.b",
        "u.a",
        "bzw",
        "ca",
        "mio",
        "mrd",
        "nr",
        "str",
        "vgl",
        "ggf",
        "dt",
        "sog",
        "inkl",
        "evtl",
        "usw",
        "d.h",
        "av",
        "ap",
        "art",
        "pág",
        "núm",
        "tel",
        "ee.uu",
        "т.е",
        "т.н",
        "т.д",
        "т.п",
        "г",
        "гг",
        "ок",
        "обл",
        "млн",
        "млрд",
        "тыс",
        "руб",
        "чел",
        "см",
        "им",
        "ул",
    ]
)
_TERMINAL = "!?…。！？؟۔।॥"
_CLOSERS = "\"'»”’)]）」』"
_BOUNDARY = re.compile(
    rf"(?P<end>[.{_TERMINAL}]+[{re.escape(_CLOSERS)}]*)(?P<space>\s+|(?<=[。！？」』）])|$)"
)
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NOSPACE_TERMINAL = frozenset("。！？")
# Spanish writes the plural of an abbreviation by doubling its letters, spaced: "EE. UU." (Estados Unidos),
# "FF. AA.", "RR. HH.". A doubled capital's period does not end a sentence when another such pair follows.
_DOUBLED_BEFORE = re.compile(r"(?:^|[\s(\"'«“‘\[])([^\W\d_])\1$")
_DOUBLED_AFTER = re.compile(r"\s+([^\W\d_])\1\.")


def _ends_with_abbreviation(before: str) -> bool:
    match = _WORD_BEFORE.search(before)
    if not match:
        return False
    word = match.group(1).lstrip("(\"'«“‘[")
    low = word.lower()
    if low in ABBREVIATIONS:
        return True
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith", "т. е." handled above
        return True
    if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", word):  # dotted acronym: U.S, e.g, z.B
        return True
    return bool(re.fullmatch(r"\d{1,2}", word))  # ordinal: "13. Dezember"


def _doubled_pair(before: str, after: str) -> bool:
    """``before`` ends in a doubled capital ("EE") and ``after`` starts with the next pair ("` UU.`")."""
    first, second = _DOUBLED_BEFORE.search(before), _DOUBLED_AFTER.match(after)
    return bool(first and second and first.group(1).isupper() and second.group(1).isupper())


def _split_paragraph(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _BOUNDARY.finditer(text, start, end):
        stop = match.end("end")
        punct = match.group("end")
        after = text[match.end() : match.end() + 1]
        if punct[0] == "." and len(punct.rstrip(_CLOSERS)) == 1:
            if _ends_with_abbreviation(text[cursor : match.start()]):
                continue
            if _doubled_pair(text[cursor : match.start()], text[match.end("end") : match.end("end") + 8]):
                continue
            if after and (after.islower() or after.isdigit()):
                continue
        elif punct[-1] not in _NOSPACE_TERMINAL and after and after.islower() and not match.group("space"):
            continue
        spans.append((cursor, stop))
        cursor = match.end()
    if cursor < end:
        spans.append((cursor, end))
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Where a clause may end inside a sentence: after , ; : and closing brackets, around dashes and
# opening brackets, at line breaks (Latin, CJK and Arabic punctuation).
_CLAUSE = re.compile(r"[,;:)\]}、，；：،؛]+\s*|\s+[(\[{]|\s+[—–-]+\s+|[—–]+|\n+")


def clause_boundaries(text: str, start: int = 0, end: int | None = None) -> list[int]:
    """Sorted positions in ``[start, end]`` where a clause of ``text`` may start or end (both ends
    included): the end of each clause punctuation run (with its trailing space)."""
    end = len(text) if end is None else end
    bounds = [start]
    bounds += [m.end() for m in _CLAUSE.finditer(text, start, end) if start < m.end() < end]
    bounds.append(end)
    return sorted(set(bounds))


def _cap(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    while end - start > max_chars:
        cut = start + max_chars
        clauses = [b for b in clause_boundaries(text, start + max_chars // 2, cut)[1:-1]]
        space = max(
            text.rfind(" ", start + max_chars // 2, cut), text.rfind("\n", start + max_chars // 2, cut)
        )
        cut = clauses[-1] if clauses else space if space > start else cut
        out.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        out.append((start, end))
    return out


def split_sentences(text: str, max_chars: int = 1000) -> list[Sentence]:
    """Split ``text`` into sentences with ``[start, end)`` offsets into ``text``.

    Empty or whitespace-only text gives ``[]``; a non-string raises ``TypeError``.
    """
    if not isinstance(text, str):
        raise TypeError(f"split_sentences expects a str, got {type(text).__name__}")
    if max_chars < 20:
        raise ValueError(f"max_chars={max_chars} is too small; use at least 20")
    sentences: list[Sentence] = []
    para_start = 0
    bounds = [m.span() for m in _PARAGRAPH.finditer(text)] + [(len(text), len(text))]
    for para_end, next_start in bounds:
        for s, e in _split_paragraph(text, para_start, para_end):
            s, e = _strip(text, s, e)
            for cs, ce in _cap(text, s, e, max_chars):
                cs, ce = _strip(text, cs, ce)
                if ce > cs:
                    sentences.append(Sentence(len(sentences), cs, ce, text[cs:ce]))
        para_start = next_start
    return sentences
