"""``dyads.parquet`` and the per-article dyad counts of ``diplostance score`` (local engine, fake classifier)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest_batch import FakeClassifier, article, write_jsonl

from inference.batch import score
from inference.batch.core import score_batch
from inference.batch.dyads import DYAD_PROB_COLUMNS, dyad_schema, empty_dyads
from inference.batch.options import ScoreOptions


class NoDyads(FakeClassifier):
    has_dyads = False


# The default output columns: lang, language, language_covered, date, date_raw, title.
FIELDS = ScoreOptions(inputs=(), out_dir=Path(".")).output_fields


def _archive(path: Path, n: int = 40) -> Path:
    return write_jsonl(path, [article(i) for i in range(n)])


def test_dyad_rows_are_the_classifiers_one_article_at_a_time(tmp_path: Path) -> None:
    src = _archive(tmp_path / "a.jsonl")
    score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=7, batch_size=3, progress=False)
    table = pq.read_table(tmp_path / "out" / "dyads.parquet")
    assert table.schema == dyad_schema(FIELDS)
    got = table.to_pylist()
    clf = FakeClassifier()
    expected = []
    for record in (article(i) for i in range(40)):
        for d in clf.analyse_many([record["text"]])[1][0]:
            when = date.fromisoformat(record["date"])  # the date column is a date
            expected.append((record["id"], when, d.sentence_index, d.source, d.target, d.detail))
    assert [
        (r["id"], r["date"], r["sentence_index"], r["source_country"], r["target_country"], r["detail"])
        for r in got
    ] == expected
    assert len(got) > 10 and {r["source_country"] for r in got} > {"FRA"}
    for row in got:  # offsets into the article, probabilities of the pair head
        text = next(a["text"] for a in (article(i) for i in range(40)) if a["id"] == row["id"])
        assert text[row["start"] : row["end"]] == row["sentence"]
        assert all(text[m["start"] : m["end"]] for m in row["source_mentions"] + row["target_mentions"])
        assert row["pair_p_none"] < 0.5 and abs(sum(row[c] for c in DYAD_PROB_COLUMNS) - 1) < 1e-3
    # one chunk of one article at a time gives the same file
    score(src, tmp_path / "one", classifier=FakeClassifier(), chunk_size=1, batch_size=1, progress=False)
    assert pq.read_table(tmp_path / "one" / "dyads.parquet").to_pylist() == got


def test_articles_count_dyads_per_country(tmp_path: Path) -> None:
    src = _archive(tmp_path / "a.jsonl")
    score(src, tmp_path / "out", classifier=FakeClassifier(), chunk_size=7, batch_size=3, progress=False)
    dyads = pq.read_table(tmp_path / "out" / "dyads.parquet").to_pylist()
    articles = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    as_source = Counter((d["id"], d["source_country"]) for d in dyads)
    as_target = Counter((d["id"], d["target_country"]) for d in dyads)
    for a in articles:
        assert a["n_dyads_source"] == as_source[(a["id"], a["country"])]
        assert a["n_dyads_target"] == as_target[(a["id"], a["country"])]
    assert sum(a["n_dyads_source"] for a in articles) == len(dyads) > 0


def test_a_classifier_without_dyads_writes_an_empty_dyads_file(tmp_path: Path) -> None:
    src = _archive(tmp_path / "a.jsonl", 10)
    manifest = score(src, tmp_path / "out", classifier=NoDyads(), chunk_size=4, batch_size=2, progress=False)
    table = pq.read_table(tmp_path / "out" / "dyads.parquet")
    assert table.num_rows == 0 and table.schema == dyad_schema(FIELDS)
    assert manifest.outputs["dyads.parquet"].endswith("dyads.parquet") and manifest.rows > 0
    articles = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert {(a["n_dyads_source"], a["n_dyads_target"]) for a in articles} == {(0, 0)}


def test_score_batch_adds_dyads_only_when_the_classifier_succeeds() -> None:
    texts = [article(i)["text"] for i in range(12)]
    batch = {"id": [f"a{i}" for i in range(12)], "text": texts, "lang": ["en"] * 12}
    found = empty_dyads(["lang"])
    with pytest.raises(ValueError, match="cannot read 'BOOM'"):
        score_batch({**batch, "text": [*texts[:-1], "BOOM " + texts[-1]]}, FakeClassifier(), found)
    assert found["id"] == []  # the classifier failed: nothing was added
    score_batch(batch, FakeClassifier(), found)
    expected = FakeClassifier().analyse_many(texts)[1]
    assert found["id"] == [f"a{i}" for i, dyads in enumerate(expected) for _ in dyads] and found["id"]


def test_report_draws_the_directed_matrix_and_dyads_over_time(tmp_path: Path) -> None:
    from inference.batch.api import report  # (inference.batch.report is also the module)
    from inference.batch.report_dyads import _series, tally_dyads

    src = _archive(tmp_path / "a.jsonl", 80)
    out = tmp_path / "out"
    score(src, out, classifier=FakeClassifier(), progress=False)
    paths = report(out, top=5)
    png = paths["dyads_png"].read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
    page = paths["html"].read_text(encoding="utf-8")
    assert "<h2>Directed dyads (" in page and " → " in page
    dyads = pq.read_table(out / "dyads.parquet").to_pylist()
    t = tally_dyads(out / "dyads.parquet")
    assert t.rows == len(dyads)
    counted = Counter((d["source_country"], d["target_country"]) for d in dyads)
    assert {pair: int(sum(v[:3])) for pair, v in t.pairs.items()} == dict(counted)
    top = t.top_pairs(3)
    assert [counted[p] for p in top] == sorted(counted.values(), reverse=True)[:3]
    unit, series = _series(t, top)
    assert unit == "month" and set(series) == set(top)  # January to March: months
    for pair, points in series.items():  # the mean intensity of the pair's dyads in each month
        assert [month for month, _, _ in points] == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
        for month, value, n in points:
            values = [
                d["intensity"]
                for d in dyads
                if (d["source_country"], d["target_country"]) == pair
                and (d["date"].year, d["date"].month) == (2024, month.month)
            ]
            assert n == len(values)  # the number drawn on the point
            if not values:  # a month without this pair: a gap, not a line across it
                assert value is None
                continue
            assert value == pytest.approx(sum(values) / len(values), abs=1e-4) and -10 <= value <= 10


def test_report_of_a_run_without_dyads_says_so(tmp_path: Path) -> None:
    from inference.batch.api import report

    src = _archive(tmp_path / "a.jsonl", 10)
    score(src, tmp_path / "out", classifier=NoDyads(), progress=False)
    paths = report(tmp_path / "out", top=5)
    assert paths["dyads_png"].read_bytes().startswith(b"\x89PNG")
    page = paths["html"].read_text(encoding="utf-8")
    assert "<h2>Directed dyads (0)</h2>" in page and "None here: no sentence read as" in page
    # a model whose heads (provenance in the manifest) have no pair head: the page says so
    manifest_path = tmp_path / "out" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["model_info"]["heads"] = ["detail", "sentence_detail", "sentiment"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    page = report(tmp_path / "out", top=5)["html"].read_text(encoding="utf-8")
    assert "None here: the model has no pair head, so it reads no dyads." in page
