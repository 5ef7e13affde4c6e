"""Directed dyads: decoding the pair head into source -> target relations (../shared/guidelines/dyads.md).

The pair head gives, for every ordered pair (A, B) of different countries a sentence names, the
probabilities of ``none`` (the sentence does not relate A to B) and of the five details.

Decoding (the same in the API, the batch scorer and evaluation):

- the pair is **related** when ``p(none) < RELATED_THRESHOLD`` (0.5), i.e. the five relation classes
  together outweigh ``none``; unrelated pairs are left out of the results;
- among related pairs, ``stance`` = the stance whose summed detail probabilities are largest, and
  ``detail`` = the most probable detail under it (the hierarchical decoding of ``decode_detail``);
- ``intensity`` = the expected PLOVER/Goldstein score given that the pair is related::

      intensity = sum_c p(c) * GOLDSTEIN[c] / (1 - p(none)),   c over the five details

  with ``GOLDSTEIN`` the mean Goldstein weight of the CAMEO root codes each class groups
  (neutral 0: 01; verbal cooperation +2.9: 02-05; material cooperation +6.0: 06-08;
  verbal conflict -3.8: 09-13; material conflict -7.7: 14-20), on the -10..+10 scale.

Symmetric relations come out as both directions; nothing forces the two to agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .heads import NO_RELATION, PAIR_LABELS
from .labels import DETAIL_LABELS, DETAIL_TO_STANCE, STANCE_LABELS

RELATED_THRESHOLD = 0.5
GOLDSTEIN: dict[str, float] = {
    "neutral": 0.0,
    "verbal_cooperation": 2.9,  # appeal 3.0, intend to cooperate 4.0, consult 1.0, diplomatic cooperation 3.5
    "material_cooperation": 6.0,  # material cooperation 6.0, provide aid 7.0, yield 5.0
    "verbal_conflict": -3.8,  # investigate -2.0, demand -5.0, disapprove -2.0, reject -4.0, threaten -6.0
    "material_conflict": -7.7,  # protest -6.5, force posture -7.2, reduce relations -4.0, coerce -7.0,
    # assault -9.0, fight -10.0, mass violence -10.0
}
_STANCE_DETAILS = {s: [d for d in DETAIL_LABELS if DETAIL_TO_STANCE[d] == s] for s in STANCE_LABELS}


@dataclass
class PairReading:
    """A decoded pair: ``related`` False means the pair is left out of the results."""

    related: bool
    stance: str
    detail: str
    intensity: float
    scores: dict[str, dict[str, float]]


def decode_pairs(probs: Any) -> list[PairReading]:
    """Decode pair probabilities: a (P x 6) tensor or a list of rows, columns in ``PAIR_LABELS`` order.

    Plain Python (no torch needed), so the batch engines and their tests can decode without it.
    """
    rows = probs.float().tolist() if hasattr(probs, "float") else [list(map(float, r)) for r in probs]
    out = []
    for row in rows:
        p = dict(zip(PAIR_LABELS, row, strict=True))
        related_mass = max(1.0 - p[NO_RELATION], 1e-9)
        stance_mass = {s: sum(p[d] for d in details) for s, details in _STANCE_DETAILS.items()}
        stance = max(STANCE_LABELS, key=stance_mass.__getitem__)
        detail = max(_STANCE_DETAILS[stance], key=p.__getitem__)
        intensity = sum(p[d] * GOLDSTEIN[d] for d in DETAIL_LABELS) / related_mass
        scores = {
            "pair": {label: round(v, 6) for label, v in p.items()},
            "stance": {s: round(m / related_mass, 6) for s, m in stance_mass.items()},
        }
        out.append(
            PairReading(p[NO_RELATION] < RELATED_THRESHOLD, stance, detail, round(intensity, 4), scores)
        )
    return out


def ordered_pairs(n: int) -> list[tuple[int, int]]:
    """Every ordered pair of ``n`` targets: (0, 1), (0, 2), ..., (1, 0), ..."""
    return [(a, b) for a in range(n) for b in range(n) if a != b]


def triples(dyads: Sequence[tuple[str, str, str]], *, directed: bool = True) -> set[tuple]:
    """``(source, target, stance)`` triples as a set; undirected: ``(frozenset({a, b}), stance)``."""
    if directed:
        return set(dyads)
    return {(frozenset((a, b)), stance) for a, b, stance in dyads}
