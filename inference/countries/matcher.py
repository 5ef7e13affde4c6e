"""The matcher: every normalised stem in one sorted list, built once.

At every position where a stem may start, a small trie regex over the stems' first eight
characters rejects most positions; where one matches, a binary search over the sorted
stems finds the longest stem that starts there (every stem that is a prefix of the text
there is that neighbour or one of its own prefixes, looked up in a precomputed table). A
trie regex over all ~60,000 stems matched as fast but took seconds to compile. Each candidate is then checked: language hint, left
boundary (or an allowed proclitic), tail (the rest of the word must be an allowed
ending), case, and the context rules. Overlaps resolve deterministically: longest span
first, then leftmost, then table order (blockers, curated rows, CLDR rows).

The identified language is asked for only when it can change the answer: a word whose
stems belong to more than one language (or to a ``hint`` alias), or a run of Han
abbreviations. Most sentences of the news name no country, and many name countries in
words only one language has; they never pay for identification.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from ..results import CountryMention
from . import rules
from .inflect import allowed_prefix
from .normalize import normalize, script_of
from .table import Entry

_CJK = frozenset({"han", "kata", "hira", "hangul"})
_ADJ = frozenset({"adj", "demonym"})
_LANGUAGE_RULE = frozenset({"en", "fr", "es", "pt", "it", "de", "nl", "sv", "pl"})
_RULE_FLAGS = frozenset({"georgia", "oman", "amman", "misr", "hodu", "kilang", "mali"})
# Languages whose names take case suffixes but never inside a person's name: an inflected
# "Parisin" (Azerbaijani genitive) is not a given name before a surname.
_SUFFIXING = frozenset({"tr", "az", "kk", "uz", "fi", "et", "hu"})


# Characters of a stem in the per-character trie regexes: long enough to reject most
# positions in C, short enough to compile in a fraction of a second (all stems: ~2 s).
_HEAD = 8


def _trie_regex(words: list[str]) -> str:
    """A regex matching the longest of ``words`` that starts at a position."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        kids = sorted(k for k in node if k)
        if not kids:
            return ""
        alts = [re.escape(k) + emit(node[k]) for k in kids]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            body = "(?:" + body + ")?"
        return body

    return emit(trie)


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    stem_end: int
    entry: Entry
    foreign: bool = False  # the entry's language is neither the hint nor the identified one


# Positions where a stem may start: a word start, right after a glued political prefix
# (``prorosyjski``, ``антиамериканский``, ``filorusso``: adjectives only, see inflect.py), or
# anywhere in scripts whose names take prefixes (Arabic, Hebrew, Amharic) or have no spaces (CJK, Thai).
_ELIGIBLE = re.compile(
    r"(?<!\w)\w|[\u0590-\u06ff\u0750-\u077f\u0e00-\u0e7f\u1200-\u137f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]"
)
_PREFIXED = re.compile(r"\b(?:pro|anti|filo|pror|про|анти)(?=\w)")
# Korean 대 "toward/against" glued to a full name (대중국, 대베트남): see inflect.allowed_prefix.
_KO_DAE = re.compile(r"(?<!\w)[대주](?=[\uac00-\ud7a3])")


def _same_letters(span: str, alias: str) -> bool:
    """Whether ``span`` spells ``alias`` with the same diacritics (case and spacing aside)."""
    return (
        unicodedata.normalize("NFC", span).casefold().split()
        == unicodedata.normalize("NFC", alias).casefold().split()
    )


def _left_state(norm: str, pos: int, first: str) -> bool | None:
    """Whether a stem starting at ``pos`` (first character of script ``first``) has a valid
    left boundary for every row (``True``), for none (``False``), or it depends on the row's
    language and kind (``None``: see :meth:`Matcher._left_ok`)."""
    if pos == 0:
        return True
    prev = script_of(norm[pos - 1])
    if first == "han" or first == "thai":
        return True
    if first == "kata":
        return prev != first
    if first == "hangul":
        return True if prev != first else None
    return True if prev != "word" else None


