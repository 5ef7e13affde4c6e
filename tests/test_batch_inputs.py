"""Every input format gives the same rows; bad records in each format become error rows."""

from __future__ import annotations

import csv
import gzip
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch import score
from inference.batch.readers import ReadOptions, iter_records, resolve_inputs

ARTICLES = [article(i) for i in range(9)]
KEYS = ("id", "sentence_index", "start", "end", "country", "stance", "detail", "sentiment")


def _jsonl_bytes() -> bytes:
    return "".join(json.dumps(a) + "\n" for a in ARTICLES).encode()


def _csv_bytes() -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=["id", "lang", "date", "title", "text"])
    writer.writeheader()
    writer.writerows(ARTICLES)
    return buf.getvalue().encode()


def make(tmp_path: Path, kind: str) -> Path:
    if kind == "jsonl":
        path = tmp_path / "a.jsonl"
        path.write_bytes(_jsonl_bytes())
    elif kind == "jsonl.gz":
        path = tmp_path / "a.jsonl.gz"
        path.write_bytes(gzip.compress(_jsonl_bytes()))
    elif kind == "jsonl.zst":
        path = tmp_path / "a.jsonl.zst"
        path.write_bytes(zstandard.ZstdCompressor().compress(_jsonl_bytes()))
    elif kind == "ndjson":
        path = tmp_path / "a.ndjson"
        path.write_bytes(_jsonl_bytes())
    elif kind == "csv":
        path = tmp_path / "a.csv"
        path.write_bytes(_csv_bytes())
    elif kind == "csv.gz":
        path = tmp_path / "a.csv.gz"
        path.write_bytes(gzip.compress(_csv_bytes()))
    elif kind == "csv.zst":
        path = tmp_path / "a.csv.zst"
        path.write_bytes(zstandard.ZstdCompressor().compress(_csv_bytes()))
    elif kind == "parquet":
        path = tmp_path / "a.parquet"
        pq.write_table(pa.Table.from_pylist(ARTICLES), path, row_group_size=4)
    elif kind == "txt-folder":
        path = tmp_path / "txt"
        path.mkdir()
        for a in ARTICLES:
            (path / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    else:
        raise ValueError(kind)
    return path


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    tmp = tmp_path_factory.mktemp("ref")
    score(make(tmp, "jsonl"), tmp / "out", classifier=FakeClassifier(), progress=False)
    return pq.read_table(tmp / "out" / "stances.parquet").to_pylist()


@pytest.mark.parametrize(
    "kind", ["jsonl", "jsonl.gz", "jsonl.zst", "ndjson", "csv", "csv.gz", "csv.zst", "parquet", "txt-folder"]
)
def test_each_format_gives_the_same_rows(tmp_path: Path, kind: str, reference: list[dict]) -> None:
    out = tmp_path / "out"
    manifest = score(
        make(tmp_path, kind), out, classifier=FakeClassifier(), lang="en", chunk_size=4, progress=False
    )
    assert (manifest.read, manifest.scored, manifest.failed) == (9, 9, 0)
    got = pq.read_table(out / "stances.parquet").to_pylist()
    assert [tuple(r[k] for k in KEYS) for r in got] == [tuple(r[k] for k in KEYS) for r in reference]
    if kind != "txt-folder":
        assert [(r["date"], r["title"], r["lang"]) for r in got] == [
            (r["date"], r["title"], r["lang"]) for r in reference
        ]
    else:
        assert {r["lang"] for r in got} == {"en"} and {r["date"] for r in got} == {None}


def test_lines_and_sources(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_bytes(b'\xef\xbb\xbf{"id": "1", "text": "x"}\n\n  \n{"id": "2", "text": "y"}\nnot json\n')
    records = list(iter_records(resolve_inputs([src], ReadOptions()), ReadOptions()))
    assert [(r.line, r.error is None) for r in records] == [(1, True), (4, True), (5, False)]
    assert {r.source for r in records} == {str(src)}


def test_csv_bad_rows(tmp_path: Path) -> None:
    src = tmp_path / "a.csv"
    src.write_bytes(
        b"id,text,date\n"
        b'1,"France, Russia and\nChina met.",2024-01-01\n'  # multi-line field: line 2
        b"2,caf\xe9 France,2024-01-02\n"  # invalid UTF-8
        b"3,too,many,fields\n"
        b"4,,2024-01-03\n"  # empty text
        b",Japan.,\n"  # missing id
        b"6,Germany.,2024-01-04\n"
    )
    out = tmp_path / "out"
    manifest = score(src, out, classifier=FakeClassifier(), progress=False)
    assert (manifest.read, manifest.scored, manifest.failed) == (6, 2, 4)
    errs = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["line"], e["reason"].split(":")[0].split(" in ")[0]) for e in errs] == [
        (4, "invalid UTF-8/Unicode"),
        (5, "row has 4 fields, the header has 3"),
        (6, "empty text"),
        (7, "missing id"),
    ]


