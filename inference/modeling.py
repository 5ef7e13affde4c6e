"""The stance model: one multilingual encoder, its readings (heads), one directory format.

Readings (heads, registered in ``inference.heads``):

- ``detail`` (per target): five-way CAMEO/PLOVER detail toward a span; stance is its collapse;
- ``sentiment`` (per target): negative / neutral / positive toward the span;
- ``sentence_detail`` (per sentence): five-way detail of the event the sentence reports
  (optionally ``sentence_detail_un``, the same read for UN QuadClass sentences only);
- ``pair`` (per ordered pair of targets, optional): the relation source -> target, or ``none``. It reads
  the two targets' features (as the target heads see them), their product and the sentence, so the
  sentence is still encoded once.

A target is represented by the mean of the encoder's states over its tokens, concatenated with the
sentence mean, so the target's position drives the prediction while the sentence is encoded once.
With ``target_pooling="attention"`` a third part is added: the sentence's states pooled by a small
multi-head attention whose query is the target (with a learned bias per distance to the mention), so
each target reads the words around it. Either way the encoder runs once per sentence.

Directory format (``save_pretrained`` / ``from_pretrained``)::

    config.json           settings under "diplostance", label lists per head, id2label/label2id
    heads.safetensors     the heads
    adapter/              LoRA adapter over the base encoder (peft format, safetensors), or
    encoder/              a full encoder + tokenizer (self-contained models)
    README.md, metrics.json, training_config.yaml   written by training
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from .encoder import DEFAULT_ENCODER, resolve_encoder
from .heads import HEADS, LEGACY_HEADS, check_heads, heads_of
from .labels import DETAIL_LABELS
from .layers import check_layers, keep_layers, layer_list
from .packed import packed_hidden, supports_packing

logger = logging.getLogger(__name__)

MODEL_TYPE = "diplostance-stance"
FORMAT_VERSION = 2  # 2: settings list the model's heads (1: the three legacy heads); 1 still loads
_POOLER_FREE = {"bert", "xlm-roberta", "roberta", "camembert"}


@dataclass
class ModelSettings:
    """Settings saved with every model under the ``diplostance`` key of ``config.json``."""

    base_encoder: str = DEFAULT_ENCODER
    max_length: int = 160
    text_prefix: str = "query: "
    dropout: float = 0.1
    head_hidden: int = 0  # 0: the encoder's hidden size
    target_pooling: str = "mean"  # "mean": [span; sentence]; "attention": [span; target-attended; sentence]
    # "shared": one encoder pass per sentence; "marked": one per target, its mentions marked
    target_encoding: str = "shared"
    # head -> temperature dividing its logits before the softmax (fitted on dev by training; 1 if absent)
    temperatures: dict[str, float] = field(default_factory=dict)
    # head -> per-class shift added to the tempered logits (a decision threshold fitted on dev; 0 if absent)
    logit_shift: dict[str, list[float]] = field(default_factory=dict)
    # language -> target head -> per-class shift used instead of ``logit_shift[head]`` for text in that
    # language (a decision threshold fitted on that language's dev items; inference.classifier applies it)
    lang_logit_shift: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    heads: list[str] = field(default_factory=lambda: list(LEGACY_HEADS))  # names in inference.heads
    # the base encoder's layers kept (a smaller student; inference.layers), in order; None: all of them
    encoder_layers: list[int] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown model setting(s) {unknown}; known settings are {sorted(known)}")
        return cls(**data)

    def __post_init__(self) -> None:
        if self.target_pooling not in TARGET_POOLINGS:
            raise ValueError(
                f"target_pooling={self.target_pooling!r}; expected one of {list(TARGET_POOLINGS)}"
            )
        for head, t in self.temperatures.items():
            if not isinstance(t, int | float) or isinstance(t, bool) or not t > 0:
                raise ValueError(f"temperatures[{head!r}]={t!r}; a temperature must be a positive number")
        for head, shift in self.logit_shift.items():
            if not isinstance(shift, list) or not all(isinstance(x, int | float) for x in shift):
                raise ValueError(
                    f"logit_shift[{head!r}]={shift!r}; expected a list of numbers, one per label"
                )
        for lang, by_head in self.lang_logit_shift.items():
            for head, shift in by_head.items() if isinstance(by_head, dict) else [(None, by_head)]:
                spec = HEADS.get(head) if isinstance(head, str) else None
                if spec is None or spec.arity != "target":
                    targets = [h.name for h in HEADS.values() if h.arity == "target"]
                    raise ValueError(
                        f"lang_logit_shift[{lang!r}]: {head!r} is not a target head; expected a mapping of "
                        f"target heads ({targets}) to shifts"
                    )
                if (
                    not isinstance(shift, list)
                    or len(shift) != len(spec.labels)
                    or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in shift)
                ):
                    raise ValueError(
                        f"lang_logit_shift[{lang!r}][{head!r}]={shift!r}; expected {len(spec.labels)} numbers, "
                        f"one per label {list(spec.labels)}"
                    )
        if self.target_encoding not in TARGET_ENCODINGS:
            raise ValueError(
                f"target_encoding={self.target_encoding!r}; expected one of {list(TARGET_ENCODINGS)}"
            )
        self.heads = list(check_heads(self.heads))
        self.encoder_layers = check_layers(self.encoder_layers, name="encoder_layers")

    def to_dict(self) -> dict[str, Any]:
        """The settings as saved in ``config.json`` (``encoder_layers`` only when set, so a model with all
        layers stays readable by a diplostance that predates the setting)."""
        data = asdict(self)
        if data["encoder_layers"] is None:
            del data["encoder_layers"]
        return data

    @property
    def markers(self) -> tuple[str, str] | None:
        """The strings wrapped around a target's mentions, or None when targets share a pass."""
        return TARGET_MARKERS if self.target_encoding == "marked" else None


