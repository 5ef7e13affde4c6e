"""Weight averaging over the last steps (training/averaging.py, ``train.average_from``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_trainer_resume import KillAfterCheckpoint, Killed, _raw, _rounded
from transformers import TrainerCallback

from training.averaging import AVERAGE, WeightAverage, average_start
from training.config import Config, ConfigError, build, load_config

DEFAULT = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"


def test_the_mean_is_the_mean_of_the_snapshots_and_survives_a_checkpoint(tmp_path: Path) -> None:
    avg = WeightAverage(start=4, every=3)
    assert [s for s in range(1, 14) if avg.due(s)] == [4, 7, 10, 13]
    snaps = [{"a": torch.tensor([float(i), 2.0 * i]), "b": torch.full((2, 2), float(i))} for i in (1, 2, 6)]
    for step, snap in zip((4, 7, 10), snaps, strict=True):
        avg.add(snap, step)
    assert torch.allclose(avg.mean["a"], torch.tensor([3.0, 6.0])) and torch.allclose(
        avg.mean["b"], torch.full((2, 2), 3.0)
    )
    like = {"a": torch.zeros(2, dtype=torch.bfloat16), "b": torch.zeros(2, 2)}
    assert avg.averaged(like)["a"].dtype == torch.bfloat16
    avg.save(tmp_path)
    again = WeightAverage(start=4, every=3)
    again.load(tmp_path)
    assert again.count == 3 and again.steps == [4, 7, 10] and torch.equal(again.mean["a"], avg.mean["a"])
    with pytest.raises(ValueError, match="weight names differ"):
        avg.add({"a": torch.zeros(2)}, 13)
    empty = WeightAverage(start=1, every=1)
    empty.load(tmp_path / "nowhere")  # a checkpoint from before the start holds no mean
    with pytest.raises(RuntimeError, match="ended before train.average_from"):
        empty.averaged(like)


def test_average_start_and_bad_settings_are_named() -> None:
    assert average_start(0.75, 100) == 75 and average_start(0.0, 10) == 1 and average_start(0.74, 15) == 12
    with pytest.raises(ConfigError, match=r"train.average_from=1.0; it must be at least 0 and below 1"):
        load_config(DEFAULT, {"train.average_from": "1.0"})
    with pytest.raises(ConfigError, match=r"train.select='best'.*set train.select: last"):
        load_config(DEFAULT, {"train.average_from": "0.5", "train.select": "best"})
    with pytest.raises(ConfigError, match=r"train.average_every=0"):
        load_config(DEFAULT, {"train.average_every": "0"})
    assert load_config(DEFAULT, {"train.average_from": "0.75"}).train.average_from == 0.75


class _Snapshots(TrainerCallback):
    """Records the trained weights after every step (what the averager should have averaged)."""

    def __init__(self) -> None:
        self.by_step: dict[int, dict[str, torch.Tensor]] = {}

    def on_step_end(self, args, state, control, model=None, **kwargs):
        from training.hf_trainer import trainable_state

        self.by_step[state.global_step] = trainable_state(model)


def test_a_run_ships_the_average_and_records_both_readings(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.trainer import train

    # 3 epochs of 5 steps: from step ceil(0.6 * 15) = 9, every 2 steps: 9, 11, 13, 15
    raw = _raw(
        tmp_path, tiny_encoder, "avg", select="last", average_from=0.6, average_every=2, calibrate=False
    )
    seen = _Snapshots()
    out = train(build(Config, raw), progress=False, callbacks=[seen])
    metrics = json.loads((out / "metrics.json").read_text())
    averaged = metrics["averaged"]
    assert (averaged["snapshots"], averaged["first_step"], averaged["last_step"]) == (4, 9, 15)
    assert averaged["dev"] == metrics["dev"]  # uncalibrated: the shipped reading is the average's
    assert "Weights averaged over 4 snapshots, steps 9 to 15" in (out / "README.md").read_text()
    saved = load_file(
        str(out / "heads.safetensors")
    )  # the adapter's keys drop the encoder prefix and ".default"
    saved.update(
        {
            f"encoder.{k}".replace(".weight", ".default.weight"): v
            for k, v in load_file(str(out / "adapter" / "adapter_model.safetensors")).items()
        }
    )
    assert set(saved) == set(seen.by_step[15])
    moved = 0
    for name, last in seen.by_step[15].items():
        expected = sum(seen.by_step[s][name] for s in (9, 11, 13, 15)) / 4
        assert torch.allclose(saved[name].float(), expected, atol=1e-6), name
        moved += not torch.allclose(saved[name].float(), last, atol=1e-6)
    assert moved  # the weights moved between snapshots, so the average is not the last weights


def test_a_resumed_run_continues_the_mean(tiny_encoder: Path, tmp_path: Path) -> None:
    from training.trainer import train

    settings = {"select": "last", "average_from": 0.5, "average_every": 1, "calibrate": False}
    whole = train(build(Config, _raw(tmp_path, tiny_encoder, "whole", **settings)), progress=False)
    raw = _raw(tmp_path, tiny_encoder, "killed", save_steps=2, **settings)
    with pytest.raises(Killed):  # the mean started at step 8 is in checkpoint-10
        train(build(Config, raw), progress=False, callbacks=[KillAfterCheckpoint(10)])
    assert (tmp_path / "killed" / "checkpoints" / "checkpoint-10" / AVERAGE).is_file()
    resumed = train(build(Config, raw), progress=False, resume=True)
    first, again = (json.loads((p / "metrics.json").read_text())["averaged"] for p in (whole, resumed))
    assert (again["snapshots"], again["first_step"]) == (first["snapshots"], first["first_step"]) == (8, 8)
    assert _rounded(again["dev"]) == _rounded(first["dev"])
    a, b = (load_file(str(next(p.glob("heads.safetensors")))) for p in (whole, resumed))
    assert all(torch.allclose(a[k], b[k], atol=1e-5) for k in a)
