"""``series_countries_<unit>.csv`` and ``series_dyads_<unit>.csv`` (``diplostance report --series``): per-period
counts that add up to what ``score`` wrote, undated rows kept, bad units named."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch import score, series
from inference.batch.cli import main
from inference.batch.series import UNDATED, country_series, dyad_series


@pytest.fixture
def run(tmp_path: Path) -> Path:
    src = write_jsonl(
        tmp_path / "a.jsonl",
        [article(i) for i in range(60)] + [{"id": "nodate", "text": "France and Germany met."}],
    )
    out = tmp_path / "out"
    score(src, out, classifier=FakeClassifier(), progress=False)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_country_series_adds_up_to_the_stance_rows(run: Path) -> None:
    stances = pq.read_table(run / "stances.parquet").to_pylist()
    rows = country_series(run / "stances.parquet", "month")
    assert sum(r["n"] for r in rows) == len(stances)
    for stance in ("cooperative", "conflictual", "neutral"):
        assert sum(r[stance] for r in rows) == sum(s["stance"] == stance for s in stances)
    by_country = Counter(s["country"] for s in stances)
    assert {c: sum(r["n"] for r in rows if r["country"] == c) for c in by_country} == dict(by_country)
    periods = [r["period"] for r in rows]
    assert periods[-1] == UNDATED and all(p.endswith("-01") for p in periods if p != UNDATED)
    assert periods == sorted(periods, key=lambda p: (p == UNDATED, p))
    for r in rows:
        assert r["net"] == round((r["cooperative"] - r["conflictual"]) / r["n"], 4)


def test_dyad_series_adds_up_to_the_dyad_rows(run: Path) -> None:
    dyads = pq.read_table(run / "dyads.parquet").to_pylist()
    assert dyads, "the fake classifier reads dyads"
    for unit in ("day", "month", "quarter"):
        rows = dyad_series(run / "dyads.parquet", unit)
        assert sum(r["n"] for r in rows) == len(dyads)
        wanted = sum(d["detail"] == "material_conflict" for d in dyads)
        assert sum(r["detail_material_conflict"] for r in rows) == wanted
        for r in rows:  # every dyad counted once by stance and once by detail
            by_detail = sum(v for k, v in r.items() if k.startswith("detail_"))
            assert r["n"] == r["cooperative"] + r["conflictual"] + r["neutral"] == by_detail
        total = sum(d["intensity"] for d in dyads)
        assert sum(r["intensity_sum"] for r in rows) == pytest.approx(total, abs=1e-3 * len(rows))
    quarters = {r["period"] for r in dyad_series(run / "dyads.parquet", "quarter")} - {UNDATED}
    assert quarters == {"2024-01-01"}  # the articles run from 2024-01-01 to 2024-03-27


def test_write_series_and_the_command_line(run: Path, capsys: pytest.CaptureFixture) -> None:
    paths = series(run, "quarter")
    assert set(paths) == {"countries", "dyads"}
    rows = _csv(paths["countries"])
    assert rows and list(rows[0]) == ["period", "country", "n", "cooperative", "conflictual", "neutral", "net",
                                      "sentiment_negative", "sentiment_neutral", "sentiment_positive"]  # fmt: skip
    assert main(["report", str(run), "--series", "month"]) == 0
    printed = capsys.readouterr().out
    assert "series_countries_month.csv" in printed and "series_dyads_month.csv" in printed
    written = _csv(run / "series_dyads_month.csv")
    assert [{k: str(v) for k, v in r.items()} for r in dyad_series(run / "dyads.parquet", "month")] == written


def test_bad_unit_and_missing_run_are_named(tmp_path: Path, run: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(ValueError, match="unit 'week' is not one of day, month, quarter"):
        series(run, "week")
    with pytest.raises(FileNotFoundError, match="run 'diplostance score"):
        series(tmp_path / "nothing", "month")
    with pytest.raises(SystemExit):
        main(["report", str(run), "--series", "week"])
    assert "invalid choice: 'week'" in capsys.readouterr().err


def test_score_overwrite_clears_the_series_of_the_earlier_run(run: Path, tmp_path: Path) -> None:
    paths = series(run, "month")
    assert all(p.is_file() for p in paths.values())
    src = write_jsonl(tmp_path / "b.jsonl", [article(i) for i in range(5)])
    score(src, run, classifier=FakeClassifier(), overwrite=True, progress=False)
    assert not any(p.exists() for p in paths.values())  # no stale CSVs beside the new run's Parquet
