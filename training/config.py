"""Typed training configuration loaded from YAML (``yaml.safe_load``) with dotted overrides.

Unknown or misspelled keys are errors that name the key and suggest the closest known one.
Paths in ``data.sources[*].path`` may use ``{shared}``, replaced by ``data.shared`` (default: the
``DIPLOSTANCE_SHARED_DATA`` environment variable, else ``../shared/data``); relative paths are
resolved against the current directory.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inference.encoder import DEFAULT_ENCODER

# How each source's metric weighs in the sentiment shift's fit (train.sentiment_shift_votes; calibration._vote).
SHIFT_VOTES = ("equal", "sqrt", "items")

DEVICES = ("auto", "cpu", "cuda", "mps")


class ConfigError(ValueError):
    """A configuration value or key is invalid; the message names it."""


@dataclass
class ModelConfig:
    encoder: str = DEFAULT_ENCODER  # hub id, local path, or a built-in offline encoder
    max_length: int = 160
    text_prefix: str = "query: "
    dropout: float = 0.1  # before the heads
    encoder_dropout: float = 0.0  # inside the encoder; 0 is much faster on CPU, where dropout is costly
    head_hidden: int = 0
    target_pooling: str = "mean"  # "mean" or "attention" (a target-queried attention over the sentence)
    target_encoding: str = "shared"  # "shared" (one pass per sentence) or "marked" (one per target, marked)
    adapter: str = "lora"  # "lora" (small trained weights) or "full" (fine-tune every weight)
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.0
    lora_targets: list[str] = field(default_factory=lambda: ["query", "key", "value", "dense"])
    # base encoder layers to keep (a smaller student, e.g. [0, 2, 4, 6, 8, 11]); null: all of them
    encoder_layers: list[int] | None = None


@dataclass
class SourceConfig:
    name: str = ""
    kind: str = ""  # reader: cameo, un_quadclass, newsmtsc, rusentne, own
    path: str = ""
    dev_path: str | None = None  # a separate dev file; otherwise `dev_fraction` of the groups
    dev_fraction: float = 0.1
    weight: float = 1.0  # examples drawn per epoch = weight x size
    max_examples: int | None = None
    train: bool = True  # False: evaluate on it only
    class_balance: float = 0.0  # loss weight per label = (max count / count) ** class_balance
    # the sentence head its sentence labels train (inference.heads), e.g. sentence_detail_un for UN QuadClass
    sentence_head: str = "sentence_detail"
    # with train.distill_from: False keeps this source on its gold labels alone (no teacher probabilities)
    distill: bool = True
    # the fraction of its training examples read inside other sentences of their language (training.context)
    context: float = 0.0
    # "replace": those copies replace their sentences; "add": they come on top, every sentence also read as it is
    context_mode: str = "replace"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class DataConfig:
    shared: str = field(default_factory=lambda: os.environ.get("DIPLOSTANCE_SHARED_DATA") or "../shared/data")
    sources: list[SourceConfig] = field(default_factory=list)
    # Sentences of one language sharing at least this fraction of word 3-grams share a split group (0: off).
    group_similarity: float = 0.5
    folds: int = (
        0  # > 0: dev is fold `fold` of a fixed `folds`-way partition of the groups (sources without dev_path)
    )
    fold: int = 0
    # the seed of the dev_fraction split; None: train.seed. Fix it to compare seeds on the same dev sentences
    split_seed: int | None = None


@dataclass
class TrainConfig:
    epochs: float = 3.0
    batch_size: int = 16
    lr: float = 5e-4  # encoder (LoRA) learning rate
    head_lr: float = 2e-3
    # layer-wise learning-rate decay (training/optim.py): the top encoder layer at lr, each one below at this
    # factor times the one above; 1.0 = off (every encoder weight at lr)
    layer_decay: float = 1.0
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    seed: int = 13
    threads: int | None = None
    max_steps: int | None = None
    bf16: bool = False  # bf16 autocast on CPU (AMX) / GPU
    loss_weights: dict[str, float] = field(
        default_factory=lambda: {"detail": 1.0, "sentiment": 1.0, "sentence_detail": 1.0, "stance": 0.0}
    )
    # "best": keep the epoch with the best dev headline (optimistic on that dev split);
    # "last": keep the last epoch (an unbiased dev figure, what the evaluation protocol uses)
    select: str = "best"
    calibrate: bool = True  # fit a temperature per head on dev (training/calibration.py)
    # a source whose dev set fits the sentiment head's neutral shift (RuSentNE's polarity decision); "" = none
    polarity_source: str = ""
    # with calibrate: shift the pair head's "none" logit to the threshold that maximises directed dyad F1 on dev
    fit_relation: bool = True
    # with calibrate: the sentiment head's neutral shift fitted on every source's dev sentiment (each source's
    # own metric, averaged), and one per language that has at least sentiment_shift_min_items dev targets
    fit_sentiment_shift: bool = False
    sentiment_shift_min_items: int = 250
    # how each source's metric weighs in that fit: "equal" (up to v11l13), "sqrt" (by the square root of its dev
    # targets; configs/default.yaml) or "items" (docs/ablations.md §25)
    sentiment_shift_votes: str = "equal"
    # model directories whose mean calibrated probabilities the run also learns from (training/distill.py):
    # each labelled item's loss is (1 - distill_weight) * CE(gold) + distill_weight * CE(teachers)
    distill_from: list[str] = field(default_factory=list)
    distill_weight: float = 0.5
    # the heads that learn from the teachers ([] = every head); the others keep their gold labels alone
    distill_heads: list[str] = field(default_factory=list)
    # teachers this run trains first (training/teachers.py): the same config at each seed, on this run's data
    # split, into <output.dir>/teachers/seed-N (a finished one there is reused); then added to distill_from
    teacher_seeds: list[int] = field(default_factory=list)
    eval_batch_size: int = 64
    log_every: int = 20
    # where training runs: "auto" (CUDA, else Apple MPS, else CPU), "cpu", "cuda" or "mps"
    device: str = "auto"
    fp16: bool = False  # fp16 mixed precision (CUDA without bf16); bf16 above is used where the device has it
    gradient_accumulation: int = 1  # batches per optimizer step
    save_steps: int | None = None  # also checkpoint every N steps (a checkpoint is always written per epoch)
    save_total_limit: int = 2  # checkpoints kept for --resume
    keep_checkpoints: bool = False  # keep <output.dir>/checkpoints after a finished run
    # weight averaging (training/averaging.py): from this fraction of the steps on, the trained weights every
    # average_every steps enter a running mean that becomes the model (needs select: last); null = off
    average_from: float | None = None
    average_every: int = 100
    report_to: str = (
        "auto"  # Trainer logging: "auto" (TensorBoard when installed), "none", "tensorboard", ...
    )


@dataclass
class OutputConfig:
    dir: str = "runs/model"
    encoder_format: str = "lora"  # "lora": adapter only (small); "full": self-contained encoder


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    output: OutputConfig = field(default_factory=OutputConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def split_seed(self) -> int:
        """The seed of the dev split: ``data.split_seed``, else the training seed."""
        return self.train.seed if self.data.split_seed is None else self.data.split_seed

    def resolve_path(self, path: str) -> Path:
        return Path(path.replace("{shared}", self.data.shared)).expanduser()

    def calibration(self) -> dict[str, Any]:
        """What calibration fits, as :data:`CALIBRATION_KEYS` set it."""
        return {key: getattr(self.train, key) for key in CALIBRATION_KEYS}


# The train keys that say where a run goes and how visibly, not what it trains: runs that differ only in these
# are one recipe (a teacher found in its folder, the draws of a seed spread, a run shipped against its config).
# Dotted, as config_differences compares them.
RUNTIME_KEYS = (
    "train.threads",
    "train.device",
    "train.eval_batch_size",
    "train.log_every",
    "train.report_to",
    "train.save_steps",
    "train.save_total_limit",
    "train.keep_checkpoints",
)

# The train keys that decide what calibration fits, not the weights: diplostance calibrate writes them into a refitted
# model's training_config.yaml, and a seed spread records its runs' (the model card says when the two differ).
CALIBRATION_KEYS = (
    "calibrate",
    "polarity_source",
    "fit_relation",
    "fit_sentiment_shift",
    "sentiment_shift_min_items",
    "sentiment_shift_votes",
)


def saved_calibration(config: Mapping[str, Any]) -> dict[str, Any]:
    """What calibration fitted for a saved config dict (a run's ``training_config.yaml``), the defaults where it is
    silent: read from the dict itself, so a run whose config no longer builds (a retired key) still answers."""
    train, defaults = config.get("train") or {}, TrainConfig()
    return {key: train.get(key, getattr(defaults, key)) for key in CALIBRATION_KEYS}


# ------------------------------------------------------------------------ parsing


def _fail_unknown(key: str, known: list[str], where: str) -> typing.NoReturn:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"unknown config key {where + key!r}{hint} (known keys: {', '.join(known)})")


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(value, inner[0], where)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, where + ".")
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list, got {type(value).__name__} {value!r}")
        return [_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a mapping, got {type(value).__name__} {value!r}")
        return {
            str(k): _coerce(v, args[1], f"{where}.{k}") if args[1] is not Any else v for k, v in value.items()
        }
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {value!r}")
    if hint in (int, float, str) and (not isinstance(value, hint) or isinstance(value, bool)):
        raise ConfigError(f"{where} must be a {hint.__name__}, got {type(value).__name__} {value!r}")
    return value


def build(cls: type, data: Any, where: str = "") -> Any:
    """Build dataclass ``cls`` from a mapping, rejecting unknown keys and wrong types."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where.rstrip('.') or 'config'} must be a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        if key not in hints:
            _fail_unknown(str(key), known, where)
        kwargs[key] = _coerce(value, hints[key], where + key)
    return cls(**kwargs)


def apply_override(raw: dict[str, Any], dotted: str, value: str) -> None:
    """Set ``raw[a][b]...`` from ``a.b...=value``; the value is parsed as YAML (``3`` → int)."""
    parts = dotted.split(".")
    node: Any = raw
    for i, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            node = node[_index(part, dotted, len(node))]
        else:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if node is None:
            raise ConfigError(f"cannot override {dotted!r}: {'.'.join(parts[: i + 1])} is not a section")
    leaf = parts[-1]
    parsed = yaml.safe_load(value) if value != "" else ""
    if isinstance(node, list):
        node[_index(leaf, dotted, len(node))] = parsed
    else:
        node[leaf] = parsed


def _index(part: str, dotted: str, size: int) -> int:
    if not part.isdigit() or int(part) >= size:
        raise ConfigError(f"cannot override {dotted!r}: {part!r} is not an index below {size}")
    return int(part)


def validate(config: Config) -> Config:
    from inference.heads import HEADS
    from inference.layers import check_layers
    from inference.modeling import TARGET_ENCODINGS, TARGET_POOLINGS

    for key, value, allowed in (
        ("target_pooling", config.model.target_pooling, TARGET_POOLINGS),
        ("target_encoding", config.model.target_encoding, TARGET_ENCODINGS),
    ):
        if value not in allowed:
            raise ConfigError(f"model.{key}={value!r}; expected one of {list(allowed)}")
    try:  # the count is checked where the encoder is loaded (inference.layers.keep_layers)
        check_layers(config.model.encoder_layers, name="model.encoder_layers")
    except ValueError as err:
        raise ConfigError(str(err)) from None
    if config.model.adapter not in {"lora", "full"}:
        raise ConfigError(f"model.adapter={config.model.adapter!r}; expected 'lora' or 'full'")
    if config.output.encoder_format not in {"lora", "full"}:
        raise ConfigError(
            f"output.encoder_format={config.output.encoder_format!r}; expected 'lora' or 'full'"
        )
    if config.model.adapter == "full" and config.output.encoder_format == "lora":
        raise ConfigError("model.adapter='full' trains every weight: set output.encoder_format: full")
    if config.train.epochs <= 0 and not config.train.max_steps:
        raise ConfigError(f"train.epochs={config.train.epochs}; it must be positive")
    if not 0.0 < config.train.layer_decay <= 1.0:
        raise ConfigError(
            f"train.layer_decay={config.train.layer_decay}; it must be above 0 and at most 1 "
            "(the top layer trains at train.lr, each one below at this factor times the one above; 1 is off)"
        )
    if config.train.select not in {"best", "last"}:
        raise ConfigError(f"train.select={config.train.select!r}; expected 'best' or 'last'")
    if config.train.average_from is not None:
        if not 0.0 <= config.train.average_from < 1.0:
            raise ConfigError(
                f"train.average_from={config.train.average_from}; it must be at least 0 and below 1 "
                "(the fraction of the steps after which weights are averaged), or null to turn it off"
            )
        if config.train.select != "last":
            raise ConfigError(
                f"train.average_from averages the last part of training, but train.select={config.train.select!r} "
                "keeps the best epoch's weights: set train.select: last (or drop average_from)"
            )
    if config.train.average_every < 1:
        raise ConfigError(f"train.average_every={config.train.average_every}; it must be at least 1 step")
    if config.train.device not in DEVICES:
        raise ConfigError(f"train.device={config.train.device!r}; expected one of {list(DEVICES)}")
    for key in ("gradient_accumulation", "save_total_limit"):
        if getattr(config.train, key) < 1:
            raise ConfigError(f"train.{key}={getattr(config.train, key)}; it must be at least 1")
    if config.train.save_steps is not None and config.train.save_steps < 1:
        raise ConfigError(
            f"train.save_steps={config.train.save_steps}; it must be at least 1 (or null: per epoch)"
        )
    if config.train.batch_size < 1:
        raise ConfigError(f"train.batch_size={config.train.batch_size}; it must be at least 1")
    known_losses = [*HEADS, "stance"]
    unknown_losses = set(config.train.loss_weights) - set(known_losses)
    if unknown_losses:
        raise ConfigError(
            f"train.loss_weights has unknown head(s) {sorted(unknown_losses)}; known: {', '.join(known_losses)}"
        )
    names = [s.name for s in config.data.sources]
    if config.train.polarity_source and config.train.polarity_source not in names:
        raise ConfigError(
            f"train.polarity_source={config.train.polarity_source!r} is not a source name; sources: {names}"
        )
    if config.train.fit_sentiment_shift and config.train.polarity_source:
        raise ConfigError(
            f"train.fit_sentiment_shift and train.polarity_source={config.train.polarity_source!r} both fit the "
            "sentiment head's neutral shift; keep one (fit_sentiment_shift fits it on every source's dev)"
        )
    if not 0 <= config.train.distill_weight <= 1:
        raise ConfigError(
            f"train.distill_weight={config.train.distill_weight}; expected 0 <= x <= 1 (the teachers' share of "
            "each head's loss; 0 ignores train.distill_from)"
        )
    if any(not isinstance(p, str) or not p for p in config.train.distill_from):
        raise ConfigError(
            f"train.distill_from={config.train.distill_from!r}; expected a list of model directories"
        )
    unknown_distill = sorted(set(config.train.distill_heads) - set(HEADS))
    if unknown_distill:
        raise ConfigError(
            f"train.distill_heads has unknown head(s) {unknown_distill}; known: {', '.join(HEADS)}"
        )
    seeds = config.train.teacher_seeds
    if len(set(seeds)) != len(seeds):  # their type is checked on parsing (list[int])
        raise ConfigError(
            f"train.teacher_seeds={seeds!r}; expected a list of distinct integer seeds, e.g. [13, 14]"
        )
    if seeds and config.train.distill_weight == 0:
        raise ConfigError(
            f"train.teacher_seeds={seeds!r} with train.distill_weight=0: the teachers would be trained and "
            "ignored; set distill_weight above 0 or drop teacher_seeds"
        )
    if config.train.sentiment_shift_min_items < 1:
        raise ConfigError(
            f"train.sentiment_shift_min_items={config.train.sentiment_shift_min_items}; it must be at least 1"
        )
    if config.train.sentiment_shift_votes not in SHIFT_VOTES:
        raise ConfigError(
            f"train.sentiment_shift_votes={config.train.sentiment_shift_votes!r}; expected one of "
            f"{', '.join(SHIFT_VOTES)}"
        )
    for i, source in enumerate(config.data.sources):
        spec = HEADS.get(source.sentence_head)
        if spec is None or spec.arity != "sentence":
            sentence_heads = [h.name for h in HEADS.values() if h.arity == "sentence"]
            raise ConfigError(
                f"data.sources[{i}].sentence_head={source.sentence_head!r}; expected one of {sentence_heads}"
            )
        # a sentence head chosen by a source learns as much as sentence_detail unless told otherwise
        config.train.loss_weights.setdefault(
            source.sentence_head, config.train.loss_weights.get("sentence_detail", 1.0)
        )
        if not source.name or not source.kind or not source.path:
            raise ConfigError(f"data.sources[{i}] needs name, kind and path (got {source.name!r})")
        if names.count(source.name) > 1:
            raise ConfigError(f"data.sources[{i}].name {source.name!r} is used twice; names must be unique")
        if source.class_balance < 0:
            raise ConfigError(f"data.sources[{i}].class_balance={source.class_balance}; it must be >= 0")
        if not 0 <= source.context <= 1:
            raise ConfigError(
                f"data.sources[{i}].context={source.context}; expected 0 <= x <= 1 (the fraction of its "
                "training examples read inside other sentences; 0: off)"
            )
        if source.context_mode not in ("replace", "add"):
            raise ConfigError(
                f"data.sources[{i}].context_mode={source.context_mode!r}; expected 'replace' (the copies read "
                "inside other sentences replace their sentences) or 'add' (they come on top)"
            )
        if not 0 <= source.dev_fraction < 1:
            raise ConfigError(f"data.sources[{i}].dev_fraction={source.dev_fraction}; expected 0 <= x < 1")
    if not 0 <= config.data.group_similarity <= 1:
        raise ConfigError(
            f"data.group_similarity={config.data.group_similarity}; expected 0 <= x <= 1 (0: off)"
        )
    if config.data.folds < 0 or (config.data.folds and not 0 <= config.data.fold < config.data.folds):
        raise ConfigError(
            f"data.folds={config.data.folds}, data.fold={config.data.fold}; expected folds >= 2 and 0 <= fold < folds "
            "(or folds: 0 to split by dev_fraction)"
        )
    if config.data.folds == 1:
        raise ConfigError(
            "data.folds=1 leaves nothing to train on; use folds >= 2, or 0 to split by dev_fraction"
        )
    if not config.data.sources:
        raise ConfigError("data.sources is empty: list at least one training source")
    return config


def load_config(
    path: str | os.PathLike[str] | None = None, overrides: dict[str, str] | None = None
) -> Config:
    """Read a YAML config (or the defaults) and apply ``{"train.epochs": "3"}``-style overrides."""
    raw: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist")
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of sections")
        raw = loaded or {}
    for dotted, value in (overrides or {}).items():
        apply_override(raw, dotted, value)
    return validate(build(Config, raw))
