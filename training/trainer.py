"""``train(config) -> Path``: fine-tune the encoder (LoRA) and the three heads on the configured sources."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import math
import random
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import yaml
from transformers import TrainerCallback

from inference.classifier import StanceClassifier
from inference.encoder import resolve_encoder
from inference.heads import LEGACY_HEADS, check_heads
from inference.modeling import ModelSettings, StanceModel, load_encoder

from .averaging import WeightAverage, average_start
from .batching import class_weights
from .calibration import calibrate_model
from .config import Config, ConfigError, ModelConfig
from .context import with_context
from .data import SourceData, load_sources
from .devices import Precision, resolve_device, resolve_precision
from .distill import CACHE as TEACHER_CACHE
from .distill import add_soft_columns, gold_targets, teacher_probs
from .dyad_metrics import format_dyad_table
from .evaluation import evaluate, format_table, headline, table_rows
from .hf_data import source_datasets
from .hf_trainer import StanceTrainer, last_complete_checkpoint, unwrap_forward
from .losses import compute_loss  # noqa: F401  (re-exported: training.trainer.compute_loss)
from .model_card import write_model_card
from .sampler import MixtureBatchSampler
from .teachers import train_teachers
from .tokenised import TokenisedCollator, tokenise

logger = logging.getLogger(__name__)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def model_heads(config: Config) -> tuple[str, ...]:
    """The heads a run trains: the legacy three, every source's ``sentence_head``, and ``pair`` when
    its loss weight is positive."""
    names = set(LEGACY_HEADS) | {s.sentence_head for s in config.data.sources}
    if config.train.loss_weights.get("pair", 0.0) > 0:
        names.add("pair")
    return check_heads(sorted(names))


def build_model(cfg: ModelConfig, heads: tuple[str, ...] = LEGACY_HEADS):
    """A fresh :class:`StanceModel` over the configured encoder (LoRA-wrapped unless ``adapter: full``)
    with the registered ``heads``."""
    from transformers import AutoTokenizer

    encoder_dir = resolve_encoder(cfg.encoder)
    # the kept layers are cut before peft wraps the encoder: the adapter's names index them 0..n-1
    encoder = load_encoder(encoder_dir, dropout=cfg.encoder_dropout, layers=cfg.encoder_layers)
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir, trust_remote_code=False)
    if cfg.adapter == "lora":
        from peft import LoraConfig, get_peft_model

        lora = LoraConfig(
            r=cfg.lora_r,
            lora_alpha=cfg.lora_alpha,
            lora_dropout=cfg.lora_dropout,
            target_modules=list(cfg.lora_targets),
            bias="none",
        )
        encoder = get_peft_model(encoder, lora)
    else:
        embeddings = encoder.get_input_embeddings()
        embeddings.weight.requires_grad_(False)  # 96M rows of vocabulary: frozen
    settings = ModelSettings(
        base_encoder=cfg.encoder,
        max_length=cfg.max_length,
        text_prefix=cfg.text_prefix,
        dropout=cfg.dropout,
        head_hidden=cfg.head_hidden,
        target_pooling=cfg.target_pooling,
        target_encoding=cfg.target_encoding,
        heads=list(heads),
        encoder_layers=cfg.encoder_layers,
    )
    return StanceModel(encoder, settings), tokenizer


def dev_sets(data: dict[str, SourceData]) -> dict[str, tuple[str, list]]:
    return {name: (sd.config.kind, sd.dev) for name, sd in data.items() if sd.dev}


def sentiment_dev(data: dict[str, SourceData]) -> dict[str, tuple[bool, list]]:
    """The trained sources' dev sets with sentiment labels, each with its metric (RuSentNE-format sources
    by positive/negative macro-F1, the others by 3-way macro-F1): what the sentiment thresholds fit on."""
    return {
        name: (sd.config.kind == "rusentne", sd.dev)
        for name, sd in data.items()
        if sd.config.train and any(t.sentiment for e in sd.dev for t in e.targets)
    }


def calibrate_for_config(
    model, tokenizer, config: Config, data: dict[str, SourceData], *, bf16: bool = False
) -> dict:
    """``calibration.calibrate_model`` as ``config.train`` asks (polarity source, relation shift, sentiment
    thresholds), on the dev sets of the trained sources (an evaluation-only source, ``train: false``, is
    another distribution); sets the model's temperatures and shifts and returns the report."""
    polarity = config.train.polarity_source  # validated by load_config
    report = calibrate_model(
        model,
        tokenizer,
        [e for sd in data.values() if sd.config.train for e in sd.dev],
        bf16=bf16,
        polarity_dev=data[polarity].dev if polarity else (),
        relation=config.train.fit_relation,
        sentiment_dev=sentiment_dev(data) if config.train.fit_sentiment_shift else None,
        sentiment_min_items=config.train.sentiment_shift_min_items,
        sentiment_votes=config.train.sentiment_shift_votes,
    )
    logger.info(
        "calibrated: temperatures %s, shifts %s, per language %s",
        model.settings.temperatures,
        model.settings.logit_shift,
        model.settings.lang_logit_shift,
    )
    return report


