"""``diplostance spread``: mean ± sd over runs of one config at several seeds, refused across configs or data,
written into a model directory's card."""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import pytest
import yaml

from training.config import Config, ConfigError
from training.seed_spread import SPREAD_FILE, read_spread, seed_spread, write_spread


def _run(
    path: Path,
    seed: int,
    cameo: float,
    ru: float,
    *,
    epochs: float | None = None,
    own_hash: str = "aa",
    split_seed: int | None = 13,
) -> Path:
    config = Config().to_dict()
    config["train"]["seed"] = seed
    config["data"]["split_seed"] = split_seed
    config["output"]["dir"] = str(path)
    if epochs is not None:
        config["train"]["epochs"] = epochs
    dev = {
        "cameo": {"kind": "cameo", "by_lang": {"all": {"sentence_detail_f1": cameo, "dyad_f1": 0.9}}},
        "rusentne": {
            "kind": "rusentne",
            "by_lang": {"all": {"sentiment_pn_f1": ru}, "ru": {"sentiment_pn_f1": ru}},
        },
    }
    data = {"own": {"kind": "own", "files": {"data/stance/train/ru.jsonl": own_hash}, "train": 9, "dev": 2}}
    path.mkdir()
    (path / "training_config.yaml").write_text(yaml.safe_dump(config))
    (path / "metrics.json").write_text(json.dumps({"dev": dev, "train_examples": {}, "dev_examples": {}}))
    (path / "data.json").write_text(json.dumps(data))
    return path


@pytest.fixture
def runs(tmp_path: Path) -> list[Path]:
    return [
        _run(tmp_path / "s13", 13, 0.92, 0.47),
        _run(tmp_path / "s14", 14, 0.97, 0.43),
        _run(tmp_path / "s15", 15, 0.94, 0.46),
    ]


def test_mean_and_sd_over_the_seeds(runs: list[Path]) -> None:
    spread = seed_spread(runs)
    assert [r["seed"] for r in spread["runs"]] == [13, 14, 15]
    cameo = spread["dev"]["cameo"]["by_lang"]["all"]["sentence_detail_f1"]
    assert cameo["values"] == [0.92, 0.97, 0.94] and cameo["n"] == 3
    assert cameo["mean"] == pytest.approx(statistics.fmean([0.92, 0.97, 0.94]))
    assert cameo["sd"] == pytest.approx(statistics.stdev([0.92, 0.97, 0.94]))
    assert spread["dev"]["cameo"]["by_lang"]["all"]["dyad_f1"]["sd"] == 0.0  # dyad F1 is summarised too


def test_the_default_split_seed_is_the_training_seed(tmp_path: Path) -> None:
    """``make default-model`` leaves data.split_seed null (= train.seed 13); other seeds pin it to 13."""
    runs = [_run(tmp_path / "s13", 13, 0.92, 0.47, split_seed=None), _run(tmp_path / "s14", 14, 0.97, 0.43)]
    assert [r["seed"] for r in seed_spread(runs)["runs"]] == [13, 14]
    other_split = _run(tmp_path / "s15", 15, 0.9, 0.4, split_seed=None)  # its dev split is seed 15's
    with pytest.raises(ConfigError, match=r"s15 differs from .*s13 in data\.split_seed: 13 != 15"):
        seed_spread([*runs, other_split])


def test_runs_of_another_config_are_refused_with_the_key(runs: list[Path], tmp_path: Path) -> None:
    other = _run(tmp_path / "e5", 16, 0.9, 0.4, epochs=5.0)
    with pytest.raises(ConfigError, match=r"e5 differs from .*s13 in train\.epochs: 3\.0 != 5\.0\. The runs"):
        seed_spread([*runs, other])


def test_runs_on_other_data_are_refused_with_the_source(runs: list[Path], tmp_path: Path) -> None:
    other = _run(tmp_path / "newdata", 16, 0.9, 0.4, own_hash="bb")
    with pytest.raises(ConfigError, match=r"newdata read other data than .*\(sources own:"):
        seed_spread([*runs, other])


