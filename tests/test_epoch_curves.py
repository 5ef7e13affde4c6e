"""benchmarks/epoch_curves.py: runs' per-epoch dev figures, their mean per epoch and each run's last change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.epoch_curves import curves, main


def _run(path: Path, cameo: list[float], own: list[float] | None = None) -> Path:
    epochs = []
    for i, value in enumerate(cameo):
        dev = {
            "cameo": {
                "kind": "cameo",
                "by_lang": {"all": {"sentence_detail_f1": value, "sentence_detail_f1_sd": 0.02}},
            }
        }
        if own is not None:
            dev["own"] = {
                "kind": "own",
                "by_lang": {"all": {"detail_f1": own[i], "stance_f1": own[i] + 0.05}},
            }
        epochs.append({"epoch": i + 1, "step": 10 * (i + 1), "headline": value, "dev": dev})
    path.mkdir()
    (path / "metrics.json").write_text(json.dumps({"dev": epochs[-1]["dev"], "epoch_dev": epochs}))
    return path


def test_mean_per_epoch_over_the_runs_that_reached_it_and_each_runs_last_change(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", [0.90, 0.94, 0.95], own=[0.70, 0.78, 0.77])
    b = _run(tmp_path / "b", [0.80, 0.90])  # a shorter run, without own data
    rows = curves([a, b]).splitlines()
    assert rows[0] == "| data | metric | epoch 1 | epoch 2 | epoch 3 | last − previous, per run |"
    assert rows[2] == "| cameo | sentence_detail_f1 | 0.850 | 0.920 | 0.950 | +0.010 +0.100 |"
    assert rows[3] == "| own | detail_f1 | 0.700 | 0.780 | 0.770 | -0.010 — |"
    assert len(rows) == 4  # headline metrics only; the sds are never rows
    named = curves([a], [("own", "stance_f1")]).splitlines()
    assert named[2] == "| own | stance_f1 | 0.750 | 0.830 | 0.820 | -0.010 |"


def test_bad_runs_and_metrics_are_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert "missing/metrics.json not found" in capsys.readouterr().err
    one = tmp_path / "one"
    one.mkdir()
    (one / "metrics.json").write_text(json.dumps({"dev": {}}))
    assert main([str(one)]) == 2
    assert "holds no per-epoch dev figures" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(one), "--metric", "own"])
    assert "expected DATA:METRIC" in capsys.readouterr().err
