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

from bisect import bisect_left, bisect_right
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
    lengths: Sequence[int],
    rows: Sequence[int],
    *,
    max_tokens: int,
    max_length: int,
    max_rows: int,
    min_tokens: int | None = None,
) -> list[list[int]]:
    """Indices of items grouped into batches: sorted by token length (``lengths``, per item; ties keep
    input order), each batch as many items as fit ``max_tokens`` padded tokens (rows x padded length,
    an item taking ``rows[i]`` encoder rows) and at most ``max_rows`` rows. A single item larger than
    the budget is a batch of its own.

    A batch that already holds ``min_tokens`` padded tokens (default a quarter of ``max_tokens``) also
    ends where the padded length grows, so its rows are not padded to a longer neighbour's length:
    padding is then under 8 tokens a row (a batch of 170 rows of 8 to 24 tokens padded to 24 read
    a quarter padding; ``benchmarks/results/batching.md``)."""
    if min_tokens is None:
        min_tokens = max_tokens // 4
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    n_rows = 0
    batch_width = 0
    for i in order:
        width = padded_length(min(lengths[i], max_length), max_length)
        if current and (
            (n_rows + rows[i]) * width > max_tokens
            or n_rows + rows[i] > max_rows
            or (width > batch_width and n_rows * batch_width >= min_tokens)
        ):
            batches.append(current)
            current, n_rows = [], 0
        current.append(i)
        n_rows += rows[i]
        batch_width = width
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


WINDOW_MARGIN = 4
# Tokens of context a window gives a mention: the clause around it, widened clause by clause up to
# this many tokens. Training sentences are short (median 20 tokens in our own data, 32 in CAMEO's;
# 99th percentile 51 and 63), and a window filled to the encoder's 128 tokens with unrelated text
# reads as that text: "China protested to France" inside 120 tokens of agenda talk came out neutral.
WINDOW_CONTEXT = 64


def _count(starts: Sequence[int], ends: Sequence[int], lo: int, hi: int) -> int:
    """Tokens lying inside the characters ``[lo, hi)`` (``starts``/``ends`` sorted token offsets)."""
    return max(bisect_right(ends, hi) - bisect_left(starts, lo), 0)


def mention_window(
    text: str,
    spans: Sequence[Span],
    offsets: Sequence[tuple[int, int]],
    budget: int,
    context: int | None = None,
) -> tuple[int, int]:
    """The characters ``[start, end)`` of ``text`` to read a target from when ``text`` has more than
    ``budget`` tokens (``offsets``: its tokens' character ranges, without special tokens).

    The window holds the target's mentions (all of them if they fit in ``budget``, else the first)
    and the clause around them, widened clause by clause while it holds at most ``context`` tokens
    (``budget`` when not given); if that clause alone is longer, it is the ``context`` tokens around
    the mention, cut between words. The mentions themselves are never cut, even past ``context``.
    """
    from .sentences import clause_boundaries

    reach = budget if context is None else max(1, min(context, budget))
    pairs = [(a, b) for a, b in offsets if b > a]
    starts, ends = [a for a, _ in pairs], [b for _, b in pairs]
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    if _count(starts, ends, lo, hi) > budget:
        lo, hi = spans[0]
    bounds = clause_boundaries(text)
    left = bisect_right(bounds, lo) - 1
    right = bisect_left(bounds, hi)
    if _count(starts, ends, bounds[left], bounds[right]) <= reach:
        grew = True
        while grew:
            grew = False
            if right + 1 < len(bounds) and _count(starts, ends, bounds[left], bounds[right + 1]) <= reach:
                right, grew = right + 1, True
            if left > 0 and _count(starts, ends, bounds[left - 1], bounds[right]) <= reach:
                left, grew = left - 1, True
        return bounds[left], bounds[right]
    # The clause alone is too long: the tokens around the mention, then back to whole words.
    first = max(bisect_right(ends, lo) - 1, 0)
    first = min(first, max(len(pairs) - 1, 0))
    last = max(bisect_left(starts, hi), first + 1)
    while last - first < reach and (first > 0 or last < len(pairs)):
        if last < len(pairs):
            last += 1
        if first > 0 and last - first < reach:
            first -= 1
    start, end = starts[first], ends[last - 1]
    if start > 0 and not text[start - 1].isspace():  # mid-word: move to the next word
        space = text.find(" ", start, lo)
        start = space + 1 if space != -1 else start
    if end < len(text) and not text[end].isspace():
        space = text.rfind(" ", hi, end)
        end = space if space != -1 else end
    return min(start, lo), max(end, hi)