def _in_context(config: Config, data: dict[str, SourceData]) -> dict[str, SourceData]:
    """``data`` with each source's ``context`` fraction of training examples read inside other sentences
    (:mod:`training.context`); the same ``data`` when no source asks for it."""
    trained = {name: sd for name, sd in data.items() if sd.config.train}  # filler only from what trains
    fractions = {name: sd.config.context for name, sd in trained.items()}
    if not any(fractions.values()):
        return data
    add = {name for name, sd in trained.items() if sd.config.context_mode == "add"}
    train, made = with_context(
        {name: sd.train for name, sd in trained.items()}, fractions, config.train.seed, add=add
    )
    for name, count in made.items():
        logger.info(
            "%s: %d training example(s) read inside other sentences (context, %s)",
            name,
            count,
            "added" if name in add else "replacing them",
        )
    return {
        name: dataclasses.replace(sd, train=train[name]) if name in train else sd for name, sd in data.items()
    }


def _training_table(config: Config, data: dict[str, SourceData], tables: dict, tokenizer, markers):
    """The training sources' tables, tokenised (``map``) and concatenated, and their mixture sampler."""
    from datasets import concatenate_datasets

    parts, sources, lengths = [], [], []
    for name, sd in data.items():
        if not sd.config.train or not sd.train:
            continue
        table = tokenise(
            tables[name]["train"],
            tokenizer,
            max_length=config.model.max_length,
            prefix=config.model.text_prefix,
            markers=markers,
        )
        sources.append((range(len(lengths), len(lengths) + len(table)), sd.config.weight))
        lengths += [len(t) for t in table["text"]]
        parts.append(table)
    if not parts:
        raise ValueError("no training examples: every source is empty or has train: false")
    sampler = MixtureBatchSampler(sources, lengths, config.train.batch_size, config.train.seed)
    return concatenate_datasets(parts), sampler


def with_teacher_targets(
    config: Config,
    data: dict[str, SourceData],
    tables: dict,
    heads: tuple[str, ...],
    out_dir: Path,
    show: bool,
) -> dict:
    """``tables`` with each training source's teacher probabilities (``train.distill_from``) as
    ``soft_<head>`` columns, computed once over the training examples of every source that distils
    (cached in ``out_dir``); a source with ``distill: false`` gets its gold labels as targets instead. Only
    the heads of ``train.distill_heads`` (where that list is set) get columns: the others' loss is the gold
    cross-entropy alone (:func:`training.losses.compute_loss`)."""
    names = [name for name, sd in data.items() if sd.config.train and sd.train]
    distilled = [h for h in heads if not config.train.distill_heads or h in config.train.distill_heads]
    taught = [name for name in names if data[name].config.distill]
    soft = (
        teacher_probs(
            [config.resolve_path(p) for p in config.train.distill_from],
            [e for name in taught for e in data[name].train],
            distilled,
            cache=out_dir / TEACHER_CACHE,
            show=show,
        )
        if taught
        else {}
    )
    start = 0
    for name in names:
        n = len(data[name].train)
        if name in taught:
            part = {head: column[start : start + n] for head, column in soft.items()}
            start += n
        else:
            part = gold_targets(data[name].train, distilled)
        tables[name]["train"] = add_soft_columns(tables[name]["train"], part)
    return tables


def _report_to(value: str) -> list[str]:
    if value == "auto":
        return ["tensorboard"] if importlib.util.find_spec("tensorboard") else []
    return [] if value == "none" else [v.strip() for v in value.split(",") if v.strip()]


def training_arguments(
    config: Config, checkpoints: Path, total_steps: int, device: str, precision: Precision, show: bool
):
    """``TrainingArguments`` derived from the typed config (the config stays the only interface)."""
    from transformers import TrainingArguments

    t = config.train
    return TrainingArguments(
        output_dir=str(checkpoints),
        per_device_train_batch_size=t.batch_size,
        per_device_eval_batch_size=t.eval_batch_size,
        gradient_accumulation_steps=t.gradient_accumulation,
        max_steps=total_steps,
        learning_rate=t.lr,
        weight_decay=t.weight_decay,
        max_grad_norm=1.0,
        eval_strategy="epoch",
        save_strategy="epoch",
        save_total_limit=t.save_total_limit,
        logging_strategy="steps",
        logging_steps=t.log_every,
        report_to=_report_to(t.report_to),
        seed=t.seed,
        data_seed=t.seed,
        bf16=precision.bf16,
        fp16=precision.fp16,
        use_cpu=device == "cpu",
        disable_tqdm=not show,
        remove_unused_columns=False,
        dataloader_num_workers=0,
    )