TARGET_POOLINGS = ("mean", "attention")
TARGET_ENCODINGS = ("shared", "marked")
TARGET_MARKERS = ("[ ", " ]")  # single XLM-R pieces ("▁[", "▁]") that leave the mention's own pieces alone
# Token distance to the nearest mention token -> bucket: 0 (inside), 1, 2, 3, 4-5, 6-8, 9-16, 17-32, 33+.
DISTANCE_BOUNDARIES = (1, 2, 3, 4, 6, 9, 17, 33)


class TargetAttention(nn.Module):
    """Pool a sentence's token states with attention queried by a target and biased by distance to it."""

    def __init__(self, hidden: int, heads: int = 4) -> None:
        super().__init__()
        if hidden % heads:
            raise ValueError(f"hidden size {hidden} is not divisible by {heads} attention heads")
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.distance_bias = nn.Embedding(len(DISTANCE_BOUNDARIES) + 1, heads)
        nn.init.zeros_(self.distance_bias.weight)
        self.register_buffer("boundaries", torch.tensor(DISTANCE_BOUNDARIES), persistent=False)

    def forward(
        self, span: torch.Tensor, states: torch.Tensor, tmask: torch.Tensor, attention_mask: torch.Tensor
    ) -> torch.Tensor:
        """``span`` (n, h), ``states`` (n, t, h), ``tmask`` (n, t) mention tokens, ``attention_mask`` (n, t)."""
        n, t, h = states.shape
        d = h // self.heads
        q = self.query(span).view(n, self.heads, d)
        k = self.key(states).view(n, t, self.heads, d)
        scores = torch.einsum("nhd,nthd->nht", q, k).float() / d**0.5
        positions = torch.arange(t, device=states.device)
        gap = (positions[None, :] - positions[:, None]).abs()  # (t, t)
        far = torch.full_like(tmask, t, dtype=torch.long)
        distance = torch.where(tmask[:, None, :] > 0, gap[None], far[:, None, :]).amin(-1)  # (n, t)
        bias = self.distance_bias(torch.bucketize(distance, self.boundaries, right=True))  # (n, t, heads)
        scores = scores + bias.permute(0, 2, 1).float()
        scores = scores.masked_fill(attention_mask[:, None, :] == 0, torch.finfo(scores.dtype).min)
        weights = torch.softmax(scores, -1).to(states.dtype)
        return torch.einsum("nht,nthd->nhd", weights, states.view(n, t, self.heads, d)).reshape(n, h)


class PairHead(nn.Module):
    """Relation of an ordered pair: ``[source; target; source * target; sentence]`` -> labels.

    The order of the concatenation carries the direction: (A, B) and (B, A) read differently.
    """

    def __init__(self, inner: int, n_labels: int) -> None:
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(4 * inner, inner), nn.GELU())
        self.out = nn.Linear(inner, n_labels)

    def forward(self, source: torch.Tensor, target: torch.Tensor, sentence: torch.Tensor) -> torch.Tensor:
        return self.out(self.proj(torch.cat([source, target, source * target, sentence], dim=-1)))


