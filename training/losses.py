"""The multi-head training loss: class-weighted cross-entropy per registered head, plus a stance term."""

from __future__ import annotations

import torch
from torch import nn

from inference.heads import HEADS
from inference.labels import DETAIL_LABELS, DETAIL_TO_STANCE, STANCE_LABELS

from .batching import IGNORE

STANCE_GROUPS = [[i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == s] for s in STANCE_LABELS]
STANCE_OF_DETAIL = torch.tensor([STANCE_LABELS.index(DETAIL_TO_STANCE[d]) for d in DETAIL_LABELS])


def _weighted_ce(
    logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor, soft: torch.Tensor | None = None
) -> torch.Tensor:
    """The weighted mean cross-entropy over the labelled items, against their gold labels or, with ``soft``,
    against those rows of probabilities (the teachers', :mod:`training.distill`)."""
    keep = labels != IGNORE
    target = labels[keep] if soft is None else soft[keep].float()
    losses = nn.functional.cross_entropy(logits[keep].float(), target, reduction="none")
    w = weights[keep]
    return (losses * w).sum() / w.sum().clamp(min=1e-6)


def compute_loss(
    outputs: dict[str, torch.Tensor],
    batch: dict[str, torch.Tensor],
    weights: dict[str, float],
    distill: float = 0.0,
):
    """Weighted sum of the heads' (class-weighted) cross-entropies, plus an optional ``stance`` term:
    the three-way cross-entropy of the detail head's probabilities summed per stance.

    ``distill`` (``train.distill_weight``): where the batch carries teacher probabilities
    (``soft_<head>``, :mod:`training.distill`), a head's loss is ``(1 - distill)`` times the cross-entropy
    against the gold label plus ``distill`` times the cross-entropy against the teachers, on the same items."""
    total = torch.zeros((), dtype=torch.float32, device=batch["input_ids"].device)
    parts: dict[str, float] = {}
    for head in HEADS:
        labels = batch.get(f"labels_{head}")
        if (
            head not in outputs
            or labels is None
            or not (labels != IGNORE).any()
            or weights.get(head, 0.0) == 0
        ):
            continue
        loss = _weighted_ce(outputs[head], labels, batch[f"weights_{head}"])
        soft = batch.get(f"soft_{head}")
        if distill and soft is not None:
            taught = _weighted_ce(outputs[head], labels, batch[f"weights_{head}"], soft)
            parts[f"{head}_teacher"] = float(taught.detach())
            loss = (1.0 - distill) * loss + distill * taught
        total = total + weights[head] * loss
        parts[head] = float(loss.detach())
    labels = batch["labels_detail"]
    if weights.get("stance", 0.0) and "detail" in outputs and (labels != IGNORE).any():
        keep = labels != IGNORE
        probs = torch.softmax(outputs["detail"][keep].float(), -1)
        grouped = torch.stack([probs[:, idx].sum(1) for idx in STANCE_GROUPS], dim=1)
        target = STANCE_OF_DETAIL.to(labels.device)[labels[keep]]
        loss = nn.functional.nll_loss(torch.log(grouped.clamp(min=1e-8)), target, reduction="none")
        w = batch["weights_detail"][keep]
        loss = (loss * w).sum() / w.sum().clamp(min=1e-6)
        total = total + weights["stance"] * loss
        parts["stance"] = float(loss.detach())
    return total, parts


multi_head_loss = compute_loss