class _StepCheckpoints(TrainerCallback):
    """``train.save_steps``: a checkpoint every N steps too (epoch ends are saved after their dev figures)."""

    def __init__(self, every: int, per_epoch: int) -> None:
        self.every, self.per_epoch = every, per_epoch

    def on_step_end(self, args, state, control, **kwargs):
        if state.global_step % self.every == 0 and state.global_step % self.per_epoch:
            control.should_save = True
        return control


class _LogSteps(TrainerCallback):
    """A timestamped log line per logging step (the Trainer's own lines carry no time)."""

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            logger.info("step %d/%d loss %.4f", state.global_step, state.max_steps, logs["loss"])


def train(
    config: Config, *, progress: bool | None = None, resume: bool = False, callbacks: list | None = None
) -> Path:
    """Train per ``config`` on ``transformers.Trainer``; write the model directory (with config, data
    record, metrics, card); return it. ``resume``: continue from the last checkpoint in
    ``<output.dir>/checkpoints`` (left by a killed run). With ``train.teacher_seeds`` the teachers are
    trained first (:mod:`training.teachers`); the saved ``training_config.yaml`` keeps the seeds, so it
    rebuilds teachers and student alike."""
    recipe = config
    if config.train.teacher_seeds:
        config = train_teachers(config, train, progress=progress, resume=resume)
    started = time.time()
    if config.train.threads:
        torch.set_num_threads(config.train.threads)
    device = resolve_device(config.train.device)
    precision = resolve_precision(device, config.train.bf16, config.train.fp16)
    seed_everything(config.train.seed)
    out_dir = Path(config.output.dir)
    checkpoints = out_dir / "checkpoints"
    last = last_complete_checkpoint(checkpoints) if checkpoints.is_dir() else None
    if resume and last is None:
        logger.warning("--resume: no checkpoint in %s; training from the start", checkpoints)
    stale = sorted(p.name for p in checkpoints.glob("checkpoint-*")) if checkpoints.is_dir() else []
    if not resume and stale:
        raise ConfigError(
            f"{checkpoints} holds checkpoints of an unfinished run ({', '.join(stale[-2:])}): pass --resume "
            "to continue it, or delete that folder to start over"
        )
    data = load_sources(config)
    if not any(sd.train for sd in data.values() if sd.config.train):
        raise ValueError("no training examples: every source is empty or has train: false")
    data = _in_context(config, data)
    weights = {
        name: class_weights(sd.train, sd.config.class_balance)
        for name, sd in data.items()
        if sd.config.class_balance
    }
    heads = model_heads(config)
    with_pairs = [name for name, sd in data.items() if sd.config.train and any(e.pairs for e in sd.train)]
    if with_pairs and "pair" not in heads:
        logger.warning(
            "source(s) %s label dyads but train.loss_weights.pair is 0: the model gets no pair head",
            with_pairs,
        )
    model, tokenizer = build_model(config.model, heads)
    classifier = StanceClassifier(
        model, tokenizer, name=str(out_dir), batch_size=config.train.eval_batch_size
    )
    tables = source_datasets(data)
    show = sys.stderr.isatty() if progress is None else progress
    distill = config.train.distill_weight if config.train.distill_from else 0.0
    if distill:
        tables = with_teacher_targets(config, data, tables, heads, out_dir, show)
    markers = model.settings.markers
    train_table, sampler = _training_table(config, data, tables, tokenizer, markers)
    per_epoch = math.ceil(len(sampler) / config.train.gradient_accumulation)
    total_steps = config.train.max_steps or math.ceil(config.train.epochs * per_epoch)
    args = training_arguments(config, checkpoints, total_steps, device, precision, show)
    extra = [_StepCheckpoints(config.train.save_steps, per_epoch)] if config.train.save_steps else []
    averager = (
        WeightAverage(average_start(config.train.average_from, total_steps), config.train.average_every)
        if config.train.average_from is not None
        else None
    )
    trainer = StanceTrainer(
        model=model,
        args=args,
        train_dataset=train_table,
        eval_dataset={name: dd["dev"] for name, dd in tables.items()},
        data_collator=TokenisedCollator(
            tokenizer, max_length=config.model.max_length, marked=markers is not None, weights=weights
        ),
        callbacks=[_LogSteps(), *extra, *(callbacks or [])],
        batch_sampler=sampler,
        loss_weights=config.train.loss_weights,
        classifier=classifier,
        dev_sets=dev_sets(data),
        select=config.train.select,
        encoder_lr=config.train.lr,
        head_lr=config.train.head_lr,
        layer_decay=config.train.layer_decay,
        warmup_steps=int(config.train.warmup_ratio * total_steps),
        distill_weight=distill,
        averager=averager,
    )
    logger.info(
        "training %d steps (%d per epoch) on %s, device %s, %s",
        total_steps,
        per_epoch,
        ", ".join(data),
        args.device,
        precision.name,
    )
    if resume and last is not None:
        trainer.restore_dev_record(last)
        logger.info("resuming from %s", last)
    trainer.train(resume_from_checkpoint=last if resume else None)
    if trainer.state.global_step < total_steps:  # a callback stopped it: leave the checkpoints for --resume
        raise TrainingStopped(f"training stopped at step {trainer.state.global_step} of {total_steps}")

    if not trainer.is_world_process_zero():  # torchrun / accelerate launch: one process writes the model
        return out_dir
    unwrap_forward(model)  # calibration and the final dev figures read the model as it will be loaded
    best = trainer.best
    if best is None:  # cannot happen: every run ends with an epoch's evaluation
        raise RuntimeError("training ran no epoch")
    if best[1] is not None:
        model.load_state_dict(best[1], strict=False)
    model.eval()
    averaged = None
    if averager is not None:  # the mean replaces the last weights; dev read both ways, before calibration
        model.load_state_dict(averager.averaged(model.state_dict()), strict=False)
        results = evaluate(classifier, dev_sets(data))
        averaged = {**averager.record(), "headline": headline(results), "dev": results}
        logger.info(
            "weights averaged over %d snapshots (steps %d-%d): dev headline %.4f (last weights %.4f)",
            averager.count,
            averager.steps[0],
            averager.steps[-1],
            averaged["headline"],
            best[0],
        )
        best = (averaged["headline"], best[1], results)  # what the model now reads (before calibration)
    calibration = None
    if config.train.calibrate:
        calibration = calibrate_for_config(
            model, tokenizer, config, data, bf16=precision.bf16 and device == "cpu"
        )
        results = evaluate(classifier, dev_sets(data))  # what the shipped, calibrated model reads
        best = (headline(results), best[1], results)
    model.to("cpu")
    losses = trainer.losses
    metrics = {
        "dev": best[2],
        "headline": best[0],
        "select": config.train.select,
        "calibration": calibration,
        "epoch_dev": trainer.epoch_dev,
        "averaged": averaged,
        "steps": trainer.state.global_step,
        "epochs": len(trainer.epoch_dev),
        "train_seconds": round(time.time() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "device": str(args.device),
        "precision": precision.name,
        "resumed_from": Path(last).name if resume and last else None,
        "distilled_from": list(config.train.distill_from) if distill else [],
        "teacher_seeds": list(recipe.train.teacher_seeds),
        "train_examples": {name: len(sd.train) for name, sd in data.items()},
        "dev_examples": {name: len(sd.dev) for name, sd in data.items()},
        "bad_rows": {name: len(sd.bad_rows) for name, sd in data.items()},
        "loss_first_last": [losses[0], losses[-1]] if losses else [],
        **_layer_record(config.model),
    }
    save_run(model, tokenizer, recipe, data, metrics, out_dir)
    if not config.train.keep_checkpoints:
        shutil.rmtree(checkpoints, ignore_errors=True)
    print(format_table(table_rows(best[2])))
    dyads = format_dyad_table(best[2])
    if dyads:
        print("\nDirected dyads over (source, target, stance) triples (micro P/R/F1):\n" + dyads)
    return out_dir


def _layer_record(cfg: ModelConfig) -> dict:
    """For a student with fewer layers: the kept base layers and how many the base encoder has."""
    if cfg.encoder_layers is None:
        return {}
    from transformers import AutoConfig

    total = AutoConfig.from_pretrained(
        resolve_encoder(cfg.encoder), trust_remote_code=False
    ).num_hidden_layers
    return {"encoder_layers": list(cfg.encoder_layers), "base_encoder_layers": total}


class TrainingStopped(RuntimeError):
    """A callback stopped training before its last step; ``--resume`` continues from the checkpoints."""


def save_run(
    model: StanceModel, tokenizer, config: Config, data: dict[str, SourceData], metrics: dict, out_dir: Path
) -> None:
    """Model weights plus the record of the run: resolved config, data seen, metrics, bad rows, card."""
    model.save_pretrained(out_dir, tokenizer=tokenizer, encoder_format=config.output.encoder_format)
    (out_dir / "training_config.yaml").write_text(
        yaml.safe_dump(config.to_dict(), sort_keys=False, allow_unicode=True)
    )
    record = {
        name: {"kind": sd.config.kind, "files": sd.files, "train": len(sd.train), "dev": len(sd.dev)}
        for name, sd in data.items()
    }
    (out_dir / "data.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    with open(out_dir / "bad_rows.jsonl", "w", encoding="utf-8") as fh:
        for sd in data.values():
            for row in sd.bad_rows:
                fh.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
    write_model_card(out_dir, config.to_dict(), metrics)
