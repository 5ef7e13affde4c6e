"""Mix sources into batches and turn examples into model inputs and label tensors."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

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


def collate(tokenizer, examples: Sequence[Example], *, max_length: int, prefix: str) -> dict[str, torch.Tensor]:
    """Model inputs plus ``labels_detail``/``labels_sentiment`` (per target) and ``labels_sentence_detail``."""
    items = [EncodedItem(e.text, [t.spans for t in e.targets]) for e in examples]
    batch = encode(tokenizer, items, max_length=max_length, prefix=prefix)
    batch["labels_detail"] = torch.tensor(
        [_DETAIL[t.detail] if t.detail else IGNORE for e in examples for t in e.targets], dtype=torch.long
    )
    batch["labels_sentiment"] = torch.tensor(
        [_SENTIMENT[t.sentiment] if t.sentiment else IGNORE for e in examples for t in e.targets], dtype=torch.long
    )
    batch["labels_sentence_detail"] = torch.tensor(
        [_DETAIL[e.sentence_detail] if e.sentence_detail else IGNORE for e in examples], dtype=torch.long
    )
    return batch
