"""One schema for every training source: a sentence, its labelled targets and/or a sentence label."""

from __future__ import annotations

from dataclasses import dataclass, field

from inference.heads import DEFAULT_SENTENCE_HEAD, PAIR_LABELS, head
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, check_label

Span = tuple[int, int]


@dataclass
class Target:
    """A labelled target in a sentence: one entity (a country or any actor) with all its mention spans."""

    spans: list[Span]
    country: str | None = None  # ISO alpha-3 when the target is a country
    detail: str | None = None  # five-way detail toward the target (None: not labelled by the source)
    sentiment: str | None = None  # negative / neutral / positive (None: not labelled)

    def __post_init__(self) -> None:
        if not self.spans:
            raise ValueError("a target needs at least one span")
        if self.detail is not None:
            check_label(self.detail, DETAIL_LABELS, "detail")
        if self.sentiment is not None:
            check_label(self.sentiment, SENTIMENT_LABELS, "sentiment")


@dataclass
class Pair:
    """An ordered pair of an example's targets (indices into ``Example.targets``) and its relation:
    one of ``inference.heads.PAIR_LABELS``, ``"none"`` for a pair the sentence does not relate."""

    source: int
    target: int
    label: str
    intensity: float | None = None  # PLOVER/Goldstein -10..+10 where the data gives one

    def __post_init__(self) -> None:
        check_label(self.label, PAIR_LABELS, "pair")
        if self.source == self.target:
            raise ValueError(f"a pair needs two different targets, got ({self.source}, {self.target})")


@dataclass
class Example:
    """A sentence with whatever labels its source gives.

    ``group`` keys examples that must stay in the same split (e.g. the row of a UN sentence,
    shared by its en/es/ar translations).
    """

    id: str
    source: str
    lang: str
    text: str
    targets: list[Target] = field(default_factory=list)
    sentence_detail: str | None = None
    group: str = ""
    pairs: list[Pair] = field(default_factory=list)  # labelled ordered pairs of targets (dyads)
    sentence_head: str = DEFAULT_SENTENCE_HEAD  # the head ``sentence_detail`` trains (set per source)

    def __post_init__(self) -> None:
        if self.sentence_detail is not None:
            check_label(self.sentence_detail, DETAIL_LABELS, "sentence detail")
        if head(self.sentence_head).arity != "sentence":
            raise ValueError(f"{self.id}: sentence_head {self.sentence_head!r} is not a sentence head")
        for pair in self.pairs:
            if not (0 <= pair.source < len(self.targets) and 0 <= pair.target < len(self.targets)):
                raise ValueError(
                    f"{self.id}: pair ({pair.source}, {pair.target}) names a target outside its "
                    f"{len(self.targets)} targets"
                )
        for t in self.targets:
            for s, e in t.spans:
                if not 0 <= s < e <= len(self.text):
                    raise ValueError(
                        f"span ({s}, {e}) outside the text of {self.id} ({len(self.text)} chars)"
                    )
        if not self.group:
            self.group = self.id


@dataclass
class BadRow:
    """A row a reader could not turn into an example; reported, never silently dropped."""

    source: str
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class ReadResult:
    examples: list[Example]
    bad_rows: list[BadRow]
