"""Training sentences read inside longer text, as the classifier reads long sentences and records.

Training sentences are short (our own: median 20 tokens; CAMEO's: 32), while the classifier reads a
sentence of up to 128 tokens whole and a longer one through a window of up to ``WINDOW_CONTEXT`` tokens
around each country (``inference.encoding``). A model that never saw a relation inside unrelated text
can read "China protested to France" as neutral once agenda talk surrounds it (docs/ablations.md
sections 12-13). With ``data.sources[*].context`` > 0, that fraction of a source's training examples gets,
once per run, a copy whose sentence sits between other training sentences of its language (from any
source), joined with spaces. The copy replaces the example (``context_mode: replace``) or is added next to
it (``context_mode: add``: every sentence still trains as it is, with its sentence label):

- its targets keep their labels and pairs, their spans moved; the filler's own country mentions stay
  unlabelled and unmarked, as they are in a window at inference;
- its sentence label is dropped: it describes the sentence, not the text around it;
- the copy keeps the example's group, so the split rules hold; filler never comes from the same group.

Only examples with targets are used (a sentence label alone would be dropped), and only those no longer
than ``max_ratio`` x their language's median, so the copy fits the encoder with its targets inside.
"""

from __future__ import annotations

import random
import statistics
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from .examples import Example, Target

SEPARATOR = " "


def _moved(target: Target, shift: int) -> Target:
    return replace(target, spans=[(s + shift, e + shift) for s, e in target.spans])


def in_context(example: Example, left: Sequence[str], right: Sequence[str]) -> Example:
    """``example`` with ``left`` sentences before it and ``right`` after it; spans moved, sentence
    label dropped, targets, pairs and group kept."""
    head = "".join(t + SEPARATOR for t in left)
    tail = "".join(SEPARATOR + t for t in right)
    return replace(
        example,
        id=f"{example.id}#context",
        text=head + example.text + tail,
        targets=[_moved(t, len(head)) for t in example.targets],
        pairs=[replace(p) for p in example.pairs],
        sentence_detail=None,
    )


def _fill(rng: random.Random, pool: Sequence[Example], group: str, budget: int, tries: int = 8) -> list[str]:
    """Sentences of ``pool`` (none from ``group``) whose lengths, with separators, add up to at most
    ``budget`` characters; stops at the first draw that does not fit after ``tries`` misses."""
    out: list[str] = []
    misses = 0
    while misses < tries:
        pick = pool[rng.randrange(len(pool))]
        cost = len(pick.text) + len(SEPARATOR)
        if pick.group == group or cost > budget:
            misses += 1
            continue
        out.append(pick.text)
        budget -= cost
    return out


def with_context(
    train: Mapping[str, Sequence[Example]],
    fractions: Mapping[str, float],
    seed: int,
    *,
    max_ratio: float = 3.5,
    add: Collection[str] = (),
) -> tuple[dict[str, list[Example]], dict[str, int]]:
    """Per source, its training examples with ``fractions[source]`` of them (those with targets and
    short enough) replaced by :func:`in_context` copies, or followed by them for the sources named in
    ``add`` (the copies then come after all the originals); and per source how many copies were made.

    A copy is 2 to ``max_ratio`` times its sentence's length in characters and at most ``max_ratio`` times
    its language's median, the filler split at random between the two sides and drawn from the training
    sentences of every source in ``train`` in the same language.
    Deterministic in ``seed``; sources missing from ``fractions`` or at 0 are returned as they are.
    """
    pools: dict[str, list[Example]] = defaultdict(list)
    for examples in train.values():
        for e in examples:
            pools[e.lang].append(e)
    medians = {lang: statistics.median(len(e.text) for e in pool) for lang, pool in pools.items()}
    out: dict[str, list[Example]] = {}
    made: dict[str, int] = {}
    for name, examples in train.items():
        fraction = fractions.get(name, 0.0)
        if fraction <= 0:
            out[name] = list(examples)
            continue
        rng = random.Random(f"{seed}:context:{name}")
        usable = [
            i
            for i, e in enumerate(examples)
            if e.targets and len(pools[e.lang]) > 1 and len(e.text) <= max_ratio * medians[e.lang]
        ]
        chosen = set(rng.sample(usable, round(fraction * len(usable))))
        copies = list(examples)
        added: list[Example] = []
        for i in sorted(chosen):
            e = examples[i]
            extra = int(len(e.text) * (rng.uniform(2.0, max_ratio) - 1))
            extra = min(extra, int(max_ratio * medians[e.lang]) - len(e.text))
            share = rng.random()
            left = _fill(rng, pools[e.lang], e.group, int(extra * share))
            right = _fill(rng, pools[e.lang], e.group, extra - sum(len(t) + len(SEPARATOR) for t in left))
            if left or right:  # else nothing fitted: the sentence stays as it is, with its label, and no copy
                copy = in_context(e, left, right)
                if name in add:
                    added.append(copy)
                else:
                    copies[i] = copy
                made[name] = made.get(name, 0) + 1
        out[name] = copies + added
    return out, made


__all__ = ["in_context", "with_context"]
