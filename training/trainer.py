"""``train(config) -> Path``: fine-tune the encoder (LoRA) and the three heads on the configured sources."""

from __future__ import annotations

import json
import logging
import math
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml
from torch import nn
from tqdm.auto import tqdm

from inference.classifier import StanceClassifier
from inference.encoder import resolve_encoder
from inference.heads import HEADS, LEGACY_HEADS, check_heads
from inference.labels import DETAIL_LABELS, DETAIL_TO_STANCE, STANCE_LABELS
from inference.modeling import ModelSettings, StanceModel, load_encoder

from .batching import IGNORE, class_weights, collate, epoch_mixture, length_bucketed_batches, steps_per_epoch
from .calibration import calibrate_model
from .config import Config, ModelConfig
from .data import SourceData, load_sources
from .dyad_metrics import format_dyad_table
from .evaluation import evaluate, format_table, headline, table_rows
from .model_card import write_model_card

logger = logging.getLogger(__name__)
STANCE_GROUPS = [[i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == s] for s in STANCE_LABELS]
STANCE_OF_DETAIL = torch.tensor([STANCE_LABELS.index(DETAIL_TO_STANCE[d]) for d in DETAIL_LABELS])


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
    encoder = load_encoder(encoder_dir, dropout=cfg.encoder_dropout)
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
    )
    return StanceModel(encoder, settings), tokenizer


def _weighted_ce(logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    keep = labels != IGNORE
    losses = nn.functional.cross_entropy(logits[keep].float(), labels[keep], reduction="none")
    w = weights[keep]
    return (losses * w).sum() / w.sum().clamp(min=1e-6)


def compute_loss(outputs: dict[str, torch.Tensor], batch: dict[str, torch.Tensor], weights: dict[str, float]):
    """Weighted sum of the heads' (class-weighted) cross-entropies, plus an optional ``stance`` term:
    the three-way cross-entropy of the detail head's probabilities summed per stance."""
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


def _optimizer(model: StanceModel, cfg: Config) -> torch.optim.Optimizer:
    encoder_params = [p for p in model.encoder.parameters() if p.requires_grad]
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    return torch.optim.AdamW(
        [
            {"params": encoder_params, "lr": cfg.train.lr},
            {"params": head_params, "lr": cfg.train.head_lr},
        ],
        weight_decay=cfg.train.weight_decay,
    )


def _schedule(optimizer: torch.optim.Optimizer, total: int, warmup: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def _trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    return {k: v.detach().clone() for k, v in model.state_dict().items() if k in names}


def dev_sets(data: dict[str, SourceData]) -> dict[str, tuple[str, list]]:
    return {name: (sd.config.kind, sd.dev) for name, sd in data.items() if sd.dev}


def train(config: Config, *, progress: bool | None = None) -> Path:
    """Train per ``config``; write the model directory (with config, data record, metrics, card); return it."""
    started = time.time()
    if config.train.threads:
        torch.set_num_threads(config.train.threads)
    seed_everything(config.train.seed)
    out_dir = Path(config.output.dir)
    data = load_sources(config)
    train_sources = [(sd.train, sd.config.weight) for sd in data.values() if sd.config.train]
    if not any(ex for ex, _ in train_sources):
        raise ValueError("no training examples: every source is empty or has train: false")

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
    rng = random.Random(config.train.seed)
    per_epoch = steps_per_epoch(len(epoch_mixture(train_sources, random.Random(0))), config.train.batch_size)
    total_steps = config.train.max_steps or math.ceil(config.train.epochs * per_epoch)
    optimizer = _optimizer(model, config)
    scheduler = _schedule(optimizer, total_steps, int(config.train.warmup_ratio * total_steps))
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=total_steps, desc="train", disable=not show, unit="step")
    logger.info("training %d steps (%d per epoch) on %s", total_steps, per_epoch, ", ".join(data))

    history: list[dict[str, Any]] = []
    epoch_dev: list[dict[str, Any]] = []
    best: tuple[float, dict[str, torch.Tensor], dict[str, Any]] | None = None
    step, epoch = 0, 0
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.train.bf16)
    model.train()
    while step < total_steps:
        batches = length_bucketed_batches(epoch_mixture(train_sources, rng), config.train.batch_size, rng)
        for examples in batches:
            batch = collate(
                tokenizer,
                examples,
                max_length=config.model.max_length,
                prefix=config.model.text_prefix,
                markers=model.settings.markers,
                weights=weights,
            )
            with autocast:
                outputs = model(**batch)
            loss, parts = compute_loss(outputs, batch, config.train.loss_weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            loss_value = loss.item()
            history.append({"step": step, "loss": loss_value, **parts})
            bar.update(1)
            bar.set_postfix(loss=f"{loss_value:.3f}")
            if not show and step % config.train.log_every == 0:
                logger.info("step %d/%d loss %.4f", step, total_steps, loss_value)
            if step >= total_steps:
                break
        epoch += 1
        results = evaluate(classifier, dev_sets(data))
        score = headline(results)
        logger.info("epoch %d (step %d): dev headline %.4f", epoch, step, score)
        epoch_dev.append({"epoch": epoch, "step": step, "headline": score, "dev": results})
        if best is None or score > best[0] or config.train.select == "last":
            best = (score, _trainable_state(model), results)
        model.train()
    bar.close()

    if best is None:  # cannot happen: total_steps >= 1 runs at least one epoch
        raise RuntimeError("training ran no epoch")
    model.load_state_dict(best[1], strict=False)
    model.eval()
    calibration = None
    if config.train.calibrate:
        # the trained sources' dev sets: an evaluation-only source (train: false) is another distribution
        dev_examples = [e for sd in data.values() if sd.config.train for e in sd.dev]
        polarity = config.train.polarity_source  # validated by load_config
        calibration = calibrate_model(
            model,
            tokenizer,
            dev_examples,
            bf16=config.train.bf16,
            polarity_dev=data[polarity].dev if polarity else (),
            relation=config.train.fit_relation,
        )
        logger.info(
            "calibrated: temperatures %s, shifts %s", model.settings.temperatures, model.settings.logit_shift
        )
        results = evaluate(classifier, dev_sets(data))  # what the shipped, calibrated model reads
        best = (headline(results), best[1], results)
    metrics = {
        "dev": best[2],
        "headline": best[0],
        "select": config.train.select,
        "calibration": calibration,
        "epoch_dev": epoch_dev,
        "steps": step,
        "epochs": epoch,
        "train_seconds": round(time.time() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "train_examples": {name: len(sd.train) for name, sd in data.items()},
        "dev_examples": {name: len(sd.dev) for name, sd in data.items()},
        "bad_rows": {name: len(sd.bad_rows) for name, sd in data.items()},
        "loss_first_last": [history[0]["loss"], history[-1]["loss"]] if history else [],
    }
    save_run(model, tokenizer, config, data, metrics, out_dir)
    print(format_table(table_rows(best[2])))
    dyads = format_dyad_table(best[2])
    if dyads:
        print("\nDirected dyads over (source, target, stance) triples (micro P/R/F1):\n" + dyads)
    return out_dir


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
