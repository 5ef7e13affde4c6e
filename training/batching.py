"""Mix sources into batches and turn examples into model inputs and label tensors."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping, Sequence

import torch

from inference.encoding import EncodedItem, encode
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS

from .examples import Example

IGNORE = -100
_DETAIL = {label: i for i, label in enumerate(DETAIL_LABELS)}
_SENTIMENT = {label: i for i, label in enumerate(SENTIMENT_LABELS)}


def epoch_mixture(sources: Sequence[tuple[Sequence[Example], float]], rng: random.Random) -> list[Example]:
    """One epoch: ``weight x size`` examples of each source (subsampled or repeated), shuffled."""
    out: list[Example] = []
    for examples, weight in sources:
        if not examples or weight <= 0:
            continue
        target = round(weight * len(examples))
        whole, rest = divmod(target, len(examples))
        out += list(examples) * whole
        out += rng.sample(list(examples), rest)
    rng.shuffle(out)
    return out


def length_bucketed_batches(
    examples: Sequence[Example], batch_size: int, rng: random.Random, bucket: int = 50
) -> list[list[Example]]:
    """Batches of similar length (less padding), in random order."""
    batches: list[list[Example]] = []
    span = batch_size * bucket
    for start in range(0, len(examples), span):
        chunk = sorted(examples[start : start + span], key=lambda e: len(e.text))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def steps_per_epoch(n_examples: int, batch_size: int) -> int:
    return max(1, math.ceil(n_examples / batch_size))


ClassWeights = Mapping[str, Mapping[str, Mapping[str, float]]]  # source -> head -> label -> weight


def class_weights(examples: Sequence[Example], strength: float) -> dict[str, dict[str, float]]:
    """Per head and label, ``(max count / count) ** strength`` over ``examples`` (0: no balancing)."""
    counts: dict[str, Counter[str]] = {
        "detail": Counter(),
        "sentiment": Counter(),
        "sentence_detail": Counter(),
    }
    for e in examples:
        if e.sentence_detail:
            counts["sentence_detail"][e.sentence_detail] += 1
        for t in e.targets:
            if t.detail:
                counts["detail"][t.detail] += 1
            if t.sentiment:
                counts["sentiment"][t.sentiment] += 1
    return {
        head: {label: (max(c.values()) / n) ** strength for label, n in c.items()}
        for head, c in counts.items()
        if c
    }


def _weights(examples: Sequence[Example], weights: ClassWeights | None, head: str) -> torch.Tensor:
    def w(e: Example, label: str | None) -> float:
        if not label or weights is None:
            return 1.0
        return weights.get(e.source, {}).get(head, {}).get(label, 1.0)

    if head == "sentence_detail":
        return torch.tensor([w(e, e.sentence_detail) for e in examples], dtype=torch.float32)
    return torch.tensor([w(e, getattr(t, head)) for e in examples for t in e.targets], dtype=torch.float32)


def collate(
    tokenizer,
    examples: Sequence[Example],
    *,
    max_length: int,
    prefix: str,
    markers: tuple[str, str] | None = None,
    weights: ClassWeights | None = None,
) -> dict[str, torch.Tensor]:
    """Model inputs plus ``labels_<head>`` and ``weights_<head>`` for the three heads.

    ``weights`` (source -> head -> label -> weight) scales each labelled item's loss.
    """
    items = [EncodedItem(e.text, [t.spans for t in e.targets]) for e in examples]
    batch = encode(tokenizer, items, max_length=max_length, prefix=prefix, markers=markers)
    for head in ("detail", "sentiment", "sentence_detail"):
        batch[f"weights_{head}"] = _weights(examples, weights, head)
    batch["labels_detail"] = torch.tensor(
        [_DETAIL[t.detail] if t.detail else IGNORE for e in examples for t in e.targets], dtype=torch.long
    )
    batch["labels_sentiment"] = torch.tensor(
        [_SENTIMENT[t.sentiment] if t.sentiment else IGNORE for e in examples for t in e.targets],
        dtype=torch.long,
    )
    batch["labels_sentence_detail"] = torch.tensor(
        [_DETAIL[e.sentence_detail] if e.sentence_detail else IGNORE for e in examples], dtype=torch.long
    )
    return batch
