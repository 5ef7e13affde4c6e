"""benchmarks/dev_table.py: runs' dev figures side by side from their metrics.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.dev_table import main, markdown


def _run(path: Path, cameo: float, ru: float | None) -> Path:
    dev = {
        "cameo": {
            "kind": "cameo",
            "by_lang": {"all": {"sentence_detail_f1": cameo}, "en": {"sentence_detail_f1": cameo}},
        }
    }
    if ru is not None:
        by_lang = {"all": {"sentiment_pn_f1": ru}, "ru": {"sentiment_pn_f1": ru}}
        dev["rusentne"] = {"kind": "rusentne", "by_lang": by_lang}
    path.mkdir()
    (path / "metrics.json").write_text(json.dumps({"dev": dev}))
    return path


def test_runs_side_by_side_with_gaps_marked(tmp_path: Path) -> None:
    a = _run(tmp_path / "a", 0.92, 0.471)
    b = _run(tmp_path / "b", 0.969, None)
    rows = markdown([a, b]).splitlines()
    assert rows[2] == "| cameo | all | sentence_detail_f1 | 0.920 | 0.969 |"
    assert "| rusentne | ru | sentiment_pn_f1 | 0.471 | — |" in rows  # per language where thresholds differ
    assert not any("| cameo | en |" in r for r in rows)  # other languages only with --all-languages
    assert any("| cameo | en |" in r for r in markdown([a, b], all_languages=True).splitlines())


def test_a_run_without_metrics_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "missing")]) == 2
    assert "missing/metrics.json not found" in capsys.readouterr().err
