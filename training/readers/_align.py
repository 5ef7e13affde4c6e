"""Locate the tokens of a tokenised sentence in its original text, tolerating small differences.

Tolerated: any whitespace between tokens, typographic vs straight quotes and apostrophes
(``’ ʼ ‘ ´`` vs ``'``, ``“ ” « »`` vs ``"``), diacritics (``Erdoğan`` vs ``Erdogan``), case,
zero-width / format characters, and a quote present on one side only.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

Span = tuple[int, int]

_QUOTES = {
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
}  # fmt: skip
_QUOTE_CHARS = frozenset("'\"") | frozenset(_QUOTES)
RESYNC_WINDOW = 40


@lru_cache(maxsize=4096)
def canon_char(ch: str) -> str:
    """The comparison form of one character: straight quotes, no diacritics, casefolded."""
    ch = _QUOTES.get(ch, ch)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base.casefold()


def _ignorable(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Mn", "Me")


def canon(s: str) -> str:
    return "".join(canon_char(c) for c in s if not _ignorable(c) and not c.isspace())


def _match_at(text: str, i: int, target: str) -> int | None:
    """End offset if the text from ``i`` spells ``target`` (in canonical form), else None."""
    j, k = 0, i
    while j < len(target):
        if k >= len(text):
            return None
        ch = text[k]
        if _ignorable(ch):
            k += 1
            continue
        cc = canon_char(ch)
        if not cc or not target.startswith(cc, j):
            return None
        j += len(cc)
        k += 1
    return k


def _skip_blank(text: str, i: int) -> int:
    while i < len(text) and (text[i].isspace() or _ignorable(text[i])):
        i += 1
    return i


def locate_tokens(text: str, tokens: list[str]) -> list[Span | None]:
    """Character span of each token in ``text`` (None where it cannot be found), left to right.

    Walks a cursor through the text; a token that does not start at the cursor is searched for a
    little further on (``RESYNC_WINDOW`` characters), so one odd token does not derail the rest.
    """
    out: list[Span | None] = []
    cursor = 0
    for tok in tokens:
        target = canon(tok)
        if not target:  # a zero-width token (format characters only)
            out.append(None)
            continue
        start = _skip_blank(text, cursor)
        end = _match_at(text, start, target)
        if end is None and start < len(text) and text[start] in _QUOTE_CHARS and tok[0] not in _QUOTE_CHARS:
            start = _skip_blank(text, start + 1)  # a quote the tokens lack
            end = _match_at(text, start, target)
        if end is None and all(c in _QUOTE_CHARS for c in tok):
            out.append(None)  # a quote the text lacks
            continue
        if end is None:
            for s in range(start + 1, min(len(text), start + RESYNC_WINDOW)):
                end = _match_at(text, s, target)
                if end is not None:
                    start = s
                    break
        if end is None:
            out.append(None)
            continue
        out.append((start, end))
        cursor = end
    return out


def span_of(tokens: list[str], located: list[Span | None], first: int, last: int) -> Span | None:
    """The character span of tokens ``first..last`` (inclusive), or None if a real token is missing."""
    spans = [located[i] for i in range(first, last + 1)]
    for i, s in zip(range(first, last + 1), spans, strict=True):
        if s is None and canon(tokens[i]) and not all(c in _QUOTE_CHARS for c in tokens[i]):
            return None
    found = [s for s in spans if s is not None]
    if not found:
        return None
    return found[0][0], found[-1][1]
