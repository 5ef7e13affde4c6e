"""Directed dyads in batch scoring: the rows of ``dyads.parquet`` and their per-article counts.

One row per article, sentence and related ordered pair (source -> target), with the article's
pass-through columns, as ``clf.classify_dyads`` gives them (``inference.dyads`` for the decoding).
A classifier that cannot read dyads (no pair head, or one without ``analyse_many``) gives none: the
file is still written, empty, so every run has the same outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from inference.batch.schema import MENTION, sentence_row_schema
from inference.heads import PAIR_LABELS
from inference.results import DyadResult

DYAD_PROB_COLUMNS: tuple[str, ...] = tuple(f"pair_p_{label}" for label in PAIR_LABELS)
ARTICLE_DYAD_COLUMNS: tuple[str, ...] = ("n_dyads_source", "n_dyads_target")


def reads_dyads(classifier: Any) -> bool:
    """Whether ``classifier`` gives dyads (``analyse_many`` and a pair head)."""
    return bool(getattr(classifier, "has_dyads", False)) and hasattr(classifier, "analyse_many")


def dyad_schema(passthrough: Sequence[str]) -> pa.Schema:
    fields = [
        # not "source"/"target": those are common input fields (a news source), passed through as such
        pa.field("source_country", pa.string()),
        pa.field("target_country", pa.string()),
        pa.field("source_mentions", pa.list_(MENTION)),
        pa.field("target_mentions", pa.list_(MENTION)),
        pa.field("stance", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("intensity", pa.float32()),
    ]
    return sentence_row_schema(passthrough, fields, DYAD_PROB_COLUMNS)


def empty_dyads(passthrough: Sequence[str]) -> dict[str, list[Any]]:
    return {name: [] for name in dyad_schema(passthrough).names}


def add_dyad_rows(
    out: dict[str, list[Any]],
    batch: dict[str, list[Any]],
    extra: Sequence[str],
    results: Sequence[Sequence[DyadResult]],
) -> None:
    """Append one row per dyad of ``results`` (one list per article of ``batch``) to ``out``."""
    for i, dyads in enumerate(results):
        for d in dyads:
            out["id"].append(batch["id"][i])
            for name in extra:
                out[name].append(batch[name][i])
            out["sentence_index"].append(d.sentence_index)
            out["start"].append(d.start)
            out["end"].append(d.end)
            out["sentence"].append(d.sentence)
            out["source_country"].append(d.source)
            out["target_country"].append(d.target)
            out["source_mentions"].append([{"start": int(s), "end": int(e)} for s, e in d.source_mentions])
            out["target_mentions"].append([{"start": int(s), "end": int(e)} for s, e in d.target_mentions])
            out["stance"].append(d.stance)
            out["detail"].append(d.detail)
            out["intensity"].append(float(d.intensity))
            probs = d.scores.get("pair", {})
            for label, column in zip(PAIR_LABELS, DYAD_PROB_COLUMNS, strict=True):
                value = probs.get(label)
                out[column].append(None if value is None else float(value))


def dyad_counts(dyads: dict[str, list[Any]] | None) -> dict[tuple[str, str], list[int]]:
    """(article id, country) -> [dyads it is the source of, dyads it is the target of]."""
    counts: dict[tuple[str, str], list[int]] = {}
    if not dyads:
        return counts
    for article_id, source, target in zip(
        dyads["id"], dyads["source_country"], dyads["target_country"], strict=True
    ):
        counts.setdefault((article_id, source), [0, 0])[0] += 1
        counts.setdefault((article_id, target), [0, 0])[1] += 1
    return counts
