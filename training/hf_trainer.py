"""``StanceTrainer``: ``transformers.Trainer`` with the stance model's loss, batches, optimizer and dev figures.

What is ours: the multi-head loss (:func:`training.losses.multi_head_loss`), the per-source mixture of
length-bucketed batches (:class:`training.sampler.MixtureBatchSampler`), two learning rates (encoder
adapter, heads), the schedule, and the per-epoch dev evaluation through :func:`training.evaluation.evaluate`
with ``select: best|last``. Everything else (device placement, mixed precision, gradient accumulation,
clipping, checkpoints with optimizer/scheduler/RNG state, resume, logging, multi-GPU through
``torchrun``/``accelerate launch``) is the library's.

Checkpoints hold the trained weights only (LoRA adapter + heads; the frozen encoder is rebuilt from
``model.encoder``), plus ``epoch_dev.json`` (the dev figures so far) and, with ``select: best``, the best
epoch's weights, so a resumed run ends where an uninterrupted one would.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch.utils.data import DataLoader
from transformers import Trainer, TrainerCallback

from .averaging import WeightAverage
from .evaluation import evaluate, headline
from .losses import multi_head_loss
from .optim import parameter_groups

logger = logging.getLogger(__name__)
WEIGHTS = "model.safetensors"  # what Trainer._load_from_checkpoint reads (transformers' SAFE_WEIGHTS_NAME)
BEST = "best_weights.safetensors"
EPOCH_DEV = "epoch_dev.json"
TRAINER_STATE = "trainer_state.json"  # the Trainer's own, written last into a checkpoint


def last_complete_checkpoint(folder: str | os.PathLike[str]) -> str | None:
    """The newest ``checkpoint-N`` in ``folder`` that was written to the end (its ``trainer_state.json``
    reads as JSON); a checkpoint cut short by a kill is passed over, with a warning."""
    steps = []
    for path in Path(folder).glob("checkpoint-*"):
        suffix = path.name.removeprefix("checkpoint-")
        if path.is_dir() and suffix.isdigit():
            steps.append((int(suffix), path))
    for _, path in sorted(steps, reverse=True):
        try:
            json.loads((path / TRAINER_STATE).read_text())
        except (OSError, ValueError):
            logger.warning("%s was not written to the end (killed while saving?): passed over", path)
            continue
        if (path / WEIGHTS).is_file() and (path / EPOCH_DEV).is_file():
            return str(path)
    return None


def trainable_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The weights training changes (adapter, heads), detached copies on the CPU."""
    names = {n for n, p in model.named_parameters() if p.requires_grad}
    return {
        k: v.detach().to("cpu", copy=True).contiguous() for k, v in model.state_dict().items() if k in names
    }