class Matcher:
    """Finds country mentions; build once and reuse (sorted stems, small head regexes compiled
    per first character on first use)."""

    def __init__(self, index: dict[str, list[Entry]]) -> None:
        self.index = index
        self.stems: list[str] = sorted(index)
        self.max_len = max(map(len, self.stems), default=1)
        # The heads of the stems (their first ``_HEAD`` characters; shorter stems whole) in
        # one small trie regex per first character: most positions of a text are rejected
        # there, in C. ``head_ranges`` says where the stems with each full-length head lie.
        self.head_ranges: dict[str, tuple[int, int]] = {}
        heads: set[str] = set()
        for i, stem in enumerate(self.stems):
            head = stem[:_HEAD]
            heads.add(head)
            if len(head) == _HEAD:
                lo, _ = self.head_ranges.get(head, (i, i))
                self.head_ranges[head] = (lo, i + 1)
        # Compiled on first use (:meth:`_head_regex`): compiling them all took over a second, and
        # a text in one script meets a few dozen first characters.
        self.head_rests: dict[str, list[str]] = {}
        for head in sorted(heads):
            self.head_rests.setdefault(head[0], []).append(head[1:])
        self.heads: dict[str, re.Pattern[str]] = {}
        # Single Han characters that abbreviate a state inside compounds (中, 美, 日, 韩, 老...),
        # per language: a run of three or more of them ("美英法德", "日豪印米") names each one.
        self.han_abbr: dict[str, dict[str, str]] = {}
        for entries in index.values():
            for entry in entries:
                if entry.kind != "compound" or "-" in entry.countries or entry.lang not in ("zh", "ja", "ko"):
                    continue
                if all(n == 1 for n in entry.seg_lens) and len(entry.alias.replace("|", "")) == len(
                    entry.countries
                ):
                    for ch, country in zip(entry.alias.split("|"), entry.countries, strict=True):
                        if script_of(ch) == "han":
                            self.han_abbr.setdefault(entry.lang, {}).setdefault(ch, country)
        han_chars = "".join(sorted({c for m in self.han_abbr.values() for c in m}))
        self.han_run = re.compile("[" + re.escape(han_chars) + "]{3,}") if han_chars else None
        # The languages each stem's rows belong to (equal sets shared: most stems have one).
        interned: dict[frozenset[str], frozenset[str]] = {}
        self.stem_langs: dict[str, frozenset[str]] = {}
        for stem, entries in index.items():
            langs = frozenset(e.lang for e in entries)
            self.stem_langs[stem] = interned.setdefault(langs, langs)
        # Every stem's shorter stems that are prefixes of it, longest first. In sorted order
        # the stems that are prefixes of a stem form a stack in front of it.
        self.shorter: dict[str, tuple[str, ...]] = {}
        # Stems whose reading may depend on the language (hint or identified): the stem and
        # its shorter prefixes hold rows of more than one language (``*`` included) or a
        # ``hint`` row. Elsewhere the language changes nothing, so it is not identified.
        self.lang_dependent: set[str] = set()
        chain_langs: dict[str, frozenset[str]] = {}
        stack: list[str] = []
        for stem in self.stems:
            while stack and not stem.startswith(stack[-1]):
                stack.pop()
            langs = self.stem_langs[stem]
            hinted = any("hint" in e.flags for e in index[stem])
            if stack:
                parent = stack[-1]
                self.shorter[stem] = tuple(reversed(stack))
                langs = langs | chain_langs[parent]
                hinted = hinted or parent in self.lang_dependent
            chain_langs[stem] = interned.setdefault(langs, langs)
            if hinted or len(langs) > 1:
                self.lang_dependent.add(stem)
            stack.append(stem)

    @classmethod
    def default(cls) -> Matcher:
        """The matcher of the shipped tables (their index read from the cache: ``index_cache``)."""
        from .index_cache import gc_paused, load_index

        with gc_paused():
            return cls(load_index())

    def find(
        self,
        text: str,
        lang: str | None = None,
        detected: str | None = None,
        *,
        identify: Callable[[str], str | None] | None = None,
    ) -> list[CountryMention]:
        """Mentions in ``text``. ``lang`` (the caller's hint) and ``detected`` (the identified
        language) turn on the aliases flagged ``hint`` and win ties; they hide nothing.

        Without either, ``identify`` (if given) names the language of ``text``; it is called
        at most once, and only when the language can change the answer.
        """
        norm, offsets = normalize(text)
        active = frozenset(x for x in (lang, detected) if x)
        pending = identify if not active else None
        han = self.han_run is not None and self.han_run.search(norm) is not None
        if pending is not None and han:
            detected = pending(text)
            active, pending = frozenset(x for x in (detected,) if x), None
        cands: list[_Candidate] = []
        stems, shorter, index, stem_langs = self.stems, self.shorter, self.index, self.stem_langs
        dependent, max_len, heads, head_ranges = (
            self.lang_dependent,
            self.max_len,
            self.heads,
            self.head_ranges,
        )
        n_norm = len(norm)
        starts = [e.start() for e in _ELIGIBLE.finditer(norm)]
        if "pro" in norm or "anti" in norm or "filo" in norm or "про" in norm or "анти" in norm:
            starts.extend(p.end() for p in _PREFIXED.finditer(norm))
        if "대" in norm or "주" in norm:
            starts.extend(p.end() for p in _KO_DAE.finditer(norm))
        identified_late = False
        for pos in starts:
            # The longest stem that is a prefix of the text here: its sorted neighbour or one
            # of the neighbour's own prefixes.
            head_re = heads.get(norm[pos])
            if head_re is None:
                head_re = self._head_regex(norm[pos])
                if head_re is None:
                    continue
            head = head_re.match(norm, pos + 1)
            if head is None:
                continue
            head_end = head.end()
            if head_end - pos < _HEAD:  # a head shorter than _HEAD is a whole stem
                longest = norm[pos:head_end]
            else:
                lo, hi = head_ranges[norm[pos:head_end]]
                i = bisect_right(stems, norm[pos : pos + max_len], lo, hi)
                if i > lo:
                    longest = stems[i - 1]
                    if not norm.startswith(longest, pos):
                        for prefix in shorter.get(longest, ()):
                            if norm.startswith(prefix, pos):
                                longest = prefix
                                break
                        else:
                            continue
                else:  # no long stem here: the longest short one, if any
                    for k in range(_HEAD - 1, 0, -1):
                        longest = norm[pos : pos + k]
                        if longest in index:
                            break
                    else:
                        continue
            if pending is not None and longest in dependent:
                detected = pending(text)
                active, pending = frozenset(x for x in (detected,) if x), None
                identified_late = True
            first = script_of(norm[pos])
            left = _left_state(norm, pos, first)
            if left is False:
                continue
            own = False
            for stem in (longest, *shorter.get(longest, ())):
                last = script_of(stem[-1])
                word_end = pos + len(stem)
                tail = None
                if last == "word" or last == "hangul":
                    while word_end < n_norm and script_of(norm[word_end]) == last:
                        word_end += 1
                    tail = norm[pos + len(stem) : word_end]
                # A word the active language has a stem for is read at that stem and shorter
                # ones by that language's rows alone (its person/case rules decide "Jordan",
                # "fine china" in English, "Jordan Chiles" in Spanish); longer stems of other
                # languages are read too ("Israeli" in Tagalog), and ties go to the active
                # language (_resolve). When the language was only identified (no hint), its
                # stem must also read the word (a row whose endings fit), so a wrong guess
                # ("Amerikanerne" read as Swedish) hides nothing.
                if not own and active and not active.isdisjoint(stem_langs[stem]):
                    own = lang is not None or any(
                        e.lang in active and (tail is None or tail in e.endings or "isolated" in e.flags)
                        for e in index[stem]
                    )
                for entry in index[stem]:
                    if own and entry.lang not in active and entry.lang != "*":
                        continue
                    # the rest of the word must be one of the row's endings (most rows fail here)
                    if tail is not None and tail not in entry.endings and "isolated" not in entry.flags:
                        continue
                    cand = self._check(
                        text, norm, offsets, pos, stem, entry, active, first, last, word_end, left
                    )
                    if cand is not None:
                        cands.append(cand)
        if identified_late:
            # rows read before the language was known: one language each, so only their
            # tie-break flag depends on it
            for cand in cands:
                cand.foreign = cand.entry.lang not in active and cand.entry.lang != "*"
        if han:
            cjk = next((x for x in (lang, detected) if x in ("zh", "ja", "ko")), None)
            cands.extend(self._han_runs(norm, cjk))
        return self._resolve(text, offsets, cands)

    def _head_regex(self, first: str) -> re.Pattern[str] | None:
        """The head regex of the stems that start with ``first`` (compiled once), or None."""
        rests = self.head_rests.get(first)
        if rests is None:
            return None
        pattern = self.heads[first] = re.compile(_trie_regex(rests))
        return pattern

    def _han_runs(self, norm: str, lang: str | None) -> list[_Candidate]:
        out: list[_Candidate] = []
        for m in self.han_run.finditer(norm):
            for lg in (lang,) if lang else ("zh", "ja", "ko"):
                table = self.han_abbr.get(lg, {})
                run = m.group()
                if all(ch in table for ch in run):
                    countries = tuple(table[ch] for ch in run)
                    if len(set(countries)) == len(countries):
                        # order after every table row: a listed compound ("中|吉|乌") wins a tie
                        entry = Entry(
                            countries,
                            (1,) * len(run),
                            lg,
                            "compound",
                            "",
                            frozenset(),
                            frozenset({""}),
                            True,
                            1 << 30,
                            "|".join(run),
                        )
                        out.append(_Candidate(m.start(), m.end(), m.end(), entry))
                        break
        return out

    # -- candidate checks -------------------------------------------------------------
    def _check(
        self,
        text: str,
        norm: str,
        offsets: list[int],
        pos: int,
        stem: str,
        entry: Entry,
        active: frozenset[str],
        first: str,
        last: str,
        word_end: int,
        left: bool | None,
    ) -> _Candidate | None:
        """``first``/``last``: the scripts of the stem's first and last characters;
        ``word_end``: where the run of ``last``-script characters after the stem ends;
        ``left``: :func:`_left_state` at ``pos``."""
        if "hint" in entry.flags and entry.lang not in active:
            return None
        if left is None and not self._left_ok(norm, pos, first, entry):
            return None
        end = pos + len(stem)
        tail_end = end
        if "hyphen" in entry.flags and not norm.startswith("-", end):
            return None
        if "isolated" in entry.flags:
            if (
                end < len(norm) and (script_of(norm[end]) in ("han", "kata", "hira") or norm[end].isdigit())
            ) or (
                pos > 0 and (script_of(norm[pos - 1]) in ("han", "kata", "hira") or norm[pos - 1].isdigit())
            ):
                return None
        elif last == "word" or last == "hangul":
            tail_end = word_end
            if norm[end:tail_end] not in entry.endings:
                return None
        elif last == "kata" and end < len(norm) and script_of(norm[end]) == "kata":
            return None
        o_start = offsets[pos]
        if "exact" in entry.flags and not _same_letters(text[o_start : offsets[end - 1] + 1], entry.alias):
            return None
        if entry.case and not self._case_ok(text, o_start, offsets[end - 1] + 1, entry.case):
            return None
        span_end = tail_end if entry.tail_in_span else end
        if (
            "person" in entry.flags
            and not (tail_end > end and entry.lang in _SUFFIXING)
            and rules.person_like(text, o_start, offsets[span_end - 1] + 1)
        ):
            return None
        if entry.lang == "th" and rules.thai_titled(text, o_start):
            return None
        if (
            entry.lang == "ko"
            and pos > 0
            and norm[pos - 1] == "주"
            and not rules.korean_envoy(text, offsets[span_end - 1] + 1)
        ):
            return None
        if entry.flags and not entry.flags.isdisjoint(_RULE_FLAGS):
            flags = entry.flags
            if "georgia" in flags and rules.us_state_georgia(text):
                return None
            o_end = offsets[end - 1] + 1
            if "oman" in flags and not rules.oman_reading(text, o_start, o_end):
                return None
            if "amman" in flags and rules.oman_reading(text, o_start, o_end):
                return None
            if "misr" in flags and rules.insisting_not_egypt(text, o_start, o_end):
                return None
            if "hodu" in flags and rules.thanked_not_india(text, o_end):
                return None
            if "kilang" in flags and rules.swahili_associative(text, o_start):
                return None  # a blocker of the language reading, off after wa/ya/za...
            if "mali" in flags and not rules.polish_small(text, o_start, offsets[tail_end - 1] + 1):
                return None  # a blocker of Polish "mali" (small), on before a plural noun
        if (
            entry.kind in _ADJ
            and entry.lang in _LANGUAGE_RULE
            and rules.language_use(text, o_start, offsets[span_end - 1] + 1)
        ):
            return None
        if entry.kind == "capital" and rules.university_like(text, o_start, offsets[span_end - 1] + 1):
            return None
        return _Candidate(pos, span_end, end, entry, entry.lang not in active and entry.lang != "*")

    @staticmethod
    def _left_ok(norm: str, pos: int, first: str, entry: Entry) -> bool:
        """The left boundary where :func:`_left_state` depends on the row (it returned ``None``): a
        Hangul stem glued to Hangul, or a stem glued to a word of its script."""
        if first == "hangul":
            # only a glued 대 before a full name of two or more syllables (대중국, 대베트남)
            return (
                (pos == 1 or script_of(norm[pos - 2]) != "hangul")
                and sum(entry.seg_lens) >= 2
                and allowed_prefix(entry.lang, norm[pos - 1 : pos], entry.kind)
            )
        start = pos - 1
        while start > 0 and script_of(norm[start - 1]) == "word":
            start -= 1
        return allowed_prefix(entry.lang, norm[start:pos], entry.kind)

    @staticmethod
    def _case_ok(text: str, start: int, end: int, rule: str) -> bool:
        span = text[start:end]
        if rule == "upper":
            return not any(c.islower() for c in span)
        # the first letter must not be lower case (uncased scripts pass)
        head = span[:1]
        if head.isalpha():
            return not head.islower()
        return not next((c for c in span if c.isalpha()), "").islower()

    # -- overlap resolution ---------------------------------------------------------
    @staticmethod
    def _resolve(text: str, offsets: list[int], cands: list[_Candidate]) -> list[CountryMention]:
        if not cands:
            return []
        # Longest first; on equal length a single name beats a compound ("巴西" over "以巴"),
        # then a reading of the hinted/identified language beats another language's (Chinese
        # "中美" over Japanese "在中" in "在中美之间"), then the leftmost, then the longer
        # literal stem (less inflection), then table order.
        if len(cands) > 1:
            cands.sort(
                key=lambda c: (
                    c.start - c.end,
                    len(c.entry.countries) > 1,
                    c.foreign and c.entry.kind != "block",  # a blocker blocks in any language
                    c.start,
                    c.start - c.stem_end,
                    c.entry.order,
                )
            )
        # Occupied positions of the normalised text: linear in the text, not quadratic in the
        # number of candidates (a multi-megabyte article has ~10^5 of them).
        taken = bytearray(max((c.end for c in cands), default=0))
        mentions: list[CountryMention] = []
        for cand in cands:
            if taken.find(1, cand.start, cand.end) != -1:
                continue
            taken[cand.start : cand.end] = b"\x01" * (cand.end - cand.start)
            countries = cand.entry.countries
            if len(countries) == 1:  # one country: the whole span (most candidates)
                if countries[0] != "-":
                    o_start, o_end = offsets[cand.start], offsets[cand.end - 1] + 1
                    mentions.append(CountryMention(countries[0], o_start, o_end, text[o_start:o_end]))
                continue
            seg_start = cand.start
            n_seg = len(countries)
            for i, (country, length) in enumerate(zip(countries, cand.entry.seg_lens, strict=True)):
                seg_end = cand.end if i == n_seg - 1 else seg_start + length
                if country != "-":
                    o_start, o_end = offsets[seg_start], offsets[seg_end - 1] + 1
                    mentions.append(CountryMention(country, o_start, o_end, text[o_start:o_end]))
                seg_start = seg_end
        if len(mentions) > 1:
            mentions.sort(key=lambda m: (m.start, m.end, m.country))
        return mentions