class StanceModel(nn.Module):
    """Encoder + span pooling + the heads named in ``settings.heads`` (see ``inference.heads``)."""

    def __init__(self, encoder: nn.Module, settings: ModelSettings) -> None:
        super().__init__()
        self.encoder = encoder
        self.settings = settings
        # Where from_pretrained read the encoder's weights (the model's own encoder/ or its base encoder;
        # a hub id when not local); None for a model built in memory. The int8 cache key names it.
        self.encoder_dir: str | None = None
        # In eval mode, BERT-style encoders run their per-token layers on real tokens only
        # (inference.packed); False keeps Hugging Face's padded forward (same results, slower).
        self.pack_tokens = True
        hidden = encoder.config.hidden_size
        inner = settings.head_hidden or hidden
        self.dropout = nn.Dropout(settings.dropout)
        parts = 2
        self.target_attention: TargetAttention | None = None
        if settings.target_pooling == "attention":
            self.target_attention = TargetAttention(hidden)
            parts = 3
        self.target_proj = nn.Sequential(nn.Linear(parts * hidden, inner), nn.GELU())
        self.sentence_proj = nn.Sequential(nn.Linear(hidden, inner), nn.GELU())
        self.heads = nn.ModuleDict()
        for spec in (HEADS[name] for name in settings.heads):
            if spec.arity == "pair":
                self.heads[spec.name] = PairHead(inner, len(spec.labels))
            else:
                self.heads[spec.name] = nn.Linear(inner, len(spec.labels))
        self.sentence_heads = [s.name for s in heads_of(settings.heads, "sentence")]
        self.target_heads = [s.name for s in heads_of(settings.heads, "target")]
        self.pair_heads = [s.name for s in heads_of(settings.heads, "pair")]

    # ------------------------------------------------------------------ forward
    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        target_index: torch.Tensor | None = None,
        target_mask: torch.Tensor | None = None,
        sentence_index: torch.Tensor | None = None,
        pair_index: torch.Tensor | None = None,
        **_: Any,
    ) -> dict[str, torch.Tensor]:
        """Rows of ``input_ids`` are sentences (or, marked, one per target); ``sentence_index`` picks
        each sentence's row for the sentence heads (default: every row is a sentence); ``pair_index``
        (P x 2) names ordered pairs of targets (source, target) by their index among all targets."""
        if self.pack_tokens and not self.training and supports_packing(self.encoder):
            hidden = packed_hidden(self.encoder, input_ids, attention_mask)
        else:
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        weights = attention_mask.to(hidden.dtype)
        sentence = torch.einsum("bt,bth->bh", weights, hidden) / weights.sum(1, keepdim=True).clamp(min=1)
        own = sentence if sentence_index is None else sentence[sentence_index]
        sentence_feats = self.sentence_proj(self.dropout(own))
        out = {name: self.heads[name](sentence_feats) for name in self.sentence_heads}
        if target_index is not None and target_mask is not None and target_index.numel():
            tmask = target_mask.to(hidden.dtype)
            states = hidden[target_index]
            span = torch.einsum("nt,nth->nh", tmask, states) / tmask.sum(1, keepdim=True).clamp(min=1)
            parts = [span, sentence[target_index]]
            if self.target_attention is not None:
                parts.insert(
                    1, self.target_attention(span, states, target_mask, attention_mask[target_index])
                )
            feats = self.target_proj(self.dropout(torch.cat(parts, dim=-1)))
            for name in self.target_heads:
                out[name] = self.heads[name](feats)
            if self.pair_heads and pair_index is not None and pair_index.numel():
                rows = target_index[pair_index[:, 0]]  # the source's row holds the pair's sentence
                context = self.sentence_proj(self.dropout(sentence[rows]))
                src, tgt = feats[pair_index[:, 0]], feats[pair_index[:, 1]]
                for name in self.pair_heads:
                    out[name] = self.heads[name](src, tgt, context)
        return out

    def head_state_dict(self) -> dict[str, torch.Tensor]:
        return {
            k: v.detach().cpu().contiguous()
            for k, v in self.state_dict().items()
            if not k.startswith("encoder.")
        }

    # --------------------------------------------------------------- save/load
    def save_pretrained(
        self, path: str | os.PathLike[str], *, tokenizer: Any = None, encoder_format: str = "lora"
    ) -> Path:
        """Write the model directory. ``encoder_format``: ``lora`` (adapter only) or ``full``.

        ``full`` writes the merged encoder and ``tokenizer`` into ``encoder/`` (self-contained).
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if encoder_format == "lora":
            if not hasattr(self.encoder, "peft_config"):
                raise ValueError(
                    "encoder_format='lora' needs a peft-wrapped encoder; use encoder_format='full'"
                )
            self.encoder.save_pretrained(str(path / "adapter"), safe_serialization=True)
            _rewrite_adapter_base(path / "adapter", self.settings.base_encoder)
        elif encoder_format == "full":
            if tokenizer is None:
                raise ValueError("encoder_format='full' writes the tokenizer too: pass tokenizer=...")
            encoder = (
                self.encoder.merge_and_unload() if hasattr(self.encoder, "merge_and_unload") else self.encoder
            )
            encoder.save_pretrained(str(path / "encoder"), safe_serialization=True)
            tokenizer.save_pretrained(str(path / "encoder"))
        else:
            raise ValueError(f"encoder_format={encoder_format!r}; expected 'lora' or 'full'")
        save_file(self.head_state_dict(), str(path / "heads.safetensors"))
        config = {
            "model_type": MODEL_TYPE,
            "format_version": FORMAT_VERSION,
            "diplostance": self.settings.to_dict(),
            "heads": {name: list(HEADS[name].labels) for name in self.settings.heads},
            "id2label": dict(enumerate(DETAIL_LABELS)),
            "label2id": {label: i for i, label in enumerate(DETAIL_LABELS)},
        }
        (path / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def from_pretrained(
        cls, path: str | os.PathLike[str], *, merge: bool = True, trainable_adapter: bool = False
    ) -> tuple[StanceModel, Any]:
        """Load a model directory (local path or hub repo id); returns ``(model, tokenizer)``.

        ``merge`` folds a LoRA adapter into the encoder weights (fastest for inference);
        ``trainable_adapter`` keeps it separate and trainable (to continue training).
        """
        path = _local_model_dir(path)
        config = read_model_config(path)
        settings = ModelSettings.from_dict(config["diplostance"])
        if (path / "encoder").is_dir():
            encoder_dir = str(path / "encoder")
            if not (path / "encoder" / "tokenizer_config.json").is_file():
                raise FileNotFoundError(
                    f"{encoder_dir} has no tokenizer; re-save the model with its tokenizer"
                )
            encoder = load_encoder(encoder_dir)  # saved with only its kept layers
            _check_saved_layers(encoder, settings.encoder_layers, encoder_dir)
        else:
            encoder_dir = resolve_encoder(settings.base_encoder)
            encoder = load_encoder(encoder_dir, layers=settings.encoder_layers)
            if (path / "adapter").is_dir() and merge and not trainable_adapter:
                from .merged import load_adapted_encoder  # a cached merged copy: no peft, no merge

                encoder = load_adapted_encoder(
                    encoder, encoder_dir, path / "adapter", layers=settings.encoder_layers
                )
            elif (path / "adapter").is_dir():
                from peft import PeftModel

                encoder = PeftModel.from_pretrained(
                    encoder, str(path / "adapter"), is_trainable=trainable_adapter
                )
        for name in settings.heads:  # label order is part of the weights: it must be the registry's
            saved = config.get("heads", {}).get(name)
            if saved is not None and list(saved) != list(HEADS[name].labels):
                raise ValueError(
                    f"{path / 'config.json'}: head {name!r} has labels {saved}, this diplostance expects "
                    f"{list(HEADS[name].labels)}; retrain the model or use the diplostance that wrote it"
                )
        tokenizer = load_tokenizer(encoder_dir)
        model = cls(encoder, settings)
        model.encoder_dir = encoder_dir
        heads = load_file(str(path / "heads.safetensors"))
        missing, unexpected = model.load_state_dict(heads, strict=False)
        missing = [k for k in missing if not k.startswith("encoder.")]
        if missing or unexpected:
            raise ValueError(f"{path / 'heads.safetensors'}: missing {missing}, unexpected {unexpected}")
        model.eval()
        return model, tokenizer


# Tokenizer classes whose tokenizer.json holds the whole pipeline, so the fast tokenizer built from it
# alone splits and offsets text exactly as AutoTokenizer's does (checked on all our stance data:
# benchmarks/results/startup.md); AutoTokenizer spends over a second more building it.
_PLAIN_FAST_TOKENIZERS = {"XLMRobertaTokenizer", "XLMRobertaTokenizerFast"}
_SPECIAL_TOKENS = ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token")


def load_tokenizer(encoder_dir: str) -> Any:
    """The encoder's tokenizer: straight from ``tokenizer.json`` for the XLM-R family, else AutoTokenizer."""
    from transformers import AutoTokenizer, PreTrainedTokenizerFast

    local = Path(encoder_dir)
    config_file, tokenizer_file = local / "tokenizer_config.json", local / "tokenizer.json"
    if config_file.is_file() and tokenizer_file.is_file():
        config = json.loads(config_file.read_text(encoding="utf-8"))
        special = {k: config[k] for k in _SPECIAL_TOKENS if isinstance(config.get(k), str)}
        if config.get("tokenizer_class") in _PLAIN_FAST_TOKENIZERS and len(special) == len(_SPECIAL_TOKENS):
            return PreTrainedTokenizerFast(
                tokenizer_file=str(tokenizer_file),
                model_max_length=config.get("model_max_length", 512),
                name_or_path=str(local),
                **special,
            )
    return AutoTokenizer.from_pretrained(encoder_dir, trust_remote_code=False)


