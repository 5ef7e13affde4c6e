"""``report(out_dir)``: a PNG and a self-contained HTML page, with and without dates."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import pytest
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch import report, score
from inference.batch.cli import main
from inference.batch.report import parse_day, tally


def test_report_png_and_html(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "a.jsonl", [article(i) for i in range(80)] + [{"id": "nodate", "text": "France."}]
    )
    out = tmp_path / "out"
    score(src, out, classifier=FakeClassifier(), progress=False)
    paths = report(out, top=5)
    png = paths["png"].read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    page = paths["html"].read_text(encoding="utf-8")
    embedded = re.search(r'src="data:image/png;base64,([^"]+)"', page)
    assert embedded and base64.b64decode(embedded[1]) == png
    assert "Named together, both cooperative" in page and "Named together, both conflictual" in page
    assert "FRA France" in page and "co-occur" in page
    assert "stance rows without a usable date</td><td>1<" in page
    assert "2024-01-01 to 2024-03-27" in page

    t = tally(out / "stances.parquet")
    assert t.rows == sum(sum(v) for v in t.countries.values())
    assert sum(t.pairs["cooperative"].values()) + sum(t.pairs["conflictual"].values()) > 0


def test_report_reads_the_folder_layout(tmp_path: Path) -> None:
    """``--parquet-layout folder`` (Ray engine) writes stances.parquet/ as part files: same tally."""
    import pyarrow.parquet as pq

    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(30)])
    out = tmp_path / "out"
    score(src, out, classifier=FakeClassifier(), progress=False)
    whole = tally(out / "stances.parquet")
    table = pq.read_table(out / "stances.parquet")
    (out / "stances.parquet").unlink()
    (out / "stances.parquet").mkdir()
    half = table.num_rows // 2
    pq.write_table(table.slice(0, half), out / "stances.parquet" / "part-000000.parquet")
    pq.write_table(table.slice(half), out / "stances.parquet" / "part-000001.parquet")
    parts = tally(out / "stances.parquet")
    assert (parts.rows, parts.countries, parts.days, parts.pairs) == (
        whole.rows,
        whole.countries,
        whole.days,
        whole.pairs,
    )
    assert report(out)["html"].is_file()


def test_report_without_dates_and_empty(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": str(i), "text": article(i)["text"]} for i in range(10)])
    score(src, tmp_path / "out", classifier=FakeClassifier(), progress=False)
    assert main(["report", str(tmp_path / "out")]) == 0
    assert "report.html" in capsys.readouterr().out
    empty = write_jsonl(tmp_path / "e.jsonl", [{"id": "1", "text": "No countries."}])
    score(empty, tmp_path / "empty", classifier=FakeClassifier(), progress=False)
    assert "no usable dates" not in report(tmp_path / "empty")["html"].read_text()
    assert main(["report", str(tmp_path / "missing")]) == 2
    assert "run 'diplostance score" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024-03-05T10:00:00Z", date(2024, 3, 5)),
        ("2024-03", date(2024, 3, 1)),
        ("05/03/2024", None),
        ("2024-13-01", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_day(value: str | None, day: date | None) -> None:
    assert parse_day(value) == day


def _scored(tmp_path: Path, records: list[dict]) -> Path:
    out = tmp_path / "out"
    score(write_jsonl(tmp_path / "a.jsonl", records), out, classifier=FakeClassifier(), progress=False)
    return out


def test_series_breaks_across_empty_months_and_counts_every_point(tmp_path: Path) -> None:
    from inference.batch.report import series

    records = [{**article(1), "id": f"jan{i}", "date": f"2024-01-{10 + i}"} for i in range(5)]
    records += [{**article(1), "id": f"may{i}", "date": f"2024-05-0{1 + i}"} for i in range(5)]
    t = tally(_scored(tmp_path, records) / "stances.parquet")
    unit, data = series(t, sorted(t.countries))
    assert unit == "month"
    for points in data.values():
        assert [p for p, _, _ in points] == [date(2024, m, 1) for m in range(1, 6)]
        assert [v is None for _, v, _ in points] == [False, True, True, True, False]  # no line Feb-Apr
        assert [n for _, _, n in points][1:4] == [0, 0, 0] and points[0][2] >= 5
    sparse = [{**article(1), "id": f"m{m}", "date": f"2024-{m:02d}-01"} for m in (1, 2, 9)]
    (tmp_path / "s").mkdir()
    t = tally(_scored(tmp_path / "s", sparse) / "stances.parquet")
    unit, data = series(t, ["DEU"])
    assert unit == "quarter" and [(p.month, n) for p, _, n in data["DEU"]] == [(1, 2), (4, 0), (7, 1)]


def test_report_panels_evidence_and_names(tmp_path: Path) -> None:
    from inference.batch.report import PANELS, SECTIONS, country_names

    out = _scored(tmp_path, [article(i) for i in range(40)])
    t = tally(out / "stances.parquet")
    assert sum(sum(c.values()) for c in t.sentiments.values()) == t.rows
    assert sum(sum(c.values()) for c in t.details.values()) == t.rows
    assert all(len(v) <= 3 for v in t.examples.values()) and t.examples
    page = report(out)["html"].read_text(encoding="utf-8")
    assert "Evidence: example sentences per country and stance" in page
    best = t.best_examples(*next(iter(t.examples)))
    assert best == sorted(best, key=lambda e: -e.p) and best[0].sentence.strip() in page
    assert "sentiment negative" in page and country_names()["DEU"] == "Germany"
    assert len(PANELS) == 6 and len(SECTIONS) >= 5  # panels are a list another one can join


def test_report_says_why_there_is_nothing_to_plot(tmp_path: Path) -> None:
    out = _scored(tmp_path, [{"id": str(i), "text": ""} for i in range(3)])
    page = report(out)["html"].read_text(encoding="utf-8")
    assert "Nothing to plot:" in page and "all 3 records failed" in page and "empty text" in page
    out2 = tmp_path / "none"
    score(
        write_jsonl(tmp_path / "n.jsonl", [{"id": "1", "text": "No countries."}]),
        out2,
        classifier=FakeClassifier(),
        progress=False,
    )
    assert "none of the 1 scored articles names a country" in report(out2)["html"].read_text(encoding="utf-8")