@pytest.mark.parametrize(
    "which, match",
    [
        ("one", r"got 1 run\(s\); a seed spread needs at least 2"),
        ("same seed", r"both have train\.seed 13"),
        ("unfinished", r"metrics\.json not found: pass finished run directories"),
    ],
)
def test_bad_run_lists_are_named(runs: list[Path], tmp_path: Path, which: str, match: str) -> None:
    if which == "one":
        given = runs[:1]
    elif which == "same seed":
        given = [runs[0], _run(tmp_path / "again", 13, 0.9, 0.4)]
    else:
        (runs[1] / "metrics.json").unlink()
        given = runs
    with pytest.raises(ConfigError, match=match):
        seed_spread(given)


def test_the_card_shows_the_model_next_to_the_spread(runs: list[Path]) -> None:
    model = runs[0]
    card = model / "README.md"
    assert read_spread(model) is None
    path = write_spread(model, seed_spread(runs), runs)
    assert path == model / SPREAD_FILE and read_spread(model)["runs"][0]["seed"] == 13
    text = card.read_text(encoding="utf-8")
    assert "trained at 3 seeds (13, 14, 15)" in text
    assert "| cameo | all | sentence_detail_f1 | 0.920 | 0.943 ± 0.025 | 0.920–0.970 |" in text
    assert "| rusentne | ru | sentiment_pn_f1 | 0.470 | 0.453 ± 0.021 | 0.430–0.470 |" in text


def test_the_card_says_when_the_model_was_refitted_after_its_spread(runs: list[Path]) -> None:
    from training.model_card import write_model_card

    model, card = runs[0], runs[0] / "README.md"
    spread = seed_spread(runs)
    assert spread["calibration"]["sentiment_shift_votes"] == "equal"  # the runs' (the code default)
    write_spread(model, spread, runs)
    assert "refitted" not in card.read_text(encoding="utf-8")
    # diplostance calibrate with sqrt votes rewrites the model's calibration keys; the spread keeps the runs'
    config = yaml.safe_load((model / "training_config.yaml").read_text())
    config["train"]["sentiment_shift_votes"] = "sqrt"
    metrics = json.loads((model / "metrics.json").read_text())
    text = write_model_card(model, config, metrics).read_text(encoding="utf-8")
    assert "`train.sentiment_shift_votes` 'equal' for the runs, 'sqrt' for this model" in text
    # a saved config that no longer builds (a key since retired) is still compared, not passed over in silence
    config["train"]["retired_key"] = 1
    text = write_model_card(model, config, metrics).read_text(encoding="utf-8")
    assert "`train.sentiment_shift_votes` 'equal' for the runs, 'sqrt' for this model" in text
    # a spread written before spreads recorded their calibration says nothing either way
    older = {k: v for k, v in spread.items() if k != "calibration"}
    (model / SPREAD_FILE).write_text(json.dumps(older))
    text = write_model_card(model, config, metrics).read_text(encoding="utf-8")
    assert "## Seed spread" in text and "refitted" not in text


def test_runs_fitted_with_other_calibration_keys_are_refused_with_the_refit_named(runs: list[Path]) -> None:
    config = yaml.safe_load((runs[1] / "training_config.yaml").read_text())
    config["train"]["sentiment_shift_votes"] = "sqrt"  # as diplostance calibrate records a refit
    (runs[1] / "training_config.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(
        ConfigError, match=r"sentiment_shift_votes: 'equal' != 'sqrt'.*refit the other side alike"
    ):
        seed_spread(runs)
    config["train"]["epochs"] = 2.0  # a difference in training too: no refit fixes that
    (runs[1] / "training_config.yaml").write_text(yaml.safe_dump(config))
    with pytest.raises(
        ConfigError,
        match=r"differ only in train.seed and output.dir \(and where they ran: train.threads, .*train.keep_checkpoints\)$",
    ):
        seed_spread(runs)


def test_a_model_of_another_config_gets_no_spread(runs: list[Path], tmp_path: Path) -> None:
    model = _run(tmp_path / "other-model", 13, 0.9, 0.4, epochs=2.0)
    with pytest.raises(ConfigError, match=r"The model directory and the runs must share one config"):
        write_spread(model, seed_spread(runs), runs)
    assert not (model / SPREAD_FILE).exists()


def test_the_command_prints_the_table_and_writes_the_card(
    runs: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from training.cli import register_spread

    parser = argparse.ArgumentParser()
    register_spread(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["spread", *map(str, runs), "--into", str(runs[1])])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "mean ± sd over 3 runs (seeds [13, 14, 15])" in out and "0.943 ± 0.025" in out
    assert "## Seed spread" in (runs[1] / "README.md").read_text(encoding="utf-8")