def load_encoder(
    name_or_dir: str, *, dropout: float | None = None, layers: list[int] | None = None
) -> nn.Module:
    """``AutoModel.from_pretrained`` without a pooler where the architecture has one (E5 pools by mean).

    ``dropout`` overrides the encoder's internal dropout rates (training only; dropout is off in eval).
    ``layers`` keeps only those transformer layers (``inference.layers.keep_layers``; None: all).
    """
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(name_or_dir, trust_remote_code=False)
    kwargs: dict[str, Any] = {"trust_remote_code": False}
    if dropout is not None:
        for key in ("hidden_dropout_prob", "attention_probs_dropout_prob", "dropout", "attention_dropout"):
            if hasattr(config, key):
                kwargs[key] = dropout
    if config.model_type in _POOLER_FREE:
        kwargs["add_pooling_layer"] = False
    return keep_layers(AutoModel.from_pretrained(name_or_dir, **kwargs), layers)


def _check_saved_layers(encoder: nn.Module, layers: list[int] | None, encoder_dir: str) -> None:
    """A full-format ``encoder/`` holds only the kept layers: their number must match the settings."""
    if layers is None:
        return
    saved = len(layer_list(encoder))
    if saved != len(layers):
        raise ValueError(
            f"{encoder_dir} has {saved} layers but the model's encoder_layers={layers} keeps {len(layers)}; "
            "the directory is inconsistent: re-save the model with save_pretrained(encoder_format='full')"
        )


