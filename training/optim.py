"""The optimizer's parameter groups: the encoder at ``lr`` (or per layer, decayed), the heads at ``head_lr``.

Layer-wise learning-rate decay (Clark et al. 2020, ELECTRA; Howard and Ruder 2018 call it discriminative
fine-tuning): the encoder's top layer trains at ``lr``, each layer below at ``layer_decay`` times the one
above, and the embeddings (when any of them trains) one step below the lowest layer. The lower layers
hold what the pretrained encoder knows of language in general, so they move less. With LoRA the decay
applies to each layer's adapter weights. ``layer_decay == 1`` is off: one encoder group, as before.
"""

from __future__ import annotations

import re
from typing import Any

from torch import nn

# "encoder.base_model.model.encoder.layer.11.attention.self.query.lora_A.default.weight" -> 11
_LAYER = re.compile(r"\.layer\.(\d+)\.")


def encoder_depth(name: str) -> int | None:
    """The layer index in an encoder parameter's name; -1 for the embeddings; None for anything else."""
    found = _LAYER.search(name)
    if found:
        return int(found.group(1))
    return -1 if ".embeddings." in name else None


def parameter_groups(
    model: nn.Module, *, lr: float, head_lr: float, layer_decay: float = 1.0
) -> list[dict[str, Any]]:
    """AdamW groups over ``model``'s trainable parameters; ``encoder.*`` ones are the encoder's.

    Without decay: ``[encoder at lr, heads at head_lr]``. With it, the encoder's parameters outside any
    layer (a pooler, say) stay at ``lr`` in the first group, then one group per layer from the top down,
    then the embeddings, then the heads. Every group names its ``depth`` ("heads" for the heads), and
    groups with no parameters are left out, except the first two of the plain case.
    """
    if not 0.0 < layer_decay <= 1.0:
        raise ValueError(f"layer_decay={layer_decay}; it must be above 0 and at most 1 (1 turns it off)")
    encoder: list[tuple[str, nn.Parameter]] = []
    heads: list[nn.Parameter] = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if name.startswith("encoder."):
            encoder.append((name, param))
        else:
            heads.append(param)
    head_group = {"params": heads, "lr": head_lr, "depth": "heads"}
    if layer_decay == 1.0:
        return [{"params": [p for _, p in encoder], "lr": lr, "depth": "encoder"}, head_group]
    depths = {name: encoder_depth(name) for name, _ in encoder}
    top = max((d for d in depths.values() if d is not None), default=-1)
    by_depth: dict[int | None, list[nn.Parameter]] = {}
    for name, param in encoder:
        by_depth.setdefault(depths[name], []).append(param)
    groups = [{"params": by_depth.pop(None, []), "lr": lr, "depth": "encoder"}]
    for depth in sorted(by_depth, reverse=True):
        groups.append({"params": by_depth[depth], "lr": lr * layer_decay ** (top - depth), "depth": depth})
    groups.append(head_group)
    return [g for g in groups if g["params"]]
