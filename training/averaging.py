"""Weight averaging over the last part of training (``train.average_from``, ``train.average_every``).

From step ``ceil(average_from * total_steps)`` on, every ``average_every`` steps, the trained weights
(adapter and heads: what :func:`training.hf_trainer.trainable_state` holds) are added to a running mean
kept in fp32 on the CPU. At the end of the run that mean replaces the last weights before calibration, so
the shipped model is the average. The run records both readings of dev before calibration (the last
weights' is the last epoch's evaluation), a paired comparison on one seed.

A LoRA adapter is averaged factor by factor (its A and B matrices), as the other weights; late in a
decaying schedule the snapshots are close, and the averaged factors' product is then close to the average
of the products. The mean is written into every checkpoint, so ``--resume`` continues it.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import save_file
from transformers import TrainerCallback

AVERAGE = "average.safetensors"  # the running mean inside a checkpoint folder


def average_start(average_from: float, total_steps: int) -> int:
    """The first step whose weights enter the mean (at least 1)."""
    return max(1, math.ceil(average_from * total_steps))


class WeightAverage(TrainerCallback):
    """A running mean of the trainable weights at steps ``start``, ``start + every``, ... (after the optimizer)."""

    def __init__(self, start: int, every: int) -> None:
        if start < 1 or every < 1:
            raise ValueError(f"start={start} and every={every} must be at least 1")
        self.start, self.every = start, every
        self.mean: dict[str, torch.Tensor] = {}
        self.steps: list[int] = []  # the steps averaged so far

    @property
    def count(self) -> int:
        return len(self.steps)

    def due(self, step: int) -> bool:
        return step >= self.start and (step - self.start) % self.every == 0

    def add(self, state: dict[str, torch.Tensor], step: int) -> None:
        """Fold one snapshot into the mean."""
        if not self.mean:
            self.mean = {k: v.detach().to("cpu", torch.float32, copy=True) for k, v in state.items()}
        else:
            if set(state) != set(self.mean):
                raise ValueError("a snapshot's weight names differ from the running mean's")
            for k, v in state.items():
                self.mean[k] += (v.detach().to("cpu", torch.float32) - self.mean[k]) / (self.count + 1)
        self.steps.append(step)

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if model is not None and self.due(state.global_step):
            from .hf_trainer import trainable_state

            self.add(trainable_state(model), state.global_step)
        return control

    def averaged(self, like: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """The mean in the dtypes of ``like`` (the model's own state)."""
        if not self.count:
            raise RuntimeError("no snapshot was averaged: the run ended before train.average_from")
        return {k: v.to(like[k].dtype) for k, v in self.mean.items()}

    def record(self) -> dict[str, object]:
        return {"snapshots": self.count, "first_step": self.steps[0], "last_step": self.steps[-1]}

    # ---------------------------------------------------------------- checkpoints
    def save(self, folder: Path) -> None:
        if self.count:
            meta = {"format": "pt", "steps": ",".join(map(str, self.steps))}
            save_file(self.mean, str(folder / AVERAGE), metadata=meta)

    def load(self, folder: Path) -> None:
        """The mean a checkpoint holds (none: the checkpoint came before ``start``)."""
        path = folder / AVERAGE
        self.mean, self.steps = {}, []
        if not path.is_file():
            return
        with safe_open(str(path), framework="pt") as fh:  # one read: the header's steps and the tensors
            meta = fh.metadata() or {}
            self.mean = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 (safe_open has no __iter__)
        self.steps = [int(s) for s in meta["steps"].split(",")]
