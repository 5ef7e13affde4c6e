"""The registry of the model's heads: one place that model, collation, loss, evaluation and card read.

A head is a name, its label list (order fixed here, never from data), its *arity* and the example
field that feeds it:

- ``sentence``: one reading per sentence (from the sentence mean), labelled by ``Example.sentence_detail``;
  a sentence label goes to the head its source chooses (``data.sources[*].sentence_head``), so
  ``sentence_detail_un`` can learn UN QuadClass apart from CAMEO, which draw verbal/material differently;
- ``target``: one reading per target (a country's mentions), labelled by ``Target.<field>``;
- ``pair``: one reading per *ordered* pair of targets (source -> target) in a sentence, labelled by
  ``Example.pairs``; ``none`` is an explicit class for an ordered pair the sentence does not relate.

A model directory records which heads it has (``config.json`` -> ``diplostance.heads``); a directory
written before the registry has the first three (``LEGACY_HEADS``). Adding a head: one ``HeadSpec``
here (plus, for a new arity, its reading in ``modeling.StanceModel.forward``).
"""

from __future__ import annotations

from dataclasses import dataclass

from .labels import DETAIL_LABELS, SENTIMENT_LABELS

ARITIES = ("sentence", "target", "pair")
NO_RELATION = "none"
PAIR_LABELS: tuple[str, ...] = (NO_RELATION, *DETAIL_LABELS)


@dataclass(frozen=True)
class HeadSpec:
    name: str
    labels: tuple[str, ...]
    arity: str  # "sentence" | "target" | "pair"
    field: str  # the example field that feeds it (Example.sentence_detail, Target.detail, Example.pairs...)
    description: str = ""

    def __post_init__(self) -> None:
        if self.arity not in ARITIES:
            raise ValueError(f"head {self.name!r}: arity {self.arity!r}; expected one of {list(ARITIES)}")


HEADS: dict[str, HeadSpec] = {
    spec.name: spec
    for spec in (
        HeadSpec("detail", DETAIL_LABELS, "target", "detail", "five-way detail toward a country"),
        HeadSpec("sentiment", SENTIMENT_LABELS, "target", "sentiment", "sentiment toward a country"),
        HeadSpec(
            "sentence_detail", DETAIL_LABELS, "sentence", "sentence_detail", "five-way detail of the sentence"
        ),
        HeadSpec(
            "sentence_detail_un",
            DETAIL_LABELS,
            "sentence",
            "sentence_detail",
            "five-way detail of the sentence, as UN QuadClass draws it (sources with sentence_head)",
        ),
        HeadSpec("pair", PAIR_LABELS, "pair", "pairs", "relation source -> target ('none': unrelated)"),
    )
}
LEGACY_HEADS: tuple[str, ...] = ("detail", "sentiment", "sentence_detail")  # models saved before the registry
DEFAULT_SENTENCE_HEAD = "sentence_detail"  # what classify_sentences reads
DEFAULT_HEADS: tuple[str, ...] = LEGACY_HEADS


def head(name: str) -> HeadSpec:
    """The registered head ``name``; ValueError naming the known heads otherwise."""
    try:
        return HEADS[name]
    except KeyError:
        raise ValueError(f"unknown head {name!r}; known heads: {', '.join(HEADS)}") from None


def heads_of(names: tuple[str, ...] | list[str], arity: str) -> list[HeadSpec]:
    """The heads among ``names`` with ``arity``, in registry order."""
    return [spec for spec in HEADS.values() if spec.name in names and spec.arity == arity]


def check_heads(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """``names`` in registry order, each checked; the required ``detail``/``sentiment``/``sentence_detail``
    heads must be there (the public API reads them)."""
    for name in names:
        head(name)
    missing = [name for name in LEGACY_HEADS if name not in names]
    if missing:
        raise ValueError(f"heads {list(names)} lack the required head(s) {missing}")
    return tuple(name for name in HEADS if name in names)
