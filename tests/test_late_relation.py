"""benchmarks/late_relation.py: the slow test's late relation at other lengths (a stand-in classifier)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks import late_relation_grid
from benchmarks.late_relation import RELATION, late_text, long_sentence, main, readings, summary


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


class ReadsVerb:
    """Reads every country by the verb of the text: aid cooperative, a protest neutral past ``limit``, else conflictual."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def classify(self, text: str) -> list[SimpleNamespace]:
        if "emergency aid" in text:
            stance = "cooperative"
        elif "protested" in text and len(text) > self.limit:
            stance = "neutral"
        else:
            stance = "conflictual"
        found = [c for name, c in (("China", "CHN"), ("France", "FRA"), ("Germany", "DEU")) if name in text]
        return [SimpleNamespace(country=c, stance=stance, scores={"stance": {stance: 0.8}}) for c in found]


def test_grid_crosses_verbs_recipients_fillers_and_lengths() -> None:
    lengths = [250, 930]
    rows = late_relation_grid.grid(ReadsVerb(limit=500), lengths)
    n_verbs, n_recipients, n_fillers = (
        len(late_relation_grid.VERBS),
        len(late_relation_grid.RECIPIENTS),
        len(late_relation_grid.FILLERS),
    )
    assert len(rows) == n_verbs * n_recipients * n_fillers * len(lengths)
    wrong = [(f, v, c, n) for f, v, c, n, ok, _ in rows if not ok]
    assert {v for _, v, _, _ in wrong} == {"protest"} and {n for *_, n in wrong} == {930}
    assert len(wrong) == n_recipients * n_fillers  # the long protest, for each recipient and filler
    for filler in late_relation_grid.FILLERS.values():
        text = late_text(filler, "while China condemned France over the strikes.", 300)
        assert len(text) <= 300 and text.endswith("France over the strikes.") and text.count("China") == 1


def test_grid_main_names_a_too_short_length(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        late_relation_grid.main([str(tmp_path), "--lengths", "60", "300"])
    assert "--lengths [60]: each must exceed" in capsys.readouterr().err
