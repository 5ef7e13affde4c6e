"""What an analyst gets from ``score`` (issue 17): dates, pass-through fields, provenance, and
failures that come before the model is loaded, with a message that names the fix."""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, InterruptAfter, article, write_jsonl

import inference.batch.api as api
from inference.batch import Manifest, score
from inference.batch.cli import main
from inference.batch.dates import parse_date
from inference.batch.provenance import read_parquet_provenance


@pytest.mark.parametrize(
    ("raw", "fmt", "expected", "status"),
    [
        ("2025-03-01", None, date(2025, 3, 1), "parsed"),
        ("2025-03-01T10:00:00+02:00", None, date(2025, 3, 1), "parsed"),
        ("20250301", None, date(2025, 3, 1), "parsed"),
        ("March 3, 2025", None, date(2025, 3, 3), "parsed"),
        ("3 March 2025", None, date(2025, 3, 3), "parsed"),
        ("Mon, 03 Mar 2025 10:00:00 +0000", None, date(2025, 3, 3), "parsed"),
        ("31/01/2025", None, date(2025, 1, 31), "parsed"),  # only one reading is a date
        ("01/03/2025", None, None, "unparsed"),  # ambiguous without a format
        ("01/03/2025", "%d/%m/%Y", date(2025, 3, 1), "parsed"),
        ("01/03/2025", "%m/%d/%Y", date(2025, 1, 3), "parsed"),
        ("2025-13-45", None, None, "unparsed"),
        ("yesterday", None, None, "unparsed"),
        ("", None, None, "missing"),
        (None, None, None, "missing"),
    ],
)
def test_parse_date(raw: str | None, fmt: str | None, expected: date | None, status: str) -> None:
    assert parse_date(raw, fmt) == (expected, status)


def _dated(tmp_path: Path) -> Path:
    raws = ["01/03/2025", "20250301", "March 3, 2025", "2025-13-45", None]
    records = []
    for i, raw in enumerate(raws):
        record = {**article(i * 7 + 1), "url": f"https://example.org/{i}", "source": "wire", "n": i}
        record["date"] = raw
        records.append(record)
    return write_jsonl(tmp_path / "dated.jsonl", records)


def test_dates_parsed_raw_kept_and_counted(tmp_path: Path) -> None:
    manifest = score(_dated(tmp_path), tmp_path / "out", classifier=FakeClassifier(), progress=False)
    assert manifest.dates == {"parsed": 2, "unparsed": 2, "missing": 1}
    saved = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert saved["dates"] == manifest.dates
    table = pq.read_table(tmp_path / "out" / "articles.parquet")
    assert str(table.schema.field("date").type) == "date32[day]"
    by_id = {r["id"]: (r["date"], r["date_raw"]) for r in table.to_pylist()}
    assert by_id["a00001"] == (None, "01/03/2025")
    assert by_id["a00008"] == (date(2025, 3, 1), None)
    assert by_id["a00015"] == (date(2025, 3, 3), None)
    assert by_id["a00022"] == (None, "2025-13-45")
    assert by_id["a00029"] == (None, None)
    assert "dates unparsed" in manifest.summary_table()

    again = score(
        _dated(tmp_path), tmp_path / "eu", classifier=FakeClassifier(), date_format="%d/%m/%Y", progress=False
    )
    assert again.dates == {"parsed": 3, "unparsed": 1, "missing": 1}
    with pytest.raises(ValueError, match="no strptime directive"):
        score(_dated(tmp_path), tmp_path / "x", classifier=FakeClassifier(), date_format="dd/mm/yyyy")


def test_extra_fields_pass_through_and_keep(tmp_path: Path) -> None:
    src = _dated(tmp_path)
    score(src, tmp_path / "all", classifier=FakeClassifier(), progress=False)
    names = pq.read_schema(tmp_path / "all" / "stances.parquet").names
    assert {"url", "source", "n", "title", "lang", "date", "date_raw"} <= set(names)
    row = pq.read_table(tmp_path / "all" / "stances.parquet").to_pylist()[0]
    assert row["url"].startswith("https://example.org/") and row["n"] in {str(i) for i in range(5)}

    score(src, tmp_path / "some", classifier=FakeClassifier(), keep=["url"], progress=False)
    names = pq.read_schema(tmp_path / "some" / "stances.parquet").names
    assert "url" in names and "source" not in names and "title" not in names and "date" in names
    with pytest.raises(ValueError, match=r"\['country'\] are names of output columns"):
        score(src, tmp_path / "bad", classifier=FakeClassifier(), keep=["country"])
    with pytest.raises(TypeError, match="list of field names"):
        score(src, tmp_path / "bad", classifier=FakeClassifier(), keep="url")
    code = main(["score", str(src), "--out", str(tmp_path / "cli"), "--keep", "source", "--no-progress"])
    assert code == 0
    assert "source" in pq.read_schema(tmp_path / "cli" / "stances.parquet").names


