"""After the base install only (no ``train`` extra), train/evaluate/cv/calibrate stop with one line naming the extra;
and the model card carries the dev figures as the Hub's ``model-index``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from inference.cli import main

COMMANDS = {
    "train": ["train", "configs/default.yaml"],
    "evaluate": ["evaluate"],
    "cv": ["cv", "configs/default.yaml", "--out", "runs/never"],
    "calibrate": ["calibrate", "runs/never", "--config", "configs/default.yaml"],
}


@pytest.mark.parametrize("missing", ["sklearn", "datasets"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_training_commands_name_the_missing_extra(
    command: str, missing: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # as if the train extra were not installed
    assert main(COMMANDS[command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    dist = {"sklearn": "scikit-learn", "datasets": "datasets"}[missing]
    assert err == (
        f"diplostance {command}: error: {dist} not installed; this command needs the 'train' extra: "
        "pip install 'diplostance[train]'\n"
    )


def test_a_missing_module_met_while_running_is_named_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The up-front check passes, but the import inside the command fails (a broken install)."""
    import training.cli as cli

    monkeypatch.setattr(cli, "missing_train_modules", lambda: [])
    monkeypatch.setitem(sys.modules, "sklearn.metrics", None)
    for name in [m for m in sys.modules if m in ("training.evaluation", "training.evaluate_cmd")]:
        monkeypatch.delitem(sys.modules, name)
    assert main(["evaluate"]) == 2
    assert "needs the 'train' extra: pip install 'diplostance[train]'" in capsys.readouterr().err


def test_model_card_carries_model_index_with_the_dev_figures(tmp_path: Path) -> None:
    from huggingface_hub import ModelCard

    from training.model_card import write_model_card

    dev = {
        "cameo": {"kind": "cameo", "by_lang": {"en": {"detail_f1": 0.81, "stance_f1": 0.9}}},
        "own": {
            "kind": "own",
            "by_lang": {
                "all": {"sentiment_f1": 0.7},
                "de": {"sentiment_f1": 0.6},
                "ru": {"sentiment_f1": 0.8},
            },
        },
    }
    dev["cameo"]["by_lang"]["all"] = dev["cameo"]["by_lang"]["en"]
    metrics = {"dev": dev, "train_examples": {}, "dev_examples": {}}
    config = {
        "model": {"encoder": "intfloat/multilingual-e5-small", "max_length": 64, "text_prefix": "query: "},
        "output": {"encoder_format": "lora"},
        "data": {"sources": [{"name": "cameo", "kind": "cameo"}, {"name": "own", "kind": "own"}]},
    }
    out = tmp_path / "my-model"
    out.mkdir()
    card_text = write_model_card(out, config, metrics).read_text(encoding="utf-8")
    meta = yaml.safe_load(card_text.split("---\n")[1])
    assert meta["library_name"] == "diplostance" and meta["language"] == ["de", "en", "ru"]
    (index,) = meta["model-index"]
    assert index["name"] == "my-model"
    got = {
        (r["dataset"]["type"], r["dataset"]["config"], m["name"]): m["value"]
        for r in index["results"]
        for m in r["metrics"]
    }
    assert got == {  # a one-language set is listed once, not again as "all"
        ("cameo", "en", "detail_f1 (en)"): 0.81,
        ("cameo", "en", "stance_f1 (en)"): 0.9,
        ("own", "all", "sentiment_f1 (all)"): 0.7,
        ("own", "de", "sentiment_f1 (de)"): 0.6,
        ("own", "ru", "sentiment_f1 (ru)"): 0.8,
    }
    results = ModelCard(card_text).data.eval_results  # the Hub's own parser accepts it
    assert len(results) == 5 and {r.dataset_split for r in results} == {"dev"}
    assert {r.metric_type for r in results} == {"f1"}
