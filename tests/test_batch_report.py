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
    assert "Cooperative pairs" in page and "Conflictual pairs" in page and "FRA" in page
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
