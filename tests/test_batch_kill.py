"""Kill -9 a scoring process mid-run (twice), resume, and get exactly the rows of an uninterrupted run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch import score

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from conftest_batch import FakeClassifier
from inference.batch import score
score(sys.argv[1], sys.argv[2], classifier=FakeClassifier(delay=float(sys.argv[3])), chunk_size=20, batch_size=8,
      progress=False)
"""


def archive(path: Path) -> Path:
    records: list[dict] = []
    for i in range(400):
        records.append(article(i))
        if i % 50 == 10:
            records.append({"id": f"a{i - 5:05d}", "text": "A duplicate about France."})
        if i % 60 == 7:
            records.append({"id": f"e{i}", "text": "  "})
    write_jsonl(path, records)
    with open(path, "ab") as fh:
        fh.write(b"{broken json\n\xff\xfe junk\n")
    return path


def start(script: Path, src: Path, out: Path, delay: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, str(script), str(src), str(out), str(delay)], env=env, cwd=ROOT)


def kill_after_chunk(proc: subprocess.Popen, out: Path, chunk: int) -> None:
    marker = out / "_work" / "parts" / f"records-{chunk:06d}.parquet"
    deadline = time.monotonic() + 20
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"scorer exited early with code {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("scorer made no progress")
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def read(out: Path) -> tuple[list, list, list, dict, list]:
    stances = pq.read_table(out / "stances.parquet").to_pylist()
    dyads = pq.read_table(out / "dyads.parquet").to_pylist()
    articles = pq.read_table(out / "articles.parquet").to_pylist()
    errors = (out / "errors.jsonl").read_text().splitlines()
    manifest = json.loads((out / "manifest.json").read_text())
    counts = {k: manifest[k] for k in ("read", "scored", "failed", "rows", "article_rows", "no_country")}
    return stances, articles, errors, counts, dyads


def test_sigkill_and_resume_gives_identical_rows(tmp_path: Path) -> None:
    src = archive(tmp_path / "archive.jsonl")
    ref = tmp_path / "ref"
    score(src, ref, classifier=FakeClassifier(), chunk_size=20, batch_size=8, progress=False)
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent)))
    out = tmp_path / "out"

    kill_after_chunk(start(script, src, out, 0.004), out, 3)
    assert not (out / "manifest.json").exists()
    kill_after_chunk(start(script, src, out, 0.004), out, 9)
    assert not (out / "manifest.json").exists()
    resumed = start(script, src, out, 0.0)
    assert resumed.wait(timeout=60) == 0

    expected, got = read(ref), read(out)
    assert got[3] == expected[3]
    assert got[3]["read"] == got[3]["scored"] + got[3]["failed"] == 400 + 8 + 7 + 2
    assert got[0] == expected[0]
    assert got[1] == expected[1]
    assert got[2] == expected[2]
    assert got[4] == expected[4] and len(got[4]) > 100  # the dyads too
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["runs"] == 3 and manifest["last_run"]["records"] < manifest["read"]
    assert not (out / "_work").exists()
