"""End-to-end tests of ``inference.batch.score`` (local engine) with a fake classifier."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, InterruptAfter, article, write_jsonl, write_messy

from inference.batch import Manifest, score
from inference.batch.journal import Journal


def rows(out: Path, name: str = "stances.parquet") -> list[dict]:
    return pq.read_table(out / name).to_pylist()


def errors(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text(encoding="utf-8").splitlines()]


def test_messy_archive_loses_nothing(tmp_path: Path) -> None:
    expected = write_messy(tmp_path / "messy.jsonl")
    out = tmp_path / "out"
    manifest = score(
        tmp_path / "messy.jsonl", out, classifier=FakeClassifier(), chunk_size=4, batch_size=3, progress=False
    )

    assert manifest.read == len(expected) == manifest.scored + manifest.failed
    failures = [(n, r) for n, r in expected if r is not None]
    assert manifest.failed == len(failures)
    found = errors(out)
    assert [e["line"] for e in found] == [n for n, _ in failures]
    for error, (_, reason) in zip(found, failures, strict=True):
        assert reason in error["reason"], (error, reason)
        assert error["source"] == str(tmp_path / "messy.jsonl")
    dup = next(e for e in found if "duplicate" in e["reason"])
    assert dup["id"] == "ok1" and "line 1" in dup["reason"]

    stances = rows(out)
    scored_ids = {"ok1", "nocountry", "7", "big", "ok2"}
    assert {r["id"] for r in stances} == scored_ids - {"nocountry"}
    assert manifest.no_country == 1
    big = [r for r in stances if r["id"] == "big"]
    assert len(big) > 100_000 and {r["country"] for r in big} == {"FRA", "DEU"}
    assert all(r["lang"] == "en" for r in big)
    first = next(r for r in stances if r["id"] == "ok1")
    assert first["date"] == date(2024, 1, 2) and first["date_raw"] is None and first["title"] == "t"
    assert first["sentence"][first["mentions"][0]["start"] : first["mentions"][0]["end"]] == "France"
    assert next(r for r in stances if r["id"] == "7")["title"] == "3.5"
    assert {"stance_p_cooperative", "detail_p_material_conflict", "sentiment_p_positive"} <= set(stances[0])

    articles = rows(out, "articles.parquet")
    assert manifest.article_rows == len(articles)
    for a in articles:
        assert a["n_sentences"] == a["n_cooperative"] + a["n_conflictual"] + a["n_neutral"]
        assert a["net"] == pytest.approx((a["n_cooperative"] - a["n_conflictual"]) / a["n_sentences"])
    on_disk = json.loads((out / "manifest.json").read_text())
    assert on_disk["read"] == on_disk["scored"] + on_disk["failed"] == manifest.read
    assert on_disk["model"] == "fake-v1" and on_disk["complete"] is True
    assert not (out / "_work").exists()
    assert not [p for p in out.iterdir() if ".tmp-" in p.name]


def test_empty_text_and_too_long_are_errors(tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "a.jsonl", [{"id": "1", "text": "France " * 20}, {"id": "2", "text": "Russia."}]
    )
    manifest = score(src, tmp_path / "out", classifier=FakeClassifier(), max_chars=50, progress=False)
    assert (manifest.scored, manifest.failed) == (1, 1)
    assert "text too long: 140 characters > max_chars 50" in errors(tmp_path / "out")[0]["reason"]


def test_long_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    with open(src, "wb") as fh:
        fh.write(b'{"id": "long", "text": "' + b"x" * 3_000_000 + b'"}\n')
        fh.write(json.dumps({"id": "after", "text": "France."}).encode() + b"\n")
    manifest = score(src, tmp_path / "out", classifier=FakeClassifier(), max_chars=100_000, progress=False)
    assert (manifest.read, manifest.scored, manifest.failed) == (2, 1, 1)
    assert "longer than" in errors(tmp_path / "out")[0]["reason"]


def test_duplicate_ids_across_files_and_chunks(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(10)])
    b = write_jsonl(tmp_path / "b.jsonl", [article(i) for i in range(5, 12)])
    manifest = score([a, b], tmp_path / "out", classifier=FakeClassifier(), chunk_size=3, progress=False)
    assert (manifest.read, manifest.scored, manifest.failed) == (17, 12, 5)
    dups = errors(tmp_path / "out")
    assert [e["id"] for e in dups] == [f"a{i:05d}" for i in range(5, 10)]
    assert all(e["source"] == str(b) and "first seen in" in e["reason"] for e in dups)


def reference_run(src: Path, out: Path, **kwargs) -> list[dict]:
    score(src, out, classifier=FakeClassifier(), progress=False, **kwargs)
    return rows(out)


def test_resume_after_interrupt_equals_uninterrupted(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(60)] + [article(3)])
    expected = reference_run(src, tmp_path / "ref", chunk_size=7, batch_size=4)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        score(src, out, classifier=InterruptAfter(5), chunk_size=7, batch_size=4, progress=False)
    journal = Journal(out / "_work" / "journal.sqlite")
    assert len(journal.chunks()) == 2  # 5 calls of 4 articles: chunks 0 and 1 committed
    journal.close()
    assert not (out / "manifest.json").exists()
    manifest = score(src, out, classifier=FakeClassifier(), chunk_size=7, batch_size=4, progress=False)
    assert manifest.runs == 2 and manifest.last_run["records"] == 61 - 14
    assert (manifest.read, manifest.failed) == (61, 1)
    assert rows(out) == expected
    assert rows(out, "articles.parquet") == rows(tmp_path / "ref", "articles.parquet")
    assert rows(out, "dyads.parquet") == rows(tmp_path / "ref", "dyads.parquet")
    assert errors(out) == errors(tmp_path / "ref")


def test_resume_when_parts_written_but_not_committed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(30)])
    expected = reference_run(src, tmp_path / "ref", chunk_size=4)
    calls = {"n": 0}
    original = Journal.commit

    def crash_on_third(self, entry, ids):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("simulated crash after writing parts")
        return original(self, entry, ids)

    monkeypatch.setattr(Journal, "commit", crash_on_third)
    with pytest.raises(SystemExit):
        score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=4, progress=False)
    monkeypatch.setattr(Journal, "commit", original)
    score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=4, progress=False)
    assert rows(tmp_path / "out") == expected


def test_resume_refuses_other_inputs_or_model_and_overwrite_restarts(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(20)])
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        score(src, out, classifier=InterruptAfter(1), chunk_size=5, batch_size=5, progress=False)
    with pytest.raises(RuntimeError, match=r"model was 'fake-v1', now 'other'.*--overwrite"):
        score(src, out, classifier=FakeClassifier(name="other"), chunk_size=5, progress=False)
    with pytest.raises(RuntimeError, match=r"lang.*--overwrite"):
        score(src, out, classifier=FakeClassifier(), lang="fr", progress=False)
    with open(src, "a") as fh:
        fh.write(json.dumps(article(99)) + "\n")
    with pytest.raises(RuntimeError, match="input files changed"):
        score(src, out, classifier=FakeClassifier(), chunk_size=5, progress=False)
    manifest = score(src, out, classifier=FakeClassifier(), chunk_size=5, overwrite=True, progress=False)
    assert manifest.read == 21 and manifest.runs == 1


def test_complete_run_is_not_redone(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(5)])
    first = score(src, tmp_path / "out", classifier=FakeClassifier(), progress=False)
    fake = FakeClassifier()
    again = score(src, tmp_path / "out", classifier=fake, progress=False)
    assert fake.calls == 0 and again.last_run == {"records": 0, "scored": 0, "elapsed_s": 0.0}
    assert dataclasses.replace(again, last_run=first.last_run) == first
    assert "nothing to do (already complete)" in again.summary_table()
    assert Manifest.load(tmp_path / "out" / "manifest.json") == first
    with pytest.raises(RuntimeError, match="another run|other inputs"):
        score(src, tmp_path / "out", classifier=FakeClassifier(name="v2"), progress=False)


def test_classifier_broken_on_everything_stops_the_run(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": str(i), "text": f"BOOM {i}"} for i in range(8)])
    with pytest.raises(RuntimeError, match="classifier failed on all 8 articles"):
        score(src, tmp_path / "out", classifier=FakeClassifier(), progress=False)


def test_bad_arguments_name_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(0)])
    with pytest.raises(ValueError, match="does not exist"):
        score(tmp_path / "missing.jsonl", tmp_path / "out", classifier=FakeClassifier())
    with pytest.raises(ValueError, match="unknown engine 'spark'"):
        score(src, tmp_path / "out", classifier=FakeClassifier(), engine="spark")
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=0)
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the ray extra were not installed
    with pytest.raises(RuntimeError, match="engine 'ray' is not available.*--engine local"):
        score(src, tmp_path / "out", classifier=FakeClassifier(), engine="ray")


def test_missing_loader_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import inference.batch.api as api

    monkeypatch.setattr(importlib, "import_module", lambda name: object())
    with pytest.raises(RuntimeError, match="load_classifier is not available.*pass classifier="):
        api.load_classifier(None)


def test_cli_score_and_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import inference.batch.api as api
    from inference.batch.cli import main

    monkeypatch.setattr(api, "load_classifier", lambda model: FakeClassifier(name=f"fake:{model}"))
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(12)] + [{"id": "x", "text": ""}])
    out = tmp_path / "out"
    code = main(
        [
            "score",
            str(src),
            "--out",
            str(out),
            "--model",
            "m1",
            "--lang",
            "de",
            "--chunk-size",
            "5",
            "--no-progress",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "read" in printed and "failed (errors.jsonl)" in printed and "fake:m1" in printed
    manifest = Manifest.load(out / "manifest.json")
    assert (manifest.read, manifest.scored, manifest.failed) == (13, 12, 1)
    assert manifest.options["lang"] == "de"
    code = main(["score", str(src), "--out", str(out), "--model", "m2"])
    assert code == 2 and "--overwrite" in capsys.readouterr().err


def test_precision_reaches_the_loader_and_a_bad_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    import inference.batch.api as api
    from inference.batch.cli import main
    from inference.batch.options import PRECISIONS
    from inference.classifier import PRECISIONS as CPU_PRECISIONS
    from inference.devices import PRECISIONS as ACCELERATOR_PRECISIONS

    # the batch options list them without importing torch
    assert set(PRECISIONS) == set(CPU_PRECISIONS) | set(ACCELERATOR_PRECISIONS)
    asked = []
    monkeypatch.setattr(api, "load_classifier", lambda model, **kw: asked.append(kw) or FakeClassifier())
    src = write_jsonl(tmp_path / "a.jsonl", [article(0)])
    assert (
        main(["score", str(src), "--out", str(tmp_path / "a"), "--precision", "int8", "--no-progress"]) == 0
    )
    assert main(["score", str(src), "--out", str(tmp_path / "b"), "--no-progress"]) == 0
    assert asked == [{"precision": "int8"}, {}]  # the default leaves the loader's own default
    assert Manifest.load(tmp_path / "a" / "manifest.json").options["precision"] == "int8"
    assert "precision" not in Manifest.load(tmp_path / "b" / "manifest.json").options
    code = main(["score", str(src), "--out", str(tmp_path / "a"), "--precision", "fp32", "--no-progress"])
    assert code == 2 and "--overwrite" in capsys.readouterr().err  # a resume keeps its precision
    with pytest.raises(ValueError, match="unknown precision 'int4'.*'int8'"):
        score(src, tmp_path / "c", classifier=FakeClassifier(), precision="int4")


def test_lock_refuses_a_second_writer(tmp_path: Path) -> None:
    import fcntl

    src = write_jsonl(tmp_path / "a.jsonl", [article(0)])
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another run is writing"):
            score(src, out, classifier=FakeClassifier(), progress=False)
    finally:
        os.close(fd)


def test_resume_keeps_the_first_runs_chunk_and_batch_sizes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(30)])
    expected = reference_run(src, tmp_path / "ref", chunk_size=6, batch_size=3)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        score(src, out, classifier=InterruptAfter(3), chunk_size=6, batch_size=3, progress=False)
    fake = FakeClassifier()
    with caplog.at_level("WARNING", logger="inference.batch"):
        score(src, out, classifier=fake, chunk_size=100, batch_size=100, progress=False)
    assert "sizes of the first run" in caplog.text
    assert fake.calls == (30 - 6) // 3 and rows(out) == expected


def test_crash_during_merge_is_redone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import inference.batch.local as local

    src = write_jsonl(tmp_path / "a.jsonl", [article(i) for i in range(20)] + [{"id": "x"}])
    expected = reference_run(src, tmp_path / "ref", chunk_size=6)
    original = local.merge_errors

    def crash(*args, **kwargs):
        raise SystemExit("killed while merging")

    monkeypatch.setattr(local, "merge_errors", crash)
    with pytest.raises(SystemExit):
        score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=6, progress=False)
    assert (tmp_path / "out" / "stances.parquet").exists() and not (
        tmp_path / "out" / "manifest.json"
    ).exists()
    monkeypatch.setattr(local, "merge_errors", original)
    fake = FakeClassifier()
    manifest = score(src, tmp_path / "out", classifier=fake, chunk_size=6, progress=False)
    assert fake.calls == 0 and manifest.read == 21 and manifest.failed == 1
    assert rows(tmp_path / "out") == expected and errors(tmp_path / "out") == errors(tmp_path / "ref")


def test_progress_log_lines_when_not_a_tty(caplog: pytest.LogCaptureFixture) -> None:
    from inference.batch.progress import Progress

    progress = Progress(1000, enabled=None, log_every_s=0.0)
    with caplog.at_level("INFO", logger="inference.batch"):
        progress.update(10, 1, 250)
        progress.close()
    assert "10 articles read this run" in caplog.text and "25% of input, ETA" in caplog.text
    silent = Progress(1000, enabled=False, log_every_s=0.0)
    caplog.clear()
    with caplog.at_level("INFO", logger="inference.batch"):
        silent.update(10, 1, 250)
    assert caplog.text == ""
