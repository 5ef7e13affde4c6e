"""Turn sentences and target spans into model inputs (shared by inference and training).

A batch holds B sentences; each sentence carries zero or more *targets*, each target being one or
more character spans (all mentions of one country in the sentence). The encoder reads each sentence
once; a target is read from the tokens its spans cover (``target_mask``), so the cost of a sentence
does not grow with the number of countries it names.

With ``markers`` (a model's ``target_encoding="marked"``) each target instead gets its own row, its
mentions wrapped in the markers ("the [ Kremlin ] said"), so the encoder itself knows which country is
asked about: one encoder pass per target rather than per sentence. A sentence's own reading then comes
from its first row (``sentence_index``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

Span = tuple[int, int]


@dataclass
class EncodedItem:
    """A sentence and its targets (each a list of ``(start, end)`` character spans into ``text``);
    ``pairs``: ordered pairs ``(source, target)`` of indices into ``targets`` for the pair head."""

    text: str
    targets: list[list[Span]] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)


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


def mark_spans(text: str, spans: Sequence[Span], markers: tuple[str, str]) -> tuple[str, list[Span]]:
    """``text`` with each span wrapped in ``markers``, and the spans' new positions.

    Overlapping or touching spans are merged first, so markers never nest.
    """
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    opening, closing = markers
    parts: list[str] = []
    moved: list[Span] = []
    pos = shift = 0
    for s, e in merged:
        parts += [text[pos:s], opening, text[s:e], closing]
        start = s + shift + len(opening)
        moved.append((start, start + e - s))
        shift += len(opening) + len(closing)
        pos = e
    parts.append(text[pos:])
    return "".join(parts), moved


def _marked_rows(
    items: Sequence[EncodedItem], markers: tuple[str, str]
) -> tuple[list[EncodedItem], list[int]]:
    """One row per target with its mentions marked (one plain row for an item without targets) and,
    per item, the row its sentence reading comes from."""
    rows: list[EncodedItem] = []
    first: list[int] = []
    for item in items:
        first.append(len(rows))
        if not item.targets:
            rows.append(EncodedItem(item.text))
        for spans in item.targets:
            text, moved = mark_spans(item.text, spans, markers)
            rows.append(EncodedItem(text, [moved]))
    return rows, first


@dataclass
class TokenizedRow:
    """One row's token ids and character offsets, truncated but not padded."""

    ids: list[int]
    offsets: list[tuple[int, int]]


def tokenize_rows(
    tokenizer, items: Sequence[EncodedItem], *, max_length: int, prefix: str = ""
) -> list[TokenizedRow]:
    """Tokenize every item's text once, unpadded (one call for all items): their lengths size the
    batches (:func:`token_budget_batches`) and :func:`encode` pads them per batch."""
    if not items:
        return []
    batch = tokenizer(
        [prefix + item.text for item in items],
        truncation=True,
        max_length=max_length,
        return_offsets_mapping=True,
    )
    return [
        TokenizedRow(ids, offsets)
        for ids, offsets in zip(batch["input_ids"], batch["offset_mapping"], strict=True)
    ]


def padded_length(n: int, max_length: int) -> int:
    """The length a row of ``n`` tokens is padded to: the next multiple of 8 (when 8 divides
    ``max_length``; fewer distinct shapes for oneDNN's per-shape kernels)."""
    return -(-n // 8) * 8 if max_length % 8 == 0 else n


def pad_rows(
    tokenizer, rows: Sequence[TokenizedRow], max_length: int
) -> tuple[dict[str, torch.Tensor], list[list[tuple[int, int]]]]:
    """``input_ids`` and ``attention_mask`` of ``rows`` padded on the right as the tokenizer pads
    (``padding=True, pad_to_multiple_of=8``), and the padded offsets."""
    width = padded_length(max((len(r.ids) for r in rows), default=0), max_length)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    input_ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    offsets: list[list[tuple[int, int]]] = []
    for b, row in enumerate(rows):
        n = len(row.ids)
        input_ids[b, :n] = torch.tensor(row.ids, dtype=torch.long)
        attention[b, :n] = 1
        offsets.append(list(row.offsets) + [(0, 0)] * (width - n))
    return {"input_ids": input_ids, "attention_mask": attention}, offsets


def token_budget_batches(
    lengths: Sequence[int], rows: Sequence[int], *, max_tokens: int, max_length: int, max_rows: int
) -> list[list[int]]:
    """Indices of items grouped into batches: sorted by token length (``lengths``, per item; ties keep
    input order), each batch as many items as fit ``max_tokens`` padded tokens (rows x padded length,
    an item taking ``rows[i]`` encoder rows) and at most ``max_rows`` rows. A single item larger than
    the budget is a batch of its own."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    n_rows = 0
    for i in order:
        width = padded_length(min(lengths[i], max_length), max_length)
        if current and ((n_rows + rows[i]) * width > max_tokens or n_rows + rows[i] > max_rows):
            batches.append(current)
            current, n_rows = [], 0
        current.append(i)
        n_rows += rows[i]
    if current:
        batches.append(current)
    return batches


def encode(
    tokenizer,
    items: Sequence[EncodedItem],
    *,
    max_length: int,
    prefix: str = "",
    markers: tuple[str, str] | None = None,
    tokenized: Sequence[TokenizedRow] | None = None,
) -> dict[str, torch.Tensor]:
    """Tokenize ``items`` into tensors for :class:`inference.modeling.StanceModel`.

    Returns ``input_ids``, ``attention_mask`` (R x T, one row per item, or with ``markers`` one per
    target), ``target_index`` (N, the row of each target), ``target_mask`` (N x T) and ``pair_index``
    (P x 2, each item's ``pairs`` as indices among all N targets); with ``markers``
    also ``sentence_index`` (B, the row of each item's sentence reading). A target whose tokens were all
    truncated away falls back to the whole row (``target_truncated`` marks it).

    ``tokenized``: the items already tokenized by :func:`tokenize_rows` (one row each, same order), so
    a caller that sized its batches by token count does not tokenize twice (ignored with ``markers``).
    """
    pair_index: list[tuple[int, int]] = []
    first_target = 0  # targets are numbered in item order, whether items share a row or not
    for item in items:
        for s, t in item.pairs:
            if not (0 <= s < len(item.targets) and 0 <= t < len(item.targets)) or s == t:
                raise ValueError(
                    f"pair ({s}, {t}) must name two different targets of the {len(item.targets)} in {item.text!r:.60}"
                )
            pair_index.append((first_target + s, first_target + t))
        first_target += len(item.targets)
    sentence_rows: list[int] | None = None
    if markers is not None:
        items, sentence_rows = _marked_rows(items, markers)
    if tokenized is None or markers is not None:
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
    else:
        batch, offsets = pad_rows(tokenizer, tokenized, max_length)
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
    out = {
        "input_ids": batch["input_ids"],
        "attention_mask": attention,
        "target_index": torch.tensor(index, dtype=torch.long),
        "target_mask": torch.tensor(masks, dtype=torch.float32).reshape(len(masks), seq_len),
        "target_truncated": torch.tensor(truncated, dtype=torch.bool),
        "pair_index": torch.tensor(pair_index, dtype=torch.long).reshape(len(pair_index), 2),
    }
    if sentence_rows is not None:  # rows are targets: each item's sentence reading is one of them
        out["sentence_index"] = torch.tensor(sentence_rows, dtype=torch.long)
    return out
