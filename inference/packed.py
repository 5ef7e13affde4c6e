"""The encoder run on real tokens only: no linear layer, layer norm or activation sees padding.

A batch of sentences of different lengths is padded to one length, and a plain Hugging Face forward runs
every layer on every padded position. Only attention mixes positions; everything else (the query, key and
value projections, the attention output, the feed-forward block, the layer norms) works token by token. So
:func:`packed_hidden` gathers the real tokens of the batch into one (tokens x hidden) matrix after the
embeddings, runs those per-token parts on it, and pads only around the attention product, which masks
padded keys exactly as the padded forward does. The result is the same computation on fewer rows
(sorted, token-budget batches still carry about 12 % padding on news sentences; the linear layers are
about 80 % of the time on a CPU).

It calls the encoder's own submodules, so int8 or LoRA-merged linear layers and bf16 autocast work
unchanged, also inside a peft wrapper (the Hugging Face ``AutoModel`` path keeps the LoRA layers, merged).
It is used for BERT-style post-layer-norm encoders (BERT, RoBERTa, XLM-R: the multilingual-e5 family) in
inference; any other encoder, and training, take the plain forward
(:func:`supports_packing`).
"""

from __future__ import annotations

import weakref

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as torch_module

# Encoders whose layers are attention.self.{query,key,value} -> attention.output(ctx, x) ->
# intermediate -> output(h, a), with absolute positions and no cross-attention.
PACKABLE = frozenset({"BertModel", "RobertaModel", "XLMRobertaModel", "CamembertModel"})


def supports_packing(encoder: nn.Module) -> bool:
    """Whether :func:`packed_hidden` computes what ``encoder``'s own forward computes."""
    encoder = _unwrapped(encoder)
    if type(encoder).__name__ not in PACKABLE:
        return False
    config = getattr(encoder, "config", None)
    if (
        config is None
        or getattr(config, "is_decoder", False)
        or getattr(config, "add_cross_attention", False)
    ):
        return False
    if getattr(config, "position_embedding_type", "absolute") != "absolute":
        return False
    if getattr(config, "chunk_size_feed_forward", 0):
        return False
    layers = getattr(getattr(encoder, "encoder", None), "layer", None)
    parts = ("query", "key", "value", "num_attention_heads", "attention_head_size")
    return layers is not None and all(
        hasattr(layer, "intermediate")
        and hasattr(layer, "output")
        and hasattr(getattr(layer, "attention", None), "output")
        and all(hasattr(getattr(layer.attention, "self", None), part) for part in parts)
        for layer in layers
    )


def packed_hidden(encoder: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The last hidden states (batch x length x hidden) of ``encoder`` for a padded batch, with the
    per-token work done on real tokens only; padded positions hold zeros."""
    encoder = _unwrapped(encoder)
    batch, length = input_ids.shape
    embedded = encoder.embeddings(input_ids=input_ids)
    hidden = embedded.shape[-1]
    real = attention_mask.reshape(-1).nonzero().squeeze(1)
    x = embedded.reshape(batch * length, hidden).index_select(0, real)
    if real.numel() == batch * length:  # no padding: nothing to gather or scatter
        real = None
    keep = None if real is None else attention_mask.bool()[:, None, None, :]
    for layer in encoder.encoder.layer:
        attention = layer.attention
        context = _attend(attention.self, x, real, batch, length, keep)
        a = attention.output(context, x)
        x = layer.output(layer.intermediate(a), a)
    if real is None:
        return x.reshape(batch, length, hidden)
    return x.new_zeros(batch * length, hidden).index_copy_(0, real, x).reshape(batch, length, hidden)


def _unwrapped(encoder: nn.Module) -> nn.Module:
    """The model inside a peft wrapper whose adapters live in its layers (LoRA and the like, merged or not).
    A prompt-learning wrapper (prefix or prompt tuning) changes the inputs or the attention's keys outside
    the layers, so it is returned as it is, and :func:`supports_packing` refuses it."""
    get_base_model = getattr(encoder, "get_base_model", None)
    configs = getattr(encoder, "peft_config", {})
    if not callable(get_base_model) or any(c.is_prompt_learning for c in configs.values()):
        return encoder
    return get_base_model()


def _attend(
    module: nn.Module,
    x: torch.Tensor,
    real: torch.Tensor | None,
    batch: int,
    length: int,
    keep: torch.Tensor | None,
) -> torch.Tensor:
    """Multi-head self-attention of one layer over packed tokens ``x``: projections on the real tokens,
    the attention product on the padded layout (padded keys masked out)."""
    heads, size = module.num_attention_heads, module.attention_head_size

    def padded(p: torch.Tensor) -> torch.Tensor:  # (real tokens, width) -> (batch * length, width)
        return p if real is None else p.new_zeros(batch * length, p.shape[-1]).index_copy_(0, real, p)

    fused = _fused_projection(module) if not torch.is_grad_enabled() else None
    if fused is not None:  # one product for query, key and value
        projected = padded(F.linear(x, *fused)).view(batch, length, 3, heads, size)
        q, k, v = projected.permute(2, 0, 3, 1, 4).unbind(0)
    else:
        parts = (module.query, module.key, module.value)
        q, k, v = (padded(part(x)).view(batch, length, heads, size).transpose(1, 2) for part in parts)
    out = F.scaled_dot_product_attention(
        q, k, v, attn_mask=keep, scale=getattr(module, "scaling", size**-0.5)
    )
    out = out.transpose(1, 2).reshape(batch * length, heads * size)
    return out if real is None else out.index_select(0, real)


_FUSED: weakref.WeakKeyDictionary[nn.Module, tuple[tuple, tuple[torch.Tensor, torch.Tensor]]] = (
    weakref.WeakKeyDictionary()
)


def _fused_projection(module: nn.Module) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The query, key and value weights and biases stacked into one (weight, bias), when all three are
    plain ``nn.Linear`` layers with no hooks (int8 layers share their quantised input instead; a hook,
    such as int8 calibration's, must see its layer called). Built once per
    attention module and rebuilt when any of the six tensors is replaced or changed in place."""
    parts = (module.query, module.key, module.value)
    if any(type(p) is not nn.Linear or p.bias is None or _hooked(p) for p in parts):
        return None
    tensors = [t for p in parts for t in (p.weight, p.bias)]
    stamp = tuple((t.data_ptr(), -1 if t.is_inference() else t._version) for t in tensors)
    cached = _FUSED.get(module)
    if cached is None or cached[0] != stamp:
        with torch.no_grad():
            fused = (torch.cat([p.weight for p in parts]), torch.cat([p.bias for p in parts]))
        _FUSED[module] = cached = (stamp, fused)
    return cached[1]


def _hooked(module: nn.Module) -> bool:
    """Whether calling ``module`` runs a forward hook (its own or a global one)."""
    return bool(
        module._forward_hooks
        or module._forward_pre_hooks
        or torch_module._global_forward_hooks
        or torch_module._global_forward_pre_hooks
    )
