"""Devices: which one ``auto`` picks, the errors for a missing accelerator, precision per device, the
options of ``diplostance score``; the CUDA runs themselves are skipped where torch sees no GPU."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import inference
from inference import devices
from inference.batch.cli import register_score
from inference.batch.options import ScoreOptions
from inference.classifier import precision_for
from inference.devices import resolve_device

NO_CUDA = "torch sees no CUDA device here; the CUDA path runs only on a machine with a GPU"
ARTICLE = "Washington imposed new sanctions on Russia on Monday. The Kremlin called them illegal."


def test_auto_picks_an_accelerator_when_torch_sees_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") == resolve_device(None)
    monkeypatch.setattr(devices, "mps_available", lambda: True)
    assert resolve_device("auto") == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")  # CUDA first


def test_a_missing_or_unknown_device_is_an_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(devices, "mps_available", lambda: False)
    with pytest.raises(ValueError, match=r"device='cuda', but torch sees no CUDA device.*use device='cpu'"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match=r"device='mps', but torch's MPS backend is not available"):
        resolve_device("mps")
    with pytest.raises(ValueError, match=r"device='tpu'; expected one of \['auto', 'cpu', 'cuda', 'mps'\]"):
        resolve_device("tpu")
    assert resolve_device("cpu") == torch.device("cpu")


def test_precision_follows_the_device(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu, cuda, mps = torch.device("cpu"), torch.device("cuda"), torch.device("mps")
    from inference import classifier

    monkeypatch.setattr(classifier, "cpu_supports_bf16", lambda: False)
    assert precision_for("auto", cpu) == "fp32"  # the CPU's rule, as before devices existed
    monkeypatch.setattr(classifier, "cpu_supports_bf16", lambda: True)
    assert precision_for("auto", cpu) == "bf16"
    with pytest.raises(ValueError, match="precision='fp16' runs on a CUDA or MPS accelerator only.*'int8'"):
        precision_for("fp16", cpu)
    with pytest.raises(ValueError, match=r"precision='int4'; expected one of"):
        precision_for("int4", cuda)
    monkeypatch.setattr(devices, "cuda_supports_bf16", lambda device: True)
    assert precision_for("auto", cuda) == "bf16"
    monkeypatch.setattr(devices, "cuda_supports_bf16", lambda device: False)
    assert precision_for("auto", cuda) == "fp16"  # pre-Ampere GPUs
    assert precision_for("auto", mps) == "fp16"


def test_load_classifier_on_cpu_checks_device_and_precision_first(tiny_encoder: Path, tmp_path: Path) -> None:
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder)
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    clf = inference.load_classifier(out, device="cpu", precision="fp32")
    assert clf.device == torch.device("cpu") and clf.precision == "fp32"
    assert clf.classify(ARTICLE)
    with pytest.raises(ValueError, match="expected one of"):
        inference.load_classifier(out, device="gpu")
    with pytest.raises(ValueError, match="precision='fp16' runs on a CUDA or MPS accelerator only"):
        inference.load_classifier(out, device="cpu", precision="fp16")


@pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)
@pytest.mark.parametrize("precision", ["fp32", "auto"])
def test_cuda_readings_match_the_cpu(tiny_encoder: Path, tmp_path: Path, precision: str) -> None:
    from tests_helpers import tiny_stance_model

    model, tok = tiny_stance_model(tiny_encoder, target_pooling="attention")
    out = model.save_pretrained(tmp_path / "model", tokenizer=tok)
    cpu = inference.load_classifier(out, device="cpu", precision="fp32").classify(ARTICLE)
    gpu_clf = inference.load_classifier(out, device="cuda", precision=precision)
    assert next(gpu_clf.model.parameters()).is_cuda and gpu_clf.precision in {"fp32", "bf16", "fp16"}
    gpu = gpu_clf.classify(ARTICLE)
    tolerance = 1e-4 if precision == "fp32" else 0.05
    assert [(r.sentence_index, r.country) for r in gpu] == [(r.sentence_index, r.country) for r in cpu]
    for a, b in zip(cpu, gpu, strict=True):
        assert list(b.scores["detail"].values()) == pytest.approx(
            list(a.scores["detail"].values()), abs=tolerance
        )


def _score_args(*argv: str):
    import argparse

    parser = argparse.ArgumentParser()
    register_score(parser.add_subparsers(dest="command"))
    return parser.parse_args(["score", "in.jsonl", "--out", "out", *argv])


def test_score_options_for_devices() -> None:
    args = _score_args("--device", "cpu")
    assert args.device == "cpu" and args.gpus_per_worker is None
    assert _score_args("--engine", "ray", "--gpus-per-worker", "0.5").gpus_per_worker == 0.5
    with pytest.raises(SystemExit):
        _score_args("--device", "tpu")
    base = {"inputs": (), "out_dir": Path(".")}
    assert ScoreOptions(**base).worker_device == "auto"
    assert ScoreOptions(**base, engine="ray").worker_device == "cpu"  # actors reserve no GPU
    assert ScoreOptions(**base, engine="ray", gpus_per_worker=1).worker_device == "auto"
    with pytest.raises(ValueError, match=r"gpus_per_worker \(--gpus-per-worker\) need engine='ray'"):
        ScoreOptions(**base, gpus_per_worker=1)
    with pytest.raises(ValueError, match="gpus_per_worker must be a positive number"):
        ScoreOptions(**base, engine="ray", gpus_per_worker=0)
    with pytest.raises(ValueError, match="device 'cuda' with engine 'ray' needs gpus_per_worker"):
        ScoreOptions(**base, engine="ray", device="cuda")
    with pytest.raises(ValueError, match="gpus_per_worker reserves CUDA GPUs, but device is 'cpu'"):
        ScoreOptions(**base, engine="ray", device="cpu", gpus_per_worker=1)


def test_score_loads_the_classifier_on_the_device_asked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from conftest_batch import FakeClassifier

    from inference.batch import api

    asked: list[str] = []

    def load(model: str | None, device: str = "auto") -> FakeClassifier:
        asked.append(device)
        return FakeClassifier(name=f"fake:{model}")

    monkeypatch.setattr(api, "load_classifier", load)
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "Russia and France met."}\n', encoding="utf-8")
    manifest = api.score(src, tmp_path / "out", device="cpu", progress=False)
    assert asked == ["cpu"] and manifest.scored == 1