def _to_model_device(module: torch.nn.Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Forward pre-hook: tensors built on the CPU (evaluation, calibration) follow the model's device."""
    device = next(module.parameters()).device
    if device.type == "cpu":
        return args, kwargs
    move = lambda v: v.to(device) if isinstance(v, torch.Tensor) else v  # noqa: E731
    return tuple(move(a) for a in args), {k: move(v) for k, v in kwargs.items()}


@contextlib.contextmanager
def plain_forward(model: torch.nn.Module) -> Iterator[None]:
    """The model's own ``forward`` for the block: with mixed precision, accelerate's ``prepare`` wraps it in
    the training autocast (bf16/fp16, outputs cast to fp32), which dev figures and calibration must not
    read through (the hand-written loop evaluated in fp32; a loaded model runs in its own precision)."""
    original = model.__dict__.get("_original_forward")
    wrapped = model.__dict__.get("forward")
    if original is None or wrapped is None:
        yield
        return
    model.forward = original
    try:
        yield
    finally:
        model.forward = wrapped


def unwrap_forward(model: torch.nn.Module) -> None:
    """Undo accelerate's mixed-precision ``forward`` wrapper for good (after training)."""
    original = model.__dict__.pop("_original_forward", None)
    if original is not None:
        model.__dict__.pop("forward", None)


class _ContinueRng(TrainerCallback):
    """At the start of training, set the CPU generator to ``state`` (taken before ``Trainer.__init__``)."""

    def __init__(self, state: torch.Tensor) -> None:
        self.state = state

    def on_train_begin(self, args, state, control, **kwargs):
        torch.set_rng_state(self.state)
        return control


class StanceTrainer(Trainer):
    def __init__(
        self,
        *args: Any,
        batch_sampler,
        loss_weights: Mapping[str, float],
        classifier,
        dev_sets: Mapping[str, tuple[str, list]],
        select: str,
        encoder_lr: float,
        head_lr: float,
        warmup_steps: int,
        layer_decay: float = 1.0,
        distill_weight: float = 0.0,
        averager: WeightAverage | None = None,
        **kwargs: Any,
    ) -> None:
        # Trainer.__init__ reseeds torch; the hand-written loop's dropout drew on from where the model's
        # initialisation left the generator, and so do we (a resumed run then loads its checkpoint's state)
        self.initial_rng = torch.get_rng_state()
        super().__init__(*args, **kwargs)
        self.add_callback(_ContinueRng(self.initial_rng))
        self.averager = averager
        if averager is not None:
            self.add_callback(averager)
        self.batch_sampler = batch_sampler
        self.loss_weights = dict(loss_weights)
        self.distill_weight = distill_weight
        self.classifier = classifier
        self.dev_sets = dev_sets
        self.select = select
        self.encoder_lr, self.head_lr, self.warmup_steps = encoder_lr, head_lr, warmup_steps
        self.layer_decay = layer_decay
        self.epoch_dev: list[dict[str, Any]] = []
        self.best: tuple[float, dict[str, torch.Tensor] | None, dict[str, Any]] | None = None
        self.losses: list[float] = []
        self.model.register_forward_pre_hook(_to_model_device, with_kwargs=True)

    # ---------------------------------------------------------------- batches and loss
    def get_train_dataloader(self) -> DataLoader:
        loader = DataLoader(
            self.train_dataset,
            batch_sampler=self.batch_sampler,
            collate_fn=self.data_collator,
            num_workers=self.args.dataloader_num_workers,
            pin_memory=self.args.dataloader_pin_memory and self.args.device.type == "cuda",
            # its own generator: iterating must not draw from the global one that dropout draws from
            generator=torch.Generator().manual_seed(self.args.seed),
        )
        return self.accelerator.prepare(loader)

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        outputs = model(**inputs)
        loss, _parts = multi_head_loss(outputs, inputs, self.loss_weights, self.distill_weight)
        if model.training:
            self.losses.append(float(loss.detach()))
        return (loss, outputs) if return_outputs else loss

    # ---------------------------------------------------------------- optimizer and schedule
    def create_optimizer(self, model=None):
        if self.optimizer is None:
            groups = parameter_groups(
                self.model if model is None else model,
                lr=self.encoder_lr,
                head_lr=self.head_lr,
                layer_decay=self.layer_decay,
            )
            if self.layer_decay != 1.0:
                layers = [g for g in groups if isinstance(g["depth"], int)]
                logger.info(
                    "layer-wise learning-rate decay %g: %d encoder depths from lr %.3g (top) to %.3g",
                    self.layer_decay,
                    len(layers),
                    layers[0]["lr"] if layers else self.encoder_lr,
                    layers[-1]["lr"] if layers else self.encoder_lr,
                )
            self.optimizer = torch.optim.AdamW(groups, weight_decay=self.args.weight_decay)
        return self.optimizer

    def create_scheduler(self, num_training_steps: int, optimizer=None):
        """Linear warm-up from ``1/warmup`` then linear decay to 0 (the schedule before the Trainer)."""
        if self.lr_scheduler is None:
            warmup = self.warmup_steps

            def factor(step: int) -> float:
                if step < warmup:
                    return (step + 1) / max(1, warmup)
                return max(0.0, (num_training_steps - step) / max(1, num_training_steps - warmup))

            self.lr_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer or self.optimizer, factor)
            self._created_lr_scheduler = True
        return self.lr_scheduler

    # ---------------------------------------------------------------- dev evaluation
    def evaluate(
        self, eval_dataset=None, ignore_keys=None, metric_key_prefix: str = "eval"
    ) -> dict[str, float]:
        """Dev figures of every source with a dev set (our :func:`evaluate`); keeps the best or last state."""
        was_training = self.model.training
        with plain_forward(self.model):  # the classifier's own precision, as the saved model is read
            results = evaluate(self.classifier, self.dev_sets)
        self.model.train(was_training)
        score = headline(results)
        epoch = len(self.epoch_dev) + 1
        step = self.state.global_step
        logger.info("epoch %d (step %d): dev headline %.4f", epoch, step, score)
        self.epoch_dev.append({"epoch": epoch, "step": step, "headline": score, "dev": results})
        if self.select == "last":
            self.best = (score, None, results)  # the final weights are the last epoch's
        elif self.best is None or score > self.best[0]:
            self.best = (score, trainable_state(self.model), results)
        metrics = {f"{metric_key_prefix}_headline": score}
        self.log(metrics)
        self.control = self.callback_handler.on_evaluate(self.args, self.state, self.control, metrics)
        return metrics

    # ---------------------------------------------------------------- checkpoints
    def _save(self, output_dir: str | None = None, state_dict=None) -> None:
        """Trained weights only, as safetensors (the frozen encoder comes from ``model.encoder``)."""
        output_dir = output_dir or self.args.output_dir
        if not self.args.should_save:
            return
        os.makedirs(output_dir, exist_ok=True)
        save_file(trainable_state(self.model), os.path.join(output_dir, WEIGHTS), metadata={"format": "pt"})

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model=None) -> None:
        model = self.model if model is None else model
        path = Path(resume_from_checkpoint) / WEIGHTS
        if not path.is_file():
            raise FileNotFoundError(
                f"{path} is missing: {resume_from_checkpoint} is not a complete checkpoint"
            )
        state = load_file(str(path))
        expected = {n for n, p in model.named_parameters() if p.requires_grad}
        if set(state) != expected:
            raise ValueError(
                f"{path} does not match this config's model ({len(set(state) ^ expected)} weight names differ, "
                f"e.g. {sorted(set(state) ^ expected)[:3]}): resume with the config of the killed run"
            )
        model.load_state_dict(state, strict=False)

    def _save_checkpoint(self, model, trial) -> None:
        """Our dev record first, then the Trainer's files, whose ``trainer_state.json`` comes last: a
        checkpoint with it is complete (:func:`last_complete_checkpoint`), whenever a kill -9 lands."""
        if self.args.should_save:
            folder = Path(self._get_output_dir(trial)) / f"checkpoint-{self.state.global_step}"
            folder.mkdir(parents=True, exist_ok=True)
            if self.best is not None and self.best[1] is not None:
                save_file(
                    self.best[1], str(folder / BEST), metadata={"format": "pt", "headline": str(self.best[0])}
                )
            (folder / EPOCH_DEV).write_text(json.dumps(self.epoch_dev, ensure_ascii=False) + "\n")
            if self.averager is not None:
                self.averager.save(folder)
        super()._save_checkpoint(model, trial)

    def restore_dev_record(self, checkpoint: str | os.PathLike[str]) -> None:
        """The dev figures and best weights a checkpoint recorded (before ``train(resume_from_checkpoint)``)."""
        folder = Path(checkpoint)
        if self.averager is not None:
            self.averager.load(folder)
        self.epoch_dev = (
            json.loads((folder / EPOCH_DEV).read_text()) if (folder / EPOCH_DEV).is_file() else []
        )
        self.best = None
        if self.epoch_dev:
            if self.select == "last":
                last = self.epoch_dev[-1]
                self.best = (last["headline"], None, last["dev"])
            else:
                best = max(self.epoch_dev, key=lambda e: e["headline"])  # first of equals, as during training
                self.best = (best["headline"], load_file(str(folder / BEST)), best["dev"])

    def dev_history(self) -> Sequence[dict[str, Any]]:
        return self.epoch_dev
