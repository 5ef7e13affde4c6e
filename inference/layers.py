"""Keep only some of an encoder's transformer layers (a smaller, faster student encoder).

``model.encoder_layers: [0, 2, 4, 6, 8, 11]`` in a training config keeps those layers of the base
encoder, in that order, and drops the rest; the model directory records the list
(``ModelSettings.encoder_layers``) and every load applies it to the base encoder before an adapter is put
on it, so the adapter's module names index the kept layers ``0..n-1``. Works for encoders with the BERT /
XLM-R layout (``encoder.encoder.layer``, a ``ModuleList``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn


def check_layers(layers: Any, total: int | None = None, *, name: str = "encoder_layers") -> list[int] | None:
    """``layers`` as a list of ints (None stays None): non-empty, increasing, no duplicates, each >= 0 and,
    when ``total`` is given, below ``total``. A bad value is a ``ValueError`` that names it."""
    if layers is None:
        return None
    fix = "give null (all layers) or increasing layer indices without duplicates, e.g. [0, 2, 4, 6, 8, 11]"
    if not isinstance(layers, list | tuple) or not layers:
        raise ValueError(f"{name}={layers!r}; {fix}")
    bad = [x for x in layers if not isinstance(x, int) or isinstance(x, bool) or x < 0]
    if bad:
        raise ValueError(f"{name}={list(layers)!r}: {bad} are not layer indices (ints >= 0); {fix}")
    if any(b <= a for a, b in zip(layers, layers[1:], strict=False)):
        raise ValueError(f"{name}={list(layers)!r} is not increasing or has duplicates; {fix}")
    if total is not None and layers[-1] >= total:
        raise ValueError(
            f"{name}={list(layers)!r}: the encoder has {total} layers (0..{total - 1}), so "
            f"{[x for x in layers if x >= total]} do not exist; keep indices below {total}"
        )
    return list(layers)


def layer_list(encoder: nn.Module) -> nn.ModuleList:
    """The ``ModuleList`` of ``encoder``'s transformer layers (BERT / XLM-R layout), or a ValueError."""
    stack = getattr(encoder, "encoder", None)
    layers = getattr(stack, "layer", None)
    if not isinstance(layers, nn.ModuleList):
        raise ValueError(
            f"{type(encoder).__name__} has no encoder.layer ModuleList (the BERT / XLM-R layout), so "
            "encoder_layers cannot pick its layers; set encoder_layers to null for this encoder"
        )
    return layers


def keep_layers(encoder: nn.Module, layers: Sequence[int] | None) -> nn.Module:
    """Keep only the transformer layers ``layers`` of ``encoder`` (in place; returned for chaining).

    ``None`` keeps all. The kept layers are renumbered ``0..n-1`` (``config.num_hidden_layers = n``, and the
    attention modules' ``layer_idx``), so the encoder saves and reloads as a plain ``n``-layer model.
    """
    if layers is None:
        return encoder
    current = layer_list(encoder)
    kept = check_layers(list(layers), len(current))
    encoder.encoder.layer = nn.ModuleList(current[i] for i in kept)
    for new, layer in enumerate(encoder.encoder.layer):
        for module in layer.modules():
            if isinstance(getattr(module, "layer_idx", None), int):
                module.layer_idx = new
    encoder.config.num_hidden_layers = len(kept)
    return encoder


__all__ = ["check_layers", "keep_layers", "layer_list"]
