"""Leak-proof groups: sentences that are the same after normalisation, or near-copies of each other
(one wire story edited twice, a sentence extended by a clause), share a group, so they always sit on
the same side of a split.

Readers already group what they know (a UN row and its translations, a RuSentNE sentence and its
entities). :func:`merge_near_duplicates` adds what only the text shows: within each language, any two
sentences where at least ``threshold`` of the shorter one's word 3-grams occur in the other are joined (union-find over
the readers' groups, so a join in English also binds the Spanish and Arabic translations).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

from .examples import Example

_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Casefolded, without diacritics or punctuation, white space folded: what "the same text" means."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    bare = (c for c in decomposed if unicodedata.category(c) != "Mn")  # diacritics off
    return _SPACE.sub(" ", "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in bare)).strip()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # deterministic root: the smaller name


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    """Word ``n``-grams of the normalised text (the whole text as one shingle when it is shorter)."""
    words = text.split()
    if len(words) <= n:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicate_pairs(
    texts: Sequence[str], threshold: float, *, n: int = 3, max_posting: int = 50
) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose normalised texts are equal, or where at least ``threshold``
    of the shorter text's word ``n``-grams occur in the other (containment: an edited or extended copy).

    ``n``-grams shared by more than ``max_posting`` texts ("one of the") are too common to signal a copy
    and are not indexed, which keeps this linear in practice.
    """
    normed = [normalise(t) for t in texts]
    grams = [shingles(t, n) for t in normed]
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i, g in enumerate(grams):
        for gram in g:
            postings[gram].append(i)
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for docs in postings.values():
        if 1 < len(docs) <= max_posting:
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    shared[docs[x], docs[y]] += 1
    pairs = {
        (i, j) for (i, j), k in shared.items() if k >= threshold * max(1, min(len(grams[i]), len(grams[j])))
    }
    first: dict[str, int] = {}
    for i, t in enumerate(normed):
        if t and t in first:
            pairs.add((first[t], i))
        first.setdefault(t, i)
    return sorted(pairs)


def merge_near_duplicates(examples: Sequence[Example], threshold: float) -> int:
    """Rewrite ``example.group`` so near-duplicates share one group; returns how many groups were merged."""
    uf = _UnionFind()
    by_lang: dict[str, list[Example]] = defaultdict(list)
    for e in examples:
        uf.find(e.group)
        by_lang[e.lang].append(e)
    merged = 0
    for group in by_lang.values():
        for i, j in near_duplicate_pairs([e.text for e in group], threshold):
            a, b = uf.find(group[i].group), uf.find(group[j].group)
            if a != b:
                uf.union(a, b)
                merged += 1
    for e in examples:
        e.group = uf.find(e.group)
    return merged