@dataclass
class RowPlan:
    """Where one item's readings come from among the rows :func:`fit_windows` made: the row of its
    sentence reading, and per target and per pair the ``(row, index within that row)``."""

    sentence: int
    targets: list[tuple[int, int]] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)


def _window_row(text: str, start: int, end: int, targets: Sequence[Sequence[Span]]) -> EncodedItem:
    """``text[start:end]`` (trimmed of spaces) with each target's spans that fall inside it, moved."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    moved = [
        [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
        for spans in targets
    ]
    return EncodedItem(text[start:end], moved)


def _closest(
    a: Sequence[Span], b: Sequence[Span], starts: Sequence[int], ends: Sequence[int]
) -> tuple[int, Span, Span]:
    """The mention of ``a`` and the mention of ``b`` that lie fewest tokens apart, with that count."""
    return min(
        ((_count(starts, ends, min(x[0], y[0]), max(x[1], y[1])), x, y) for x in a for y in b),
        key=lambda found: found[0],
    )


def fit_windows(
    tokenizer,
    items: Sequence[EncodedItem],
    *,
    max_length: int,
    prefix: str = "",
    context: int = WINDOW_CONTEXT,
) -> tuple[list[EncodedItem], list[RowPlan]]:
    """Items the encoder can read whole, and per input item the :class:`RowPlan` of its readings.

    An item whose text is longer than the encoder's ``max_length`` (tokens, with the prefix and
    special tokens) becomes one row per target, each the :func:`mention_window` of that target,
    so no mention is truncated away; a window holds at most ``context`` tokens of text around the
    mentions (:data:`WINDOW_CONTEXT`), about the length of the sentences the model was trained on.
    Its sentence reading comes from the first of them. Each of its
    pairs (both directions of two targets share one row) is read from a window that holds a mention
    of both countries (the two closest mentions and their clauses) when one fits in ``max_length``;
    when none does, from the whole sentence as the encoder truncates it, so a mention past the cut is
    read from the whole row (``target_truncated``), as before windows. Short texts (at most
    ``max_length // 2`` characters) are passed through without tokenizing.
    """
    # Special tokens, and a margin: a window tokenized alone may split its first word differently.
    budget = max_length - 2 - WINDOW_MARGIN
    if prefix:
        budget -= len(tokenizer(prefix, add_special_tokens=False)["input_ids"])
    rows: list[EncodedItem] = []
    plans: list[RowPlan] = []
    candidates = [i for i, item in enumerate(items) if item.targets and len(item.text) > max_length // 2]
    offsets: dict[int, list[tuple[int, int]]] = {}
    if candidates:
        encoded = tokenizer(
            [items[i].text for i in candidates],
            add_special_tokens=False,
            return_offsets_mapping=True,
            verbose=False,  # no "longer than the maximum" warning: these are read in windows
        )
        offsets = dict(zip(candidates, encoded["offset_mapping"], strict=True))
    for i, item in enumerate(items):
        found = offsets.get(i)
        if found is None or len(found) <= budget:
            plans.append(
                RowPlan(
                    len(rows),
                    [(len(rows), j) for j in range(len(item.targets))],
                    [(len(rows), q) for q in range(len(item.pairs))],
                )
            )
            rows.append(item)
            continue
        plan = RowPlan(len(rows))
        for spans in item.targets:
            start, end = mention_window(item.text, spans, found, budget, context)
            plan.targets.append((len(rows), 0))
            rows.append(_window_row(item.text, start, end, [spans]))
        tokens = [(a, b) for a, b in found if b > a]
        starts, ends = [a for a, _ in tokens], [b for _, b in tokens]
        shared: dict[tuple[int, int], tuple[int, int]] = {}  # {a, b} -> (row, its first pair there)
        for a, b in item.pairs:
            key = (min(a, b), max(a, b))
            if key not in shared:
                first, second = item.targets[key[0]], item.targets[key[1]]
                count, x, y = _closest(first, second, starts, ends)
                if count <= budget:
                    start, end = mention_window(item.text, [x, y], found, budget, context)
                    row = _window_row(item.text, start, end, [first, second])
                else:
                    row = EncodedItem(item.text, [list(first), list(second)])
                shared[key] = (len(rows), 0)
                rows.append(row)
            r, _ = shared[key]
            rows[r].pairs.append((0, 1) if a == key[0] else (1, 0))
            plan.pairs.append((r, len(rows[r].pairs) - 1))
        plans.append(plan)
    return rows, plans