def test_provenance_in_manifest_and_parquet_metadata(tmp_path: Path) -> None:
    fake = FakeClassifier(name="fake-v1")
    fake.provenance = {"name": "fake-v1", "version": "9.9", "weights_sha256": "ab" * 32}  # type: ignore[attr-defined]
    manifest = score(_dated(tmp_path), tmp_path / "out", classifier=fake, progress=False)
    assert manifest.model_info == fake.provenance
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["model_info"] == fake.provenance
    for name in ("stances.parquet", "articles.parquet"):
        meta = read_parquet_provenance(tmp_path / "out" / name)
        assert meta["model"] == fake.provenance and meta["options"]["date_format"] is None
    assert "9.9 sha256:abababababab" in manifest.summary_table()


def test_describe_model_hashes_the_weights(tmp_path: Path) -> None:
    from inference.classifier import describe_model

    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "config.json").write_text('{"format_version": 1, "diplostance": {"base_encoder": "e"}}')
    (tmp_path / "m" / "heads.safetensors").write_bytes(b"1234")
    (tmp_path / "m" / "README.md").write_text("not hashed")
    first = describe_model(tmp_path / "m", "m")
    assert first["format_version"] == 1 and first["base_encoder"] == "e" and first["version"]
    (tmp_path / "m" / "README.md").write_text("changed")
    assert describe_model(tmp_path / "m", "m")["weights_sha256"] == first["weights_sha256"]
    (tmp_path / "m" / "heads.safetensors").write_bytes(b"1235")
    assert describe_model(tmp_path / "m", "m")["weights_sha256"] != first["weights_sha256"]


def _no_load(model: str | None) -> FakeClassifier:
    raise AssertionError("the model must not be loaded")


def test_fail_fast_before_loading_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "load_classifier", _no_load)
    body = write_jsonl(tmp_path / "body.jsonl", [{"id": str(i), "body": "France."} for i in range(3)])
    with pytest.raises(
        ValueError, match=r"none of the first 3 records has the field\(s\) \['text'\].*--text-field"
    ):
        score(body, tmp_path / "out")
    src = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        score(src, tmp_path / "file")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(ValueError, match="hold no records"):
        score(empty, tmp_path / "out")
    score(src, tmp_path / "done", classifier=FakeClassifier(name="default"), progress=False)
    again = score(src, tmp_path / "done")  # finished with the default model: no load
    assert again.complete and again.last_run["records"] == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_out_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "load_classifier", _no_load)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="cannot write to --out"):
            score(write_jsonl(tmp_path / "a.jsonl", [article(1)]), locked / "out")
    finally:
        locked.chmod(0o700)


