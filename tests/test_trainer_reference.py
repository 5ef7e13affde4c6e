"""The Trainer path takes the optimizer steps of the hand-written loop it replaced (e0b07d5's
``training/trainer.py``, written out here as the reference): for the same config and seed, the same
batches, initial weights and dropout masks, so the same loss at every step and the same trained weights."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest
import torch
from transformers import TrainerCallback

from training.config import Config, build


class _Capture(TrainerCallback):
    """The trainable weights as the Trainer ends, and the learning rates of every step."""

    def __init__(self) -> None:
        self.final: dict[str, torch.Tensor] = {}
        self.lrs: list[list[float]] = []

    def on_optimizer_step(self, args, state, control, optimizer=None, **kwargs):
        self.lrs.append([g["lr"] for g in optimizer.param_groups])

    def on_train_end(self, args, state, control, model=None, **kwargs):
        from training.hf_trainer import trainable_state

        self.final = trainable_state(model)


def _hand_written(config: Config):
    """The loop of e0b07d5's ``train``, less evaluation: one ``random.Random(seed)`` drawing each epoch's
    mixture and length-bucketed batches, AdamW over (adapter, heads) with two lrs, linear warm-up and
    decay, clipping at 1.0, dropout drawing from the generator the model's initialisation left, the
    forward (not the loss) under bf16 autocast with ``train.bf16``."""
    from training.batching import (
        class_weights,
        collate,
        epoch_mixture,
        length_bucketed_batches,
        steps_per_epoch,
    )
    from training.data import load_sources
    from training.losses import compute_loss
    from training.trainer import build_model, model_heads, seed_everything

    t = config.train
    seed_everything(t.seed)
    data = load_sources(config)
    sources = [(sd.train, sd.config.weight) for sd in data.values() if sd.config.train]
    weights = {
        n: class_weights(sd.train, sd.config.class_balance)
        for n, sd in data.items()
        if sd.config.class_balance
    }
    model, tokenizer = build_model(config.model, model_heads(config))
    rng = random.Random(t.seed)
    total = math.ceil(t.epochs * steps_per_epoch(len(epoch_mixture(sources, random.Random(0))), t.batch_size))
    encoder = [p for p in model.encoder.parameters() if p.requires_grad]
    heads = [p for n, p in model.named_parameters() if not n.startswith("encoder.") and p.requires_grad]
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": t.lr}, {"params": heads, "lr": t.head_lr}], weight_decay=t.weight_decay
    )
    warmup = int(t.warmup_ratio * total)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)),
    )
    losses, lrs = [], []
    model.train()
    while len(losses) < total:
        for examples in length_bucketed_batches(epoch_mixture(sources, rng), t.batch_size, rng):
            batch = collate(
                tokenizer,
                examples,
                max_length=config.model.max_length,
                prefix=config.model.text_prefix,
                markers=model.settings.markers,
                weights=weights,
            )
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=t.bf16):
                outputs = model(**batch)
            loss, _ = compute_loss(outputs, batch, t.loss_weights)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            optimizer.step()
            lrs.append([g["lr"] for g in optimizer.param_groups])
            scheduler.step()
            losses.append(loss.item())
            if len(losses) >= total:
                break
    return losses, lrs, {n: p.detach() for n, p in model.named_parameters() if p.requires_grad}


@pytest.mark.parametrize("bf16", [False, True])
def test_trainer_takes_the_hand_written_loops_steps(
    tiny_encoder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bf16: bool
) -> None:
    from test_training import _config

    import training.hf_trainer
    from training.trainer import train

    raw = _config(
        tmp_path, tiny_encoder, epochs=4, warmup_ratio=0.25, head_lr=0.02, calibrate=False, bf16=bf16
    )
    raw["model"].update(dropout=0.2, encoder_dropout=0.1, lora_dropout=0.1)  # dropout draws on both paths
    raw["data"]["sources"][0]["class_balance"] = 0.5  # class weights reach the loss on both paths
    raw["data"]["sources"][1]["weight"] = 1.5  # a mixture that repeats and subsamples
    raw["train"]["loss_weights"] = {"detail": 1.0, "sentiment": 1.0, "sentence_detail": 1.0, "stance": 0.5}
    config = build(Config, raw)
    seen: list[float] = []
    loss_fn = training.hf_trainer.multi_head_loss

    def recorded(outputs, batch, weights, distill=0.0):
        loss, parts = loss_fn(outputs, batch, weights, distill)
        if torch.is_grad_enabled():
            seen.append(loss.item())
        return loss, parts

    monkeypatch.setattr(training.hf_trainer, "multi_head_loss", recorded)
    autocast_in_eval: list[bool] = []  # per module call during the dev evaluations
    evaluate_fn = training.hf_trainer.evaluate

    def evaluating(classifier, dev_sets):
        probe = classifier.model.register_forward_pre_hook(
            lambda module, args: autocast_in_eval.append(torch.is_autocast_enabled("cpu"))
        )
        try:
            return evaluate_fn(classifier, dev_sets)
        finally:
            probe.remove()

    monkeypatch.setattr(training.hf_trainer, "evaluate", evaluating)
    capture = _Capture()
    train(config, progress=False, callbacks=[capture])
    losses, lrs, weights = _hand_written(config)
    assert (
        len(seen) == len(losses) == len(capture.lrs) == 4 * 4
    )  # 4 epochs of 16 rows (10 + 1.5 x 4) in batches of 5
    assert capture.lrs == lrs  # warm-up and decay over the same steps, both groups
    torch.testing.assert_close(torch.tensor(seen), torch.tensor(losses), rtol=1e-4, atol=1e-6)
    # dev figures read in the classifier's precision (fp32), as the loop did, not in the training autocast
    assert autocast_in_eval and not any(autocast_in_eval)
    assert sorted(capture.final) == sorted(weights)
    for name, value in weights.items():
        torch.testing.assert_close(capture.final[name], value, rtol=1e-4, atol=1e-5)
