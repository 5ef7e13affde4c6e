"""Resume: a run stopped right after a checkpoint and resumed ends with the dev figures of an uninterrupted
run; checkpoints hold the trained weights and the dev record; a stale checkpoint folder is not reused silently."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_training import _config
from transformers import TrainerCallback

from training.config import Config, ConfigError, build


class Killed(Exception):
    """Stands in for kill -9: nothing after the checkpoint at ``step`` runs."""


class KillAfterCheckpoint(TrainerCallback):
    def __init__(self, step: int) -> None:
        self.step = step

    def on_save(self, args, state, control, **kwargs):
        if state.global_step >= self.step:
            raise Killed(state.global_step)


def _raw(tmp_path: Path, encoder: Path, out: str, **train) -> dict:
    settings = {"epochs": 3, "batch_size": 3, "lr": 0.02, "head_lr": 0.02, "warmup_ratio": 0.2, **train}
    raw = _config(tmp_path, encoder, **settings)
    raw["data"]["sources"][0]["class_balance"] = 0.5
    raw["output"]["dir"] = str(tmp_path / out)
    return raw


def _figures(out: Path) -> dict:
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "dev": metrics["dev"],
        "epoch_dev": [(e["epoch"], e["step"], e["headline"]) for e in metrics["epoch_dev"]],
    }


def _rounded(x, places: int = 3):
    if isinstance(x, float):
        return round(x, places)
    if isinstance(x, dict):
        return {k: _rounded(v, places) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_rounded(v, places) for v in x]
    return x


@pytest.mark.parametrize("select", ["best", "last"])
def test_resume_after_kill_equals_uninterrupted(tiny_encoder: Path, tmp_path: Path, select: str) -> None:
    from training.trainer import train

    whole = train(build(Config, _raw(tmp_path, tiny_encoder, "whole", select=select)), progress=False)
    assert not (whole / "checkpoints").exists()  # a finished run leaves no checkpoints behind

    raw = _raw(tmp_path, tiny_encoder, "killed", select=select, save_steps=2)
    with pytest.raises(Killed):  # 5 steps per epoch: step 8 is mid-epoch 2, checkpointed by save_steps
        train(build(Config, raw), progress=False, callbacks=[KillAfterCheckpoint(8)])
    checkpoint = tmp_path / "killed" / "checkpoints" / "checkpoint-8"
    assert (checkpoint / "model.safetensors").is_file() and (checkpoint / "epoch_dev.json").is_file()
    assert len(json.loads((checkpoint / "epoch_dev.json").read_text())) == 1  # epoch 1 ended at step 5

    with pytest.raises(ConfigError, match="pass --resume"):
        train(build(Config, raw), progress=False)
    resumed = train(build(Config, raw), progress=False, resume=True)
    metrics = json.loads((resumed / "metrics.json").read_text())
    assert metrics["resumed_from"] == "checkpoint-8" and metrics["steps"] == 15
    figures = _figures(whole)
    assert _rounded(_figures(resumed)) == _rounded(figures)
    assert len(figures["epoch_dev"]) == 3
    assert len({h for _, _, h in figures["epoch_dev"]}) > 1, figures["epoch_dev"]  # it learned: figures move


def test_checkpoint_holds_trained_weights_only(tiny_encoder: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from training.trainer import build_model, train

    raw = _raw(tmp_path, tiny_encoder, "run", epochs=1, keep_checkpoints=True)
    out = train(build(Config, raw), progress=False)
    (checkpoint,) = (out / "checkpoints").glob("checkpoint-*")
    saved = load_file(str(checkpoint / "model.safetensors"))
    model, _ = build_model(build(Config, raw).model)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert (
        set(saved) == trainable
        and any("lora_" in n for n in saved)
        and any(n.startswith("heads.") for n in saved)
    )


def test_resume_passes_over_a_checkpoint_cut_short(tmp_path: Path) -> None:
    """kill -9 while a checkpoint is written: --resume takes the newest one written to the end."""
    from training.hf_trainer import EPOCH_DEV, WEIGHTS, last_complete_checkpoint

    def checkpoint(step: int, state: str | None, record: bool = True) -> None:
        folder = tmp_path / f"checkpoint-{step}"
        folder.mkdir()
        (folder / WEIGHTS).write_bytes(b"weights")
        if record:
            (folder / EPOCH_DEV).write_text("[]\n")
        if state is not None:
            (folder / "trainer_state.json").write_text(state)

    assert last_complete_checkpoint(tmp_path) is None
    checkpoint(4, '{"global_step": 4}')
    checkpoint(8, '{"global_step": 8}')
    checkpoint(12, None)  # killed before the Trainer's state was written
    checkpoint(16, '{"global_st')  # killed while writing it
    checkpoint(20, '{"global_step": 20}', record=False)  # not ours: no dev record
    (tmp_path / "checkpoint-24").write_text("a file, not a checkpoint")
    assert last_complete_checkpoint(tmp_path) == str(tmp_path / "checkpoint-8")
