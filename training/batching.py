"""Mix sources into batches and turn examples into model inputs and label tensors."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import torch

from inference.encoding import EncodedItem, encode
from inference.heads import HEADS, HeadSpec

from .examples import Example

IGNORE = -100
T = TypeVar("T")


def epoch_mixture(sources: Sequence[tuple[Sequence[T], float]], rng: random.Random) -> list[T]:
    """One epoch: ``weight x size`` examples (or indices) of each source (subsampled or repeated), shuffled."""
    out: list[T] = []
    for examples, weight in sources:
        if not examples or weight <= 0:
            continue
        target = round(weight * len(examples))
        whole, rest = divmod(target, len(examples))
        out += list(examples) * whole
        out += rng.sample(list(examples), rest)
    rng.shuffle(out)
    return out


def _text_length(e: Example) -> int:
    return len(e.text)


def length_bucketed_batches(
    examples: Sequence[T],
    batch_size: int,
    rng: random.Random,
    bucket: int = 50,
    key: Callable[[T], int] = _text_length,  # type: ignore[assignment]
) -> list[list[T]]:
    """Batches of similar length (``key``, the text length by default: less padding), in random order."""
    batches: list[list[T]] = []
    span = batch_size * bucket
    for start in range(0, len(examples), span):
        chunk = sorted(examples[start : start + span], key=key)
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    return max(1, math.ceil(n_examples / batch_size))


ClassWeights = Mapping[str, Mapping[str, Mapping[str, float]]]  # source -> head -> label -> weight


def labelled_items(spec: HeadSpec, examples: Sequence[Example]) -> list[tuple[Example, str | None]]:
    """One ``(example, label or None)`` per item the head reads, in the model's output order:
    per example (sentence heads), per target (target heads) or per pair (pair heads)."""
    if spec.arity == "sentence":  # a sentence label trains the head its source chose
        return [(e, e.sentence_detail if e.sentence_head == spec.name else None) for e in examples]
    if spec.arity == "target":
        return [(e, getattr(t, spec.field)) for e in examples for t in e.targets]
    return [(e, p.label) for e in examples for p in getattr(e, spec.field)]


def class_weights(examples: Sequence[Example], strength: float) -> dict[str, dict[str, float]]:
    """Per head and label, ``(max count / count) ** strength`` over ``examples`` (0: no balancing)."""
    out: dict[str, dict[str, float]] = {}
    for spec in HEADS.values():
        c = Counter(label for _, label in labelled_items(spec, examples) if label)
        if c:
            out[spec.name] = {label: (max(c.values()) / n) ** strength for label, n in c.items()}
    return out


def collate(
    tokenizer,
    examples: Sequence[Example],
    *,
    max_length: int,
    prefix: str,
    markers: tuple[str, str] | None = None,
    weights: ClassWeights | None = None,
) -> dict[str, torch.Tensor]:
    """Model inputs plus ``labels_<head>`` and ``weights_<head>`` for every registered head.

    ``weights`` (source -> head -> label -> weight) scales each labelled item's loss.
    """
    items = [
        EncodedItem(e.text, [t.spans for t in e.targets], [(p.source, p.target) for p in e.pairs])
        for e in examples
    ]
    batch = encode(tokenizer, items, max_length=max_length, prefix=prefix, markers=markers)
    batch.update(label_tensors(examples, weights))
    return batch


def label_tensors(
    examples: Sequence[Example], weights: ClassWeights | None = None
) -> dict[str, torch.Tensor]:
    """``labels_<head>`` (IGNORE where unlabelled) and ``weights_<head>`` for every registered head."""
    batch: dict[str, torch.Tensor] = {}
    for spec in HEADS.values():
        index = {label: i for i, label in enumerate(spec.labels)}
        labelled = labelled_items(spec, examples)
        batch[f"labels_{spec.name}"] = torch.tensor(
            [index[label] if label else IGNORE for _, label in labelled], dtype=torch.long
        )
        batch[f"weights_{spec.name}"] = torch.tensor(
            [
                1.0
                if not label or weights is None
                else weights.get(e.source, {}).get(spec.name, {}).get(label, 1.0)
                for e, label in labelled
            ],
            dtype=torch.float32,
        )
    return batch
