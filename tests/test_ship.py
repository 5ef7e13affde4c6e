"""``diplostance ship``: a finished run installed as a model directory, refused (and nothing touched) when the run
is incomplete, pickled, too large, or not what the named config trains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from inference import load_classifier
from training.seed_spread import SPREAD_FILE
from training.ship import SHIPPED_FILES, ShipError, ship

SENTENCES = ["Russia attacked Ukraine.", "Brazil praised Argentina."]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import build_tiny_encoder
    from test_training import _config

    from training.config import load_config
    from training.trainer import train

    tmp = tmp_path_factory.mktemp("ship")
    encoder = build_tiny_encoder(tmp / "encoder")
    config = _config(tmp, encoder, epochs=2)
    (tmp / "config.yaml").write_text(yaml.safe_dump(config))
    return train(load_config(tmp / "config.yaml"), progress=False)


def _existing(dest: Path) -> dict[str, str]:
    dest.mkdir(parents=True)
    (dest / "config.json").write_text("{}")
    return {p.name: p.read_text() for p in dest.iterdir()}


def _reads(model: Path) -> list[tuple[str, str]]:
    return [
        (r.stance, r.detail) for r in load_classifier(model, precision="fp32").classify_sentences(SENTENCES)
    ]


def test_ship_copies_the_run_and_loads_alike(run: Path, tmp_path: Path) -> None:
    dest = tmp_path / "default_model"
    _existing(dest)  # replaced whole, not merged into
    written = ship(run, dest, config=run.parent / "config.yaml")
    assert sorted(p.name for p in written) == sorted([*SHIPPED_FILES, "adapter"])
    assert not (dest / "bad_rows.jsonl").exists() and not list(tmp_path.glob(".default_model-*"))
    for name in SHIPPED_FILES:
        assert (dest / name).read_bytes() == (run / name).read_bytes()
    assert _reads(dest) == _reads(run)


def _refused(dest: Path, before: dict[str, str], match: str, func, *args, **kwargs) -> None:
    with pytest.raises(ShipError, match=match):
        func(*args, **kwargs)
    assert {p.name: p.read_text() for p in dest.iterdir()} == before
    assert not list(dest.parent.glob(f".{dest.name}-*"))


def test_a_config_that_would_not_rebuild_the_run_is_named(run: Path, tmp_path: Path) -> None:
    dest = tmp_path / "m"
    before = _existing(dest)
    raw = yaml.safe_load((run.parent / "config.yaml").read_text())
    raw["train"]["seed"] = 4
    raw["train"]["lr"] = 0.02
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(raw))
    _refused(dest, before, r"train\.lr: 0\.02 != 0\.01; train\.seed: 4 != 3", ship, run, dest, config=other)
    # where and how visibly it ran is not the recipe: a run checkpointed more often or on another device ships
    raw = yaml.safe_load((run.parent / "config.yaml").read_text())
    raw["train"].update(save_steps=400, device="cpu", log_every=5, threads=1)
    runtime = tmp_path / "runtime.yaml"
    runtime.write_text(yaml.safe_dump(raw))
    assert ship(run, dest, config=runtime)


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (lambda r: (r / "metrics.json").unlink(), "lacks metrics.json"),
        (lambda r: shutil.rmtree(r / "adapter"), "no weights folder"),
        (lambda r: (r / "adapter" / "adapter_model.bin").write_bytes(b"\x80"), r"pickled weights \(adapter/"),
        (lambda r: (r / "adapter" / "adapter_model.safetensors").unlink(), "holds no .safetensors"),
    ],
    ids=["missing-file", "no-weights", "pickle", "unfinished-weights"],
)
def test_an_incomplete_or_unsafe_run_is_refused(run: Path, tmp_path: Path, damage, match: str) -> None:
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    damage(copy)
    dest = tmp_path / "m"
    before = _existing(dest)
    _refused(dest, before, match, ship, copy, dest)


def test_size_limit_and_self_are_refused(run: Path, tmp_path: Path) -> None:
    dest = tmp_path / "m"
    before = _existing(dest)
    _refused(dest, before, r"would ship \d+\.\d MB, over the 0\.001 MB", ship, run, dest, max_mb=0.001)
    with pytest.raises(ShipError, match="is the destination itself"):
        ship(run, run)


def test_spread_goes_into_the_card_of_the_shipped_copy(run: Path, tmp_path: Path) -> None:
    seeds = []
    for seed in (3, 4):
        copy = tmp_path / f"s{seed}"
        shutil.copytree(run, copy)
        raw = yaml.safe_load((copy / "training_config.yaml").read_text())
        raw["train"]["seed"] = seed
        raw["data"]["split_seed"] = 3  # one dev split for both draws
        (copy / "training_config.yaml").write_text(yaml.safe_dump(raw))
        seeds.append(copy)
    dest = tmp_path / "m"
    ship(seeds[0], dest, spread_runs=seeds)
    spread = json.loads((dest / SPREAD_FILE).read_text())
    assert [r["seed"] for r in spread["runs"]] == [3, 4]
    assert (dest / "README.md").read_text() == (seeds[0] / "README.md").read_text()
    assert "± 0.000" in (dest / "README.md").read_text()  # two identical draws: sd 0


def test_cli_ships_and_names_the_bad_run(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from inference.cli import main

    assert main(["ship", str(tmp_path / "nowhere"), "--into", str(tmp_path / "m")]) == 2
    assert "diplostance ship: error: " in capsys.readouterr().err and not (tmp_path / "m").exists()
    assert main(["ship", str(run), "--into", str(tmp_path / "m")]) == 0
    assert "shipped into" in capsys.readouterr().out and (tmp_path / "m" / "adapter").is_dir()


def test_registering_the_commands_loads_no_torch() -> None:
    """`diplostance`'s start-up builds every subcommand's parser; ``ship`` resolves its default lazily."""
    import subprocess
    import sys

    code = "import sys; from inference.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
