"""Tokenise training rows once with ``Dataset.map`` and pad them into model batches.

:func:`tokenise_rows` (a batched ``map`` function) stores per example its token rows (one per sentence,
or with ``markers`` one per target, mentions marked), the row each target is read from and the tokens
its spans cover. :class:`TokenisedCollator` pads a batch of such rows into exactly the tensors
:func:`inference.encoding.encode` gives (the tests check it) plus the label tensors, so training and
inference read a sentence the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from inference.encoding import mark_spans, target_token_mask
from inference.heads import HEADS

from .batching import ClassWeights, label_tensors
from .distill import soft_column
from .hf_data import row_example

TOKEN_COLUMNS = ("token_rows", "target_row", "target_tokens", "n_tokens")


def tokenise_rows(
    batch: Mapping[str, list],
    *,
    tokenizer,
    max_length: int,
    prefix: str,
    markers: tuple[str, str] | None,
) -> dict[str, list]:
    """``Dataset.map(..., batched=True)`` function: the token columns of :data:`TOKEN_COLUMNS`."""
    texts: list[str] = []
    owner: list[int] = []  # example of each text
    spans_of: list[list[list[tuple[int, int]]]] = []  # per text, the targets read from it
    for i, (text, targets) in enumerate(zip(batch["text"], batch["targets"], strict=True)):
        spans = [[(int(a), int(b)) for a, b in t["spans"]] for t in targets]
        if markers is None or not spans:
            texts.append(text)
            owner.append(i)
            spans_of.append(spans if markers is None else [])
            continue
        for target_spans in spans:
            marked, moved = mark_spans(text, target_spans, markers)
            texts.append(marked)
            owner.append(i)
            spans_of.append([moved])
    encoded = tokenizer(
        [prefix + t for t in texts], truncation=True, max_length=max_length, return_offsets_mapping=True
    )
    n = len(batch["text"])
    out: dict[str, list] = {"token_rows": [[] for _ in range(n)], "target_row": [[] for _ in range(n)]}
    out["target_tokens"] = [[] for _ in range(n)]
    shift = len(prefix)
    for j, i in enumerate(owner):
        row = len(out["token_rows"][i])
        out["token_rows"][i].append(encoded["input_ids"][j])
        for spans in spans_of[j]:
            mask = target_token_mask(encoded["offset_mapping"][j], spans, shift)
            out["target_row"][i].append(row)
            out["target_tokens"][i].append([k for k, m in enumerate(mask) if m])
    out["n_tokens"] = [sum(len(r) for r in rows) for rows in out["token_rows"]]
    return out


def tokenise_fingerprint(
    dataset, tokenizer, *, max_length: int, prefix: str, markers: tuple[str, str] | None
) -> str:
    """The fingerprint of ``tokenise``'s output: the input table's fingerprint and everything that shapes the
    tokens, with the tokenizer named by its class, origin, size and special tokens.

    Without it ``Dataset.map`` fingerprints the call by pickling its arguments, the whole tokenizer among them
    (250,000 pieces). Tokenising the default config's nine training sources took 19.2 s that way and 6.3-7.6 s
    with this fingerprint (2-core AMD EPYC), before every training run's first step."""
    digest = hashlib.sha256(b"diplostance-tokenise-1")
    parts = (
        getattr(dataset, "_fingerprint", "") or "",
        type(tokenizer).__name__,
        str(getattr(tokenizer, "name_or_path", "")),
        str(len(tokenizer)),
        repr(sorted(getattr(tokenizer, "special_tokens_map", {}).items())),
        str(getattr(tokenizer, "padding_side", "")),
        str(max_length),
        prefix,
        repr(markers),
    )
    for part in parts:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:32]


def tokenise(dataset, tokenizer, *, max_length: int, prefix: str, markers: tuple[str, str] | None, **map_kw):
    """``dataset`` with the token columns added (``map``; ``map_kw`` e.g. ``cache_file_name``)."""
    map_kw.setdefault(
        "new_fingerprint",
        tokenise_fingerprint(dataset, tokenizer, max_length=max_length, prefix=prefix, markers=markers),
    )
    return dataset.map(
        tokenise_rows,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, "max_length": max_length, "prefix": prefix, "markers": markers},
        desc="tokenise",
        **map_kw,
    )


class TokenisedCollator:
    """Pads tokenised rows into model inputs plus ``labels_<head>``/``weights_<head>`` tensors."""

    def __init__(self, tokenizer, *, max_length: int, marked: bool, weights: ClassWeights | None = None):
        self.pad_id = tokenizer.pad_token_id
        self.left = tokenizer.padding_side == "left"
        self.multiple = 8 if max_length % 8 == 0 else 1  # as inference.encoding.encode pads
        self.marked = marked
        self.weights = weights

    def __call__(self, rows: Sequence[Mapping[str, Any]]) -> dict[str, torch.Tensor]:
        token_rows = [r for row in rows for r in row["token_rows"]]
        longest = max(len(r) for r in token_rows)
        width = -(-longest // self.multiple) * self.multiple
        ids = torch.full((len(token_rows), width), self.pad_id, dtype=torch.long)
        attention = torch.zeros((len(token_rows), width), dtype=torch.long)
        starts = []
        for b, r in enumerate(token_rows):
            start = width - len(r) if self.left else 0
            ids[b, start : start + len(r)] = torch.tensor(r, dtype=torch.long)
            attention[b, start : start + len(r)] = 1
            starts.append(start)
        index: list[int] = []
        masks: list[torch.Tensor] = []
        truncated: list[bool] = []
        pair_index: list[tuple[int, int]] = []
        sentence_rows: list[int] = []
        first_row = first_target = 0
        for row in rows:
            sentence_rows.append(first_row)
            for r, tokens in zip(row["target_row"], row["target_tokens"], strict=True):
                b = first_row + r
                if tokens:
                    mask = torch.zeros(width)
                    mask[torch.tensor(tokens, dtype=torch.long) + starts[b]] = 1.0
                else:  # every token of the target truncated away: read the whole row
                    mask = attention[b].to(torch.float32)
                truncated.append(not tokens)
                index.append(b)
                masks.append(mask)
            for p in row["pairs"]:
                pair_index.append((first_target + p["source"], first_target + p["target"]))
            first_row += len(row["token_rows"])
            first_target += len(row["target_row"])
        out = {
            "input_ids": ids,
            "attention_mask": attention,
            "target_index": torch.tensor(index, dtype=torch.long),
            "target_mask": torch.stack(masks) if masks else torch.zeros((0, width)),
            "target_truncated": torch.tensor(truncated, dtype=torch.bool),
            "pair_index": torch.tensor(pair_index, dtype=torch.long).reshape(len(pair_index), 2),
        }
        if self.marked:
            out["sentence_index"] = torch.tensor(sentence_rows, dtype=torch.long)
        out.update(label_tensors([row_example(r) for r in rows], self.weights))
        for spec in HEADS.values():  # teacher probabilities (train.distill_from), aligned with the labels
            column = soft_column(spec.name)
            if column in rows[0]:
                soft = torch.tensor([p for row in rows for p in row[column]], dtype=torch.float32)
                out[column] = soft.reshape(-1, len(spec.labels))
                if len(out[column]) != len(out[f"labels_{spec.name}"]):
                    raise ValueError(
                        f"{column}: {len(out[column])} teacher rows for {len(out[f'labels_{spec.name}'])} "
                        "labelled items; the teacher probabilities were computed for other examples"
                    )
        return out
