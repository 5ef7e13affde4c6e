"""Layer-wise learning-rate decay (training/optim.py): the groups, the config check, and a run that uses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import TrainerCallback

from training.config import Config, ConfigError, build
from training.optim import encoder_depth, parameter_groups


def _model(tiny_encoder: Path, tmp_path: Path, **model):
    from test_training import _config

    from training.trainer import build_model, model_heads

    raw = _config(tmp_path, tiny_encoder)
    raw["model"].update(model)
    config = build(Config, raw)
    return build_model(config.model, model_heads(config))[0]


def test_encoder_depth_reads_peft_and_plain_names() -> None:
    assert (
        encoder_depth("encoder.base_model.model.encoder.layer.11.attention.self.query.lora_A.default.weight")
        == 11
    )
    assert encoder_depth("encoder.encoder.layer.0.output.dense.weight") == 0
    assert encoder_depth("encoder.embeddings.LayerNorm.weight") == -1
    assert encoder_depth("encoder.pooler.dense.weight") is None
    assert encoder_depth("heads.detail.weight") is None


def test_no_decay_keeps_the_two_groups(tiny_encoder: Path, tmp_path: Path) -> None:
    model = _model(tiny_encoder, tmp_path)
    groups = parameter_groups(model, lr=1e-3, head_lr=5e-3)
    assert [(g["depth"], g["lr"]) for g in groups] == [("encoder", 1e-3), ("heads", 5e-3)]
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    encoder = {n for n in trainable if n.startswith("encoder.")}
    ids = {id(p): n for n, p in model.named_parameters()}
    assert {ids[id(p)] for p in groups[0]["params"]} == encoder
    assert {ids[id(p)] for p in groups[1]["params"]} == trainable - encoder


@pytest.mark.parametrize("adapter", ["lora", "full"])
def test_decay_gives_each_layer_its_rate(tiny_encoder: Path, tmp_path: Path, adapter: str) -> None:
    model = _model(tiny_encoder, tmp_path, adapter=adapter)
    groups = parameter_groups(model, lr=1e-3, head_lr=5e-3, layer_decay=0.5)
    rates = {g["depth"]: g["lr"] for g in groups}
    assert rates[1] == pytest.approx(1e-3)  # the tiny encoder's top layer
    assert rates[0] == pytest.approx(5e-4)
    assert rates["heads"] == pytest.approx(5e-3)
    if adapter == "lora":
        assert -1 not in rates  # LoRA leaves the embeddings frozen: no group
    else:  # the word embeddings stay frozen; positions and their layer norm train, one step below layer 0
        assert rates[-1] == pytest.approx(2.5e-4)
    ids = {id(p): n for n, p in model.named_parameters()}
    seen = [ids[id(p)] for g in groups for p in g["params"]]
    assert sorted(seen) == sorted(n for n, p in model.named_parameters() if p.requires_grad)  # each once
    for group in groups:
        if isinstance(group["depth"], int):
            assert {encoder_depth(ids[id(p)]) for p in group["params"]} == {group["depth"]}
    if adapter == "lora":
        assert all("lora_" in ids[id(p)] for g in groups if g["depth"] in (0, 1) for p in g["params"])


@pytest.mark.parametrize("value", [0.0, -0.5, 1.2])
def test_bad_decay_is_a_named_error(tiny_encoder: Path, tmp_path: Path, value: float) -> None:
    from test_training import _config

    from training.config import validate

    with pytest.raises(ConfigError, match=rf"train\.layer_decay={value}.*1 is off"):
        validate(build(Config, _config(tmp_path, tiny_encoder, layer_decay=value)))
    with pytest.raises(ValueError, match=rf"layer_decay={value}"):
        parameter_groups(_model(tiny_encoder, tmp_path), lr=1e-3, head_lr=1e-3, layer_decay=value)


class _Rates(TrainerCallback):
    def __init__(self) -> None:
        self.steps: list[dict] = []

    def on_optimizer_step(self, args, state, control, optimizer=None, **kwargs):
        self.steps.append({g["depth"]: g["lr"] for g in optimizer.param_groups})


def test_a_run_trains_every_layer_at_its_decayed_rate(tiny_encoder: Path, tmp_path: Path) -> None:
    from test_training import _config

    from training.trainer import train

    config = build(Config, _config(tmp_path, tiny_encoder, epochs=2, warmup_ratio=0.25, layer_decay=0.8))
    rates = _Rates()
    train(config, progress=False, callbacks=[rates])
    assert len(rates.steps) > 2
    for step in rates.steps:  # warm-up and decay scale every group alike
        assert step[0] == pytest.approx(0.8 * step[1])
        assert step[1] == pytest.approx(step["heads"])  # lr and head_lr are both 0.01 in this config
    assert rates.steps[-1][1] < rates.steps[1][1]  # the schedule ran