def test_unwritable_out_fails_fast_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same check where permissions do not stop the user: a path below a file."""
    monkeypatch.setattr(api, "load_classifier", _no_load)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(ValueError, match=r"cannot write to --out .*plain/out"):
        score(write_jsonl(tmp_path / "a.jsonl", [article(1)]), tmp_path / "plain" / "out")


def test_cli_empty_input_and_missing_field_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert main(["score", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "hold no records" in capsys.readouterr().err


def test_folders_of_jsonl_csv_parquet(tmp_path: Path) -> None:
    import pyarrow as pa

    folder = tmp_path / "archive"
    (folder / "b").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", [article(i) for i in range(1, 3)])
    with open(folder / "b" / "c.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text"])
        writer.writeheader()
        writer.writerow({"id": "csv1", "text": "France and Japan met."})
    pq.write_table(pa.table({"id": ["pq1"], "text": ["Russia and China met."]}), folder / "d.parquet")
    (folder / "notes.md").write_text("skipped")
    manifest = score(folder, tmp_path / "out", classifier=FakeClassifier(), progress=False)
    assert manifest.read == 4 and manifest.failed == 0
    assert manifest.inputs[0]["files"] == 3 and manifest.inputs[0]["format"] == "csv,jsonl,parquet"


def test_sigint_says_what_was_saved(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(20)])
    monkeypatch.setattr(api, "load_classifier", lambda model: InterruptAfter(2))
    code = main(["score", str(src), "--out", str(tmp_path / "out"), "--chunk-size", "5", "--batch-size", "5"])
    err = capsys.readouterr().err
    assert code == 130
    assert "interrupted: 10 records in 2 chunks are saved" in err and "rerun the same command" in err
    monkeypatch.setattr(api, "load_classifier", lambda model: FakeClassifier())
    assert main(["score", str(src), "--out", str(tmp_path / "out"), "--chunk-size", "5"]) == 0
    assert Manifest.load(tmp_path / "out" / "manifest.json").read == 20


HTML = (
    '<article><h1>Talks</h1><p data-country="France">Russia &amp; China signed a deal.</p>'
    "<p>Japan &eacute;xpressed <b>support</b>\n   for it.<br>India said nothing.</p>"
    "<script>var Germany = 1;</script></article>"
)


def test_html_to_text_blocks_entities_attributes() -> None:
    from inference.batch.html_text import html_to_text, looks_like_html, prepare_text

    text = html_to_text(HTML)
    assert (
        text
        == "Talks\n\nRussia & China signed a deal.\n\nJapan éxpressed support for it.\nIndia said nothing."
    )
    assert "France" not in text and "Germany" not in text and "<" not in text
    assert looks_like_html(HTML) and not looks_like_html("profits < costs > zero & more")
    assert prepare_text("a < b", "auto") == "a < b" and prepare_text("<p>a</p>", "text") == "<p>a</p>"


def test_score_html_records(tmp_path: Path) -> None:
    from inference.batch.html_text import html_to_text

    src = write_jsonl(tmp_path / "h.jsonl", [{"id": "h1", "text": HTML}, {"id": "h2", "text": "<p> </p>"}])
    manifest = score(src, tmp_path / "out", classifier=FakeClassifier(), progress=False)  # auto-detected
    assert (manifest.scored, manifest.failed) == (1, 1)
    rows = pq.read_table(tmp_path / "out" / "stances.parquet").to_pylist()
    assert {r["country"] for r in rows} == {"RUS", "CHN", "JPN", "IND"}  # not FRA (an attribute), not DEU
    text = html_to_text(HTML)
    for r in rows:
        assert "<" not in r["sentence"] and text[r["start"] : r["end"]] == r["sentence"]
        assert all(
            text[m["start"] : m["end"]] in ("Russia", "China", "Japan", "India") for m in r["mentions"]
        )
    assert "nothing left once the HTML markup is removed" in (tmp_path / "out" / "errors.jsonl").read_text()
    raw = score(src, tmp_path / "raw", classifier=FakeClassifier(), text_format="text", progress=False)
    assert raw.scored == 2
    with pytest.raises(ValueError, match="unknown text_format 'xml'"):
        score(src, tmp_path / "x", classifier=FakeClassifier(), text_format="xml")


def test_quiet_by_default_verbose_shows_third_party(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging
    import warnings

    from transformers.utils import logging as hf_logging

    from inference.batch.cli import _setup_logging

    monkeypatch.delenv("TRANSFORMERS_VERBOSITY", raising=False)
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    before = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    try:
        for verbose in (True, False):
            hf_logging.set_verbosity_warning()
            hf_logging.enable_progress_bar()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                _setup_logging(verbose)
                warnings.warn_explicit(
                    "old API", FutureWarning, "modeling_utils.py", 1, module="transformers.x"
                )
                warnings.warn_explicit("ours", UserWarning, "local.py", 1, module="inference.batch.local")
            shown = [str(w.message) for w in caught]
            assert "ours" in shown
            if verbose:
                assert "old API" in shown and hf_logging.is_progress_bar_enabled()
            else:
                assert "old API" not in shown and not hf_logging.is_progress_bar_enabled()
                assert hf_logging.get_verbosity() == logging.ERROR
    finally:
        hf_logging.set_verbosity(before[0])
        with warnings.catch_warnings():  # huggingface_hub warns that its env variable has priority
            warnings.simplefilter("ignore")
            (hf_logging.enable_progress_bar if before[1] else hf_logging.disable_progress_bar)()
