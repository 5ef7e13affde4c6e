"""Issue 15 in the batch outputs: the language each article was read in, counted in the manifest
(those without a country table too); issue 16: progress advances with sentences inside one long record."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier

from inference.batch import score
from inference.batch.options import ScoreOptions

RECORDS = [
    {"id": "en1", "text": "France and Germany signed a trade deal on Monday."},
    {"id": "en2", "text": "Russia warned Ukraine again, officials said."},
    {"id": "en3", "text": "The weather was fine and nobody travelled."},  # no country
    {"id": "fr1", "text": "La France et l'Allemagne ont signé un accord commercial lundi."},
    {"id": "fr2", "text": "Les ministres de la Russie ont rencontré leurs homologues hier."},
    {"id": "ca1", "lang": "ca", "text": "France i Germany han signat un acord."},  # Catalan: no table
    {"id": "el1", "text": "Η Ελλάδα κατηγόρησε την Τουρκία για παραβίαση."},
    {"id": "xx1", "lang": "xx", "text": "France spoke."},  # not a language code
]


def _archive(path: Path) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_manifest_and_outputs_count_articles_per_language(tmp_path: Path) -> None:
    manifest = score(
        _archive(tmp_path / "a.jsonl"), tmp_path / "out", classifier=FakeClassifier(), progress=False
    )
    expected = {"ca": 1, "el": 1, "en": 3, "fr": 2}
    assert manifest.languages == expected and manifest.uncovered_languages == {"ca": 1}
    assert manifest.read == len(RECORDS) and manifest.failed == 1  # the bad hint only
    on_disk = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk["languages"] == expected and on_disk["uncovered_languages"] == {"ca": 1}
    (error,) = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert (
        error["id"] == "xx1" and "unknown language hint 'xx'" in error["reason"] and "'en'" in error["reason"]
    )
    language_of_id = {"en1": "en", "en2": "en", "fr1": "fr", "ca1": "ca"}  # the fake finds English names
    for name in ("articles.parquet", "stances.parquet"):
        rows = pq.read_table(tmp_path / "out" / name).to_pylist()
        assert {r["id"] for r in rows} == set(language_of_id), name
        for r in rows:
            assert r["language"] == language_of_id[r["id"]] and r["language_covered"] == (r["id"] != "ca1")
    assert pq.read_schema(tmp_path / "out" / "articles.parquet").field("language_covered").type == "bool"
    table = manifest.summary_table()
    assert re.search(r"languages \(articles\)\s+\|\s+en 3, fr 2, ca 1, el 1", table)
    assert re.search(r"without a country table\s+\|\s+ca 1", table)
    from inference.batch.api import report

    page = report(tmp_path / "out")["html"].read_text(encoding="utf-8")
    assert "<td>articles per language</td><td>en 3, fr 2, ca 1, el 1</td>" in page
    assert "<td>in languages without a country table</td><td>ca 1</td>" in page


def test_a_default_lang_that_is_no_code_fails_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"lang \(--lang\) 'english': unknown language hint"):
        ScoreOptions(inputs=(), out_dir=tmp_path, lang="english")
    with pytest.raises(ValueError, match="pass-through fields .*language"):
        ScoreOptions(inputs=(), out_dir=tmp_path, passthrough=("lang", "language"))


def test_progress_counts_sentences_inside_one_long_record(
    tiny_encoder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """One record, one chunk: the log advances with each encoder batch, not only at the end."""
    from tests_helpers import tiny_stance_model

    from inference.batch.local import run_local
    from inference.classifier import StanceClassifier

    model, tok = tiny_stance_model(tiny_encoder)
    clf = StanceClassifier(model, tok, name="tiny", batch_size=4)
    names = ["France", "Germany", "Russia", "Japan", "Brazil"]
    topics = ["trade", "water", "fishing", "energy", "borders", "visas", "grain", "debt"]
    text = " ".join(f"{names[i % 5]} spoke about {topics[i % 8]} again." for i in range(40))
    src = tmp_path / "long.jsonl"
    src.write_text(json.dumps({"id": "long", "text": text}) + "\n", encoding="utf-8")
    opts = ScoreOptions(inputs=(src,), out_dir=tmp_path / "out", progress=None, log_every_s=0.0)
    with caplog.at_level(logging.INFO, logger="inference.batch"):
        manifest = run_local(opts, clf, load=None)
    assert manifest.rows == 40 and clf.progress_hook is None  # the hook is removed again
    counts = [
        int(m[1].replace(",", ""))
        for r in caplog.records
        if (m := re.match(r"([\d,]+) sentences scored this run", r.getMessage()))
    ]
    assert counts == list(range(4, 41, 4))  # 10 batches of 4 sentences, one line each
    last = [r.getMessage() for r in caplog.records if "articles read this run" in r.getMessage()]
    assert last and "40 sentences" in last[-1]
