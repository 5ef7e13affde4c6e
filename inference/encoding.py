"""Turn sentences and target spans into model inputs (shared by inference and training).

A batch holds B sentences; each sentence carries zero or more *targets*, each target being one or
more character spans (all mentions of one country in the sentence). The encoder reads each sentence
once; a target is read from the tokens its spans cover (``target_mask``), so the cost of a sentence
does not grow with the number of countries it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

Span = tuple[int, int]


@dataclass
class EncodedItem:
    """A sentence and its targets (each a list of ``(start, end)`` character spans into ``text``)."""

    text: str
    targets: list[list[Span]] = field(default_factory=list)


def target_token_mask(offsets: Sequence[tuple[int, int]], spans: Sequence[Span], shift: int) -> list[float]:
    """1.0 for every token whose character range overlaps one of ``spans`` (shifted by the prefix)."""
    mask = [0.0] * len(offsets)
    for i, (a, b) in enumerate(offsets):
        if b <= a:  # special or padding token
            continue
        for s, e in spans:
            if a < e + shift and b > s + shift:
                mask[i] = 1.0
                break
    return mask


def encode(
    tokenizer,
    items: Sequence[EncodedItem],
    *,
    max_length: int,
    prefix: str = "",
) -> dict[str, torch.Tensor]:
    """Tokenize ``items`` into tensors for :class:`inference.modeling.StanceModel`.

    Returns ``input_ids``, ``attention_mask`` (B x T), ``target_index`` (N, the sentence of each
    target) and ``target_mask`` (N x T). A target whose tokens were all truncated away falls back to
    the whole sentence (``target_truncated`` marks it).
    """
    texts = [prefix + item.text for item in items]
    batch = tokenizer(
        texts,
        padding=True,
        truncation=True,
        max_length=max_length,
        # fewer distinct shapes (oneDNN compiles kernels per shape); must divide max_length
        pad_to_multiple_of=8 if max_length % 8 == 0 else None,
        return_offsets_mapping=True,
        return_tensors="pt",
    )
    offsets = batch.pop("offset_mapping").tolist()
    shift = len(prefix)
    index: list[int] = []
    masks: list[list[float]] = []
    truncated: list[bool] = []
    attention = batch["attention_mask"]
    for b, item in enumerate(items):
        for spans in item.targets:
            mask = target_token_mask(offsets[b], spans, shift)
            if not any(mask):
                mask = attention[b].to(torch.float32).tolist()
                truncated.append(True)
            else:
                truncated.append(False)
            index.append(b)
            masks.append(mask)
    seq_len = batch["input_ids"].shape[1]
    return {
        "input_ids": batch["input_ids"],
        "attention_mask": attention,
        "target_index": torch.tensor(index, dtype=torch.long),
        "target_mask": torch.tensor(masks, dtype=torch.float32).reshape(len(masks), seq_len),
        "target_truncated": torch.tensor(truncated, dtype=torch.bool),
    }
