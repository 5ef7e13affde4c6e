"""Small typed result objects returned by the public API.

Every offset is a character offset into the text the caller passed in.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CountryMention:
    """One place where ``text`` names a country (ISO 3166-1 alpha-3 ``country``)."""

    country: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of an article with its character span ``[start, end)`` in the article."""

    index: int
    start: int
    end: int
    text: str


@dataclass(slots=True)
class SentenceResult:
    """Event reported by a sentence as a whole (no target)."""

    sentence: str
    stance: str
    detail: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class TargetResult:
    """Stance, detail and sentiment toward the span ``sentence[start:end]``."""

    sentence: str
    start: int
    end: int
    stance: str
    detail: str
    sentiment: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class StanceResult:
    """One (sentence, country) pair of an article.

    ``start``/``end`` are the sentence's offsets in the article, ``mentions`` the
    article offsets of each place the sentence names ``country``.
    ``scores`` maps each reading (``"stance"``, ``"detail"``, ``"sentiment"``)
    to its label probabilities.
    """

    sentence_index: int
    sentence: str
    start: int
    end: int
    country: str
    mentions: list[tuple[int, int]]
    stance: str
    detail: str
    sentiment: str
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class DyadResult:
    """One directed relation ``source -> target`` that a sentence of an article reports.

    ``start``/``end`` are the sentence's offsets in the article; ``source_mentions`` and
    ``target_mentions`` the article offsets of each place the sentence names the two countries.
    ``intensity`` is the expected PLOVER/Goldstein score (-10..+10) given that the pair is related
    (formula in ``inference.dyads``); ``scores`` holds ``"pair"`` (``none`` and the five details)
    and ``"stance"`` (given related) probabilities.
    """

    sentence_index: int
    sentence: str
    start: int
    end: int
    source: str
    target: str
    stance: str
    detail: str
    intensity: float
    source_mentions: list[tuple[int, int]]
    target_mentions: list[tuple[int, int]]
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
