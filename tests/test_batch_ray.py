"""The Ray engine: its actors' batch function on a dict of columns (no Ray), then the engine on a
local Ray instance compared with the local engine (``-m ray``)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, article, messy_lines

from inference.batch import score
from inference.batch.core import PROB_COLUMNS
from inference.batch.dyads import DYAD_PROB_COLUMNS
from inference.batch.local import validate_chunk
from inference.batch.options import ScoreOptions
from inference.batch.provenance import read_parquet_provenance
from inference.batch.ray_engine import RESULT_SCHEMA, ScoreActor, chunk_columns, read_ipc, score_chunks
from inference.batch.readers import RawRecord

FIELDS = ScoreOptions(inputs=(), out_dir=Path(".")).output_fields  # lang, language..., date, date_raw, title


def _columns(records: list[dict], chunk: int = 0, seq: int = 0) -> dict[str, list]:
    raws = [RawRecord("mem.jsonl", seq + n + 1, r) for n, r in enumerate(records)]
    opts = ScoreOptions(inputs=(), out_dir=Path("."))
    outcomes, _ = validate_chunk(raws, seq, opts, lambda _id: None)
    return chunk_columns(chunk, outcomes, FIELDS)


def test_batch_function_on_a_dict_of_columns() -> None:
    records = [
        article(0),
        {"id": "bad", "text": ""},
        {"id": "boom", "text": "France BOOM."},
        article(3),  # names no country
        article(1),
        {"id": article(0)["id"], "text": "A later duplicate about Japan."},
    ]
    batch = _columns(records)
    assert batch["reason"][1] == "empty text" and "duplicate id" in batch["reason"][5]
    assert batch["text"][1] is None and batch["lang"][0] == "en"

    out = score_chunks(batch, FakeClassifier(), batch_size=2)

    assert out["chunk"] == [0] and out["model"] == ["fake-v1"]
    assert (out["records"], out["scored"], out["failed"], out["no_country"]) == ([6], [3], [3], [1])
    stances = read_ipc(out["stances"][0]).to_pylist()
    assert {r["id"] for r in stances} == {"a00000", "a00001"}
    assert out["rows"] == [len(stances)]
    assert all(r["date"] and r["lang"] == "en" for r in stances)
    records_out = read_ipc(out["record_rows"][0]).to_pylist()
    assert [r["seq"] for r in records_out] == list(range(6))
    assert [r["status"] for r in records_out] == ["scored", "failed", "failed", "scored", "scored", "failed"]
    assert records_out[2]["reason"].startswith("classifier failed: ValueError")
    articles = read_ipc(out["articles"][0]).to_pylist()
    assert out["article_rows"] == [len(articles)]
    assert {(a["id"], a["country"]) for a in articles} == {(r["id"], r["country"]) for r in stances}


def test_batch_function_returns_provenance_dates_and_languages() -> None:
    """What the driver needs for the local engine's manifest: the model's provenance, and per record
    how its date parsed and the language it was read in."""
    records = [
        article(0),
        {"id": "late", "text": "La France a parlé hier soir.", "date": "not a date"},
        {"id": "hint", "lang": "ca", "text": "France ha parlat."},
        {"id": "bad", "text": ""},
    ]
    classifier = FakeClassifier()
    classifier.provenance = {"name": "fake-v1", "version": "9", "weights_sha256": "ab" * 32}
    out = score_chunks(_columns(records), classifier, batch_size=2)
    assert json.loads(out["model_info"][0]) == classifier.provenance
    assert json.loads(score_chunks(_columns(records), FakeClassifier(), 2)["model_info"][0]) == {
        "name": "fake-v1"
    }
    rows = read_ipc(out["record_rows"][0]).to_pylist()
    assert [r["date_status"] for r in rows] == ["parsed", "unparsed", "missing", None]
    assert [r["language"] for r in rows] == ["en", "fr", "ca", None]
    assert [r["language_covered"] for r in rows] == [True, True, False, None]
    stances = read_ipc(out["stances"][0]).to_pylist()
    assert {(r["id"], r["language"]) for r in stances} >= {("late", "fr"), ("hint", "ca")}
    assert {r["date"] for r in stances if r["id"] == "late"} == {None}


def test_actor_splits_a_batch_by_chunk_and_returns_arrow() -> None:
    first, second = _columns([article(i) for i in range(3)]), _columns([article(4)], chunk=1, seq=3)
    batch = {name: first[name] + second[name] for name in first}
    table = ScoreActor(batch_size=8, classifier=FakeClassifier())(batch)
    assert table.schema == RESULT_SCHEMA
    assert table.column("chunk").to_pylist() == [0, 1]
    assert table.column("records").to_pylist() == [3, 1]
    assert read_ipc(table.column("record_rows")[1].as_py()).column("seq").to_pylist() == [3]


def test_actor_loads_its_classifier_once() -> None:
    loaded: list[str | None] = []

    def load(model: str | None) -> FakeClassifier:
        loaded.append(model)
        return FakeClassifier(name=f"fake:{model}")

    actor = ScoreActor(batch_size=4, load=load, model="m")
    for chunk in range(3):
        assert actor(_columns([article(chunk)], chunk=chunk, seq=chunk))["model"].to_pylist() == ["fake:m"]
    assert loaded == ["m"]


def test_batch_function_stops_on_a_broken_classifier() -> None:
    batch = _columns([{"id": f"x{i}", "text": "France BOOM."} for i in range(5)])
    with pytest.raises(RuntimeError, match="failed on all 5 articles of a chunk"):
        score_chunks(batch, FakeClassifier(), batch_size=2)


def test_ray_options_need_the_ray_engine(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"address \(--address\) need engine='ray'"):
        score(tmp_path, tmp_path / "out", classifier=FakeClassifier(), address="auto")
    with pytest.raises(ValueError, match=r"num_workers \(--num-workers\).*need engine='ray'"):
        score(tmp_path, tmp_path / "out", classifier=FakeClassifier(), num_workers=2)
    with pytest.raises(ValueError, match="num_workers must be a positive integer"):
        score(tmp_path, tmp_path / "out", engine="ray", num_workers=0)
    from inference.batch.cli import main

    assert main(["score", str(tmp_path), "--out", str(tmp_path / "o"), "--num-workers", "2"]) == 2


# --------------------------------------------------------------------------- on a local Ray instance


def _archive(path: Path, n: int = 120) -> int:
    """``n`` articles with the bad records of the messy archive mixed in, and a duplicate id;
    returns the number of records (every line is one)."""
    bad = [
        line
        for line, reason in messy_lines(big_chars=10)
        if reason is not None and reason not in ("classifier failed", "duplicate id")
    ]
    bad.append(json.dumps({"id": article(7)["id"], "text": "A later duplicate about Japan."}).encode())
    lines: list[bytes] = []
    for i in range(n):
        lines.append(json.dumps(article(i), ensure_ascii=False).encode())
        if i % 6 == 5 and bad:
            lines.append(bad.pop(0))
    lines += bad
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return len(lines)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import build_tiny_encoder
    from tests_helpers import plain_stance_model
    from transformers import AutoTokenizer

    root = tmp_path_factory.mktemp("ray-model")
    encoder_dir = build_tiny_encoder(root / "encoder")
    model = plain_stance_model(encoder_dir, text_prefix="query: ")
    tokenizer = AutoTokenizer.from_pretrained(encoder_dir)
    return model.save_pretrained(root / "model", tokenizer=tokenizer, encoder_format="full")


def _same_rows(a: list[dict], b: list[dict]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for name in x:
            if (
                name in (*PROB_COLUMNS, *DYAD_PROB_COLUMNS, "intensity")
                and x[name] is not None
                and y[name] is not None
            ):
                assert math.isclose(x[name], y[name], abs_tol=1e-6), (name, x, y)
            else:
                assert x[name] == y[name], (name, x, y)


@pytest.mark.ray
@pytest.mark.parametrize("layout", ["file", "folder"])
def test_ray_engine_matches_the_local_engine(tmp_path: Path, tiny_model: Path, layout: str) -> None:
    ray = pytest.importorskip("ray")
    src = tmp_path / "archive.jsonl"
    n_lines = _archive(src)
    common = {"model": str(tiny_model), "chunk_size": 16, "batch_size": 8, "progress": False}
    local = score(src, tmp_path / "local", **common)
    remote = score(src, tmp_path / "ray", engine="ray", num_workers=2, parquet_layout=layout, **common)
    assert not ray.is_initialized(), "the engine shuts down the Ray instance it started"

    assert local.read == n_lines
    for name in (
        "read",
        "scored",
        "failed",
        "rows",
        "article_rows",
        "no_country",
        "model",
        "model_info",
        "dates",
        "languages",
        "uncovered_languages",
        "options",
        "inputs",
    ):
        assert getattr(remote, name) == getattr(local, name), name
    assert local.model_info["weights_sha256"] and sum(local.dates.values()) == local.read - local.failed
    assert sum(local.languages.values()) == local.read - local.failed
    assert local.failed == n_lines - 120 and local.rows > 200
    assert "duplicate id" in (tmp_path / "ray" / "errors.jsonl").read_text()
    assert remote.engine == "ray" and remote.last_run["workers"] == 2
    assert remote.last_run["ray_address"] == "local"
    on_disk = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert on_disk["engine"] == "ray" and on_disk["complete"] is True
    assert (tmp_path / "ray" / "stances.parquet").is_dir() == (layout == "folder")
    assert pq.read_table(tmp_path / "local" / "dyads.parquet").num_rows > 0
    for name in ("stances.parquet", "articles.parquet", "dyads.parquet"):
        a = pq.read_table(tmp_path / "local" / name)
        b = pq.read_table(tmp_path / "ray" / name)
        assert a.schema == b.schema, name
        _same_rows(a.to_pylist(), b.to_pylist())
        provenance = read_parquet_provenance(tmp_path / "local" / name)
        assert provenance["model"] == local.model_info, name
        if layout == "file":
            assert read_parquet_provenance(tmp_path / "ray" / name) == provenance, name
        else:  # a folder of parts: each part says it
            for part in sorted((tmp_path / "ray" / name).glob("*.parquet")):
                assert read_parquet_provenance(part) == provenance, (name, part)
    assert (tmp_path / "ray" / "errors.jsonl").read_text() == (
        tmp_path / "local" / "errors.jsonl"
    ).read_text()
    assert not (tmp_path / "ray" / "_work").exists()
    assert not [p for p in (tmp_path / "ray").iterdir() if ".tmp-" in p.name]

    again = score(src, tmp_path / "ray", engine="ray", **common)  # complete: nothing to do, no Ray
    assert again.finished_at == remote.finished_at and again.last_run["records"] == 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q", "-m", "ray or not ray"]))
