"""benchmarks/late_relation.py: the slow test's late relation at other lengths (a stand-in classifier)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.late_relation import RELATION, long_sentence, main, readings, summary


class Reads:
    """Reads CHN and FRA conflictual in texts up to ``limit`` characters, neutral beyond; no FRA in ``drop``."""

    def __init__(self, limit: int, drop: int | None = None) -> None:
        self.limit, self.drop = limit, drop

    def classify(self, text: str) -> list[SimpleNamespace]:
        stance, p = ("conflictual", 0.9) if len(text) <= self.limit else ("neutral", 0.6)
        countries = ["CHN"] if len(text) == self.drop else ["CHN", "FRA"]
        return [
            SimpleNamespace(country=c, stance=stance, scores={"stance": {stance: p, "other": 1 - p}})
            for c in countries
        ]


def test_long_sentence_has_the_length_and_ends_with_the_relation() -> None:
    for n in (120, 755, 930):
        text = long_sentence(n)
        assert len(text) == n and text.endswith(RELATION) and text.count("China") == 1


def test_readings_and_summary_count_both_countries() -> None:
    texts = [(str(n), long_sentence(n)) for n in (120, 250, 755)]
    rows = readings(Reads(limit=300), texts)
    assert rows[0] == ("120", {"CHN": ("conflictual", 0.9), "FRA": ("conflictual", 0.9)})
    assert rows[2][1]["FRA"] == ("neutral", 0.6)
    assert summary(rows) == "2/3 read conflictual for both CHN and FRA; lowest such probability 0.90"
    missing = readings(Reads(limit=300, drop=250), texts)
    assert missing[1][1]["FRA"] == (None, 0.0)
    assert summary(missing).startswith("1/3 read conflictual")


def test_main_names_a_bad_model_directory_and_a_too_short_length(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nope")])
    assert exit_info.value.code == 2
    assert f"not a model directory (no config.json): {tmp_path / 'nope'}" in capsys.readouterr().err
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--lengths", "40", "300"])
    assert "--lengths [40]: each must exceed 57 characters" in capsys.readouterr().err