def read_model_config(path: Path) -> dict[str, Any]:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise FileNotFoundError(f"{path} is not a diplostance model directory: {config_file} is missing")
    config = json.loads(config_file.read_text())
    if config.get("model_type") != MODEL_TYPE:
        raise ValueError(
            f"{config_file}: model_type is {config.get('model_type')!r}, expected {MODEL_TYPE!r} "
            "(a base encoder is not a trained diplostance model; train one with `diplostance train`)"
        )
    if config.get("format_version", 0) > FORMAT_VERSION:
        raise ValueError(
            f"{config_file}: format_version {config['format_version']} is newer than this diplostance"
        )
    if not (path / "heads.safetensors").is_file():
        raise FileNotFoundError(f"{path}: heads.safetensors is missing")
    return config


def _local_model_dir(path: str | os.PathLike[str]) -> Path:
    local = Path(path).expanduser()
    if local.exists():
        return local
    name = os.fspath(path)
    if name.count("/") == 1 and not name.startswith((".", "/")):
        from huggingface_hub import snapshot_download

        logger.info("downloading model %s from the hub", name)
        return Path(
            snapshot_download(name, allow_patterns=["*.json", "*.safetensors", "*.md", "*.model", "*.txt"])
        )
    raise FileNotFoundError(f"model directory {local} does not exist")


def _rewrite_adapter_base(adapter_dir: Path, base: str) -> None:
    """Record the portable base encoder name, not the local cache path, in the adapter config."""
    cfg_file = adapter_dir / "adapter_config.json"
    cfg = json.loads(cfg_file.read_text())
    cfg["base_model_name_or_path"] = base
    cfg_file.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n")
