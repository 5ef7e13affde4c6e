"""Dyad precision / recall / F1 over ``(source, target, stance)`` triples, and the co-occurrence baseline.

Per sentence, the gold triples are its labelled pairs whose label is not ``none`` (stance = the collapse
of the detail); the predicted triples are the pairs the model finds related (``inference.dyads``).
Counts are summed over sentences (micro). The *direction-free* scores compare ``({a, b}, stance)``, so
the gap between the two is the cost of direction errors.

The **co-occurrence baseline** relates every ordered pair of countries that share a non-neutral stance
in the sentence (both directions), read from the gold per-country labels (``cooc_gold``: an oracle for
the per-country readings) and from the model's own per-country readings (``cooc_model``: what a user of
the target head alone would get). It can never get a one-way relation's direction right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from inference.dyads import PairReading, triples
from inference.heads import NO_RELATION
from inference.labels import DETAIL_TO_STANCE

from .examples import Example

Triple = tuple[str, str, str]


def _name(example: Example, index: int) -> str:
    return example.targets[index].country or f"#{index}"


def gold_triples(example: Example) -> list[Triple]:
    return [
        (_name(example, p.source), _name(example, p.target), DETAIL_TO_STANCE[p.label])
        for p in example.pairs
        if p.label != NO_RELATION
    ]


def predicted_triples(example: Example, readings: Sequence[PairReading]) -> list[Triple]:
    return [
        (_name(example, p.source), _name(example, p.target), r.stance)
        for p, r in zip(example.pairs, readings, strict=True)
        if r.related
    ]


def cooccurrence_triples(example: Example, stances: Sequence[str | None]) -> list[Triple]:
    """Every ordered labelled pair whose two countries have the same non-neutral stance."""
    out = []
    for p in example.pairs:
        a, b = stances[p.source], stances[p.target]
        if a is not None and a == b and a != "neutral":
            out.append((_name(example, p.source), _name(example, p.target), a))
    return out


def count(gold: Sequence[Triple], pred: Sequence[Triple], counts: Counter[str], prefix: str) -> None:
    """Add the true positives, predictions and gold items of one sentence, directed and direction-free."""
    for directed, key in ((True, prefix), (False, f"{prefix}_undirected")):
        g, p = triples(gold, directed=directed), triples(pred, directed=directed)
        counts[f"{key}_tp"] += len(g & p)
        counts[f"{key}_pred"] += len(p)
        counts[f"{key}_gold"] += len(g)


def prf(counts: Counter[str], key: str) -> dict[str, float]:
    tp, pred, gold = counts[f"{key}_tp"], counts[f"{key}_pred"], counts[f"{key}_gold"]
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {f"{key}_p": p, f"{key}_r": r, f"{key}_f1": f}


def dyad_scores(counts: Counter[str]) -> dict[str, Any]:
    """P/R/F1 of the model (``dyad``) and both baselines, directed and direction-free."""
    out: dict[str, Any] = {}
    for key in ("dyad", "cooc_gold", "cooc_model"):
        for variant in (key, f"{key}_undirected"):
            if counts[f"{variant}_gold"] or counts[f"{variant}_pred"]:
                out.update(prf(counts, variant))
    out["n_dyad_pairs"] = counts["pairs"]
    out["n_dyads"] = counts["cooc_gold_gold"]  # the gold dyads, counted whether or not the model reads pairs
    return out


def count_example(
    counts: Counter[str],
    example: Example,
    readings: Sequence[PairReading] | None,
    predicted_details: Sequence[str],
) -> None:
    """Add one example's dyads (model, when ``readings`` is given, and both baselines) to ``counts``."""
    if not example.pairs:
        return
    gold = gold_triples(example)
    counts["pairs"] += len(example.pairs)
    if readings is not None:
        count(gold, predicted_triples(example, readings), counts, "dyad")
    gold_stances = [DETAIL_TO_STANCE[t.detail] if t.detail else None for t in example.targets]
    count(gold, cooccurrence_triples(example, gold_stances), counts, "cooc_gold")
    model_stances = [DETAIL_TO_STANCE[d] for d in predicted_details]
    count(gold, cooccurrence_triples(example, model_stances), counts, "cooc_model")


def format_dyad_table(results: dict[str, Any]) -> str:
    """Per data set and language: the model's dyad P/R/F1, directed and direction-free, beside the
    co-occurrence baseline's (gold and model stances). Empty when no data set has dyads."""
    columns = [
        ("model", "dyad"),
        ("model, no direction", "dyad_undirected"),
        ("co-occ. gold stances", "cooc_gold"),
        ("co-occ. model stances", "cooc_model"),
    ]
    head = f"{'data set':<12} {'lang':<5} {'dyads':>6} " + " ".join(f"{name:>22}" for name, _ in columns)
    sub = f"{'':<12} {'':<5} {'':>6} " + " ".join(f"{'P     R     F1':>22}" for _ in columns)
    lines = []
    for name, res in results.items():
        for lang, m in sorted(res["by_lang"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
            if "n_dyad_pairs" not in m:
                continue
            cells = []
            for _, key in columns:
                if f"{key}_f1" in m:
                    cells.append(f"{m[f'{key}_p']:.3f} {m[f'{key}_r']:.3f} {m[f'{key}_f1']:.3f}".rjust(22))
                else:
                    cells.append(f"{'-':>22}")
            lines.append(f"{name:<12} {lang:<5} {m['n_dyads']:>6} " + " ".join(cells))
    if not lines:
        return ""
    return "\n".join([head, sub, "-" * len(head), *lines])
