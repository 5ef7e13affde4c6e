"""The training commands: --resume reaches train(); a missing `train` extra is one line naming it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest


def _parser() -> argparse.ArgumentParser:
    from training.cli import register_data, register_evaluate, register_train

    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    for register in (register_train, register_data, register_evaluate):
        register(sub)
    return parser


@pytest.mark.parametrize("missing", ["sklearn", "datasets"])
def test_missing_train_extra_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path, missing: str
) -> None:
    """``data`` (registered here, as its entry point needs a reinstall) stops like train/cv/evaluate."""
    monkeypatch.setitem(sys.modules, missing, None)  # import fails as if not installed
    for argv in (
        ["train", str(tmp_path / "c.yaml")],
        ["data", str(tmp_path / "c.yaml"), "--out", str(tmp_path)],
    ):
        args, extra = _parser().parse_known_args(argv)
        args.overrides = extra
        assert args.func(args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "pip install 'diplostance[train]'" in err and argv[0] in err


def test_resume_flag_reaches_train(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_encoder: Path
) -> None:
    import yaml
    from test_training import _config

    import training.trainer

    seen = {}

    def fake_train(config, *, resume=False, **_):
        seen.update(resume=resume, epochs=config.train.epochs)
        return tmp_path

    monkeypatch.setattr(training.trainer, "train", fake_train)
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(_config(tmp_path, tiny_encoder)))
    args, extra = _parser().parse_known_args(["train", str(path), "--resume", "--train.epochs", "2"])
    args.overrides = extra
    assert args.func(args) == 0 and seen == {"resume": True, "epochs": 2.0}