def test_parquet_bad_values(tmp_path: Path) -> None:
    src = tmp_path / "a.parquet"
    table = pa.table(
        {
            "id": pa.array([1, 2, 3, 4, 1], pa.int64()),
            "text": pa.array([b"France.", None, b"\xff\xfe", b"   ", b"Japan."], pa.binary()),
        }
    )
    pq.write_table(table, src)
    out = tmp_path / "out"
    manifest = score(src, out, classifier=FakeClassifier(), progress=False)
    assert (manifest.read, manifest.scored, manifest.failed) == (5, 1, 4)
    errs = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["line"]) for e in errs] == [("2", 2), ("3", 3), ("4", 4), ("1", 5)]
    assert [
        next(w for w in ("null", "invalid UTF-8", "empty", "duplicate") if w in e["reason"]) for e in errs
    ] == ["null", "invalid UTF-8", "empty", "duplicate"]


def test_txt_folder_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "txt"
    (folder / "sub").mkdir(parents=True)
    (folder / "good.txt").write_text("France and Japan.", encoding="utf-8")
    (folder / "sub" / "nested.txt").write_text("Russia.", encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "ignored.md").write_text("France.")
    out = tmp_path / "out"
    manifest = score(folder, out, classifier=FakeClassifier(), progress=False)
    assert (manifest.read, manifest.scored, manifest.failed) == (4, 2, 2)
    errs = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [(e["id"], e["reason"].split(" at ")[0]) for e in errs] == [
        ("binary", "invalid UTF-8"),
        ("empty", "empty text"),
    ]
    ids = {r["id"] for r in pq.read_table(out / "stances.parquet").to_pylist()}
    assert ids == {"good", "sub/nested"}


def test_corrupt_and_truncated_archives_do_not_stop_the_run(tmp_path: Path) -> None:
    data = "".join(json.dumps(article(i)) + "\n" for i in range(200)).encode()
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(data)[:-300])
    junk = tmp_path / "junk.jsonl.zst"
    junk.write_bytes(b"this is not zstd at all" * 10)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really parquet")
    after = write_jsonl(tmp_path / "after.jsonl", [{"id": "last", "text": "France."}])
    out = tmp_path / "out"
    manifest = score([truncated, junk, broken, after], out, classifier=FakeClassifier(), progress=False)
    assert manifest.read == manifest.scored + manifest.failed
    errs = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert [e["source"] for e in errs if "cannot read file" in e["reason"]] == [
        str(truncated),
        str(junk),
        str(broken),
    ]
    assert "after line" in errs[0]["reason"]
    ids = {r["id"] for r in pq.read_table(out / "stances.parquet").to_pylist()}
    assert "last" in ids and len(ids) > 100


def test_input_errors_name_the_fix(tmp_path: Path) -> None:
    csv_path = tmp_path / "a.csv"
    csv_path.write_text("doc,body\n1,France.\n")
    with pytest.raises(
        ValueError, match=r"expected columns \['id', 'text'\], found \['doc', 'body'\]; set --id-field"
    ):
        score(csv_path, tmp_path / "out", classifier=FakeClassifier())
    manifest = score(
        csv_path,
        tmp_path / "out",
        classifier=FakeClassifier(),
        id_field="doc",
        text_field="body",
        progress=False,
    )
    assert manifest.scored == 1
    pq.write_table(pa.table({"doc": ["1"], "body": ["France."]}), tmp_path / "a.parquet")
    with pytest.raises(ValueError, match="expected columns"):
        score(tmp_path / "a.parquet", tmp_path / "out2", classifier=FakeClassifier())
    (tmp_path / "a.xml").write_text("<a/>")
    with pytest.raises(ValueError, match=r"unsupported input .*a\.xml.*expected \.jsonl"):
        score(tmp_path / "a.xml", tmp_path / "out3", classifier=FakeClassifier())
    (tmp_path / "empty_folder").mkdir()
    with pytest.raises(ValueError, match="holds no input files"):
        score(tmp_path / "empty_folder", tmp_path / "out4", classifier=FakeClassifier())
