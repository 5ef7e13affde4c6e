"""The hand-written stance data (``data/stance/{dev,train}/*.jsonl``) is well formed.

Every line: JSON with the keys of ``data/README.md``; labels in the allowed sets; ``detail`` collapses
to ``gold``; ``sentiment`` keyed like ``gold``; ISO alpha-3 codes the project knows; ``lang`` matching
the file name; ids unique across all files; no text twice; no text shared between dev and train.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inference.countries.codes import COUNTRIES
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, STANCE_LABELS, stance_of

DATA = Path(__file__).resolve().parent.parent / "data" / "stance"
FILES = sorted(DATA.glob("*/*.jsonl"))
KEYS = {"id", "lang", "text", "gold", "detail", "sentiment", "tags"}
TAGS = {
    "metonymy",
    "two_stances",
    "negation",
    "reported_speech",
    "neutral_mention",
    "demonym",
    "inflection",
    "multi_country_adjective",
    "false_friend",
}


def _records(path: Path) -> list[tuple[int, dict]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{path}:{number}: empty line"
        rows.append((number, json.loads(line)))
    return rows


def _problems(path: Path, number: int, record: dict) -> list[str]:
    where = f"{path.relative_to(DATA)}:{number}"
    out = []
    if set(record) - KEYS or not {"id", "lang", "text", "gold", "detail", "sentiment"} <= set(record):
        out.append(f"{where}: keys {sorted(record)}; expected {sorted(KEYS)} (tags optional)")
        return out
    if record["lang"] != path.stem.split("-")[0]:
        out.append(f"{where}: lang {record['lang']!r} in file {path.name}")
    if not record["id"].startswith(record["lang"] + "-"):
        out.append(f"{where}: id {record['id']!r} does not start with {record['lang']}-")
    gold, detail, sentiment = record["gold"], record["detail"], record["sentiment"]
    if not (set(gold) == set(detail) == set(sentiment)):
        out.append(
            f"{where}: gold {sorted(gold)}, detail {sorted(detail)}, sentiment {sorted(sentiment)} differ"
        )
    for code, stance in gold.items():
        if code not in COUNTRIES:
            out.append(f"{where}: unknown country code {code!r}")
        if stance not in STANCE_LABELS:
            out.append(f"{where}: gold {code}={stance!r} not in {STANCE_LABELS}")
        if code in detail and (detail[code] not in DETAIL_LABELS or stance_of(detail[code]) != stance):
            out.append(f"{where}: detail {code}={detail[code]!r} does not collapse to gold {stance!r}")
        if code in sentiment and sentiment[code] not in SENTIMENT_LABELS:
            out.append(f"{where}: sentiment {code}={sentiment[code]!r} not in {SENTIMENT_LABELS}")
    bad_tags = set(record.get("tags", [])) - TAGS
    if bad_tags:
        out.append(f"{where}: unknown tags {sorted(bad_tags)}")
    return out


def test_there_is_data() -> None:
    assert len(FILES) >= 40


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_line_is_well_formed(path: Path) -> None:
    problems = [p for number, record in _records(path) for p in _problems(path, number, record)]
    assert problems == []


def test_ids_and_texts_are_unique_and_splits_disjoint() -> None:
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    problems = []
    for path in FILES:
        for number, record in _records(path):
            where = f"{path.relative_to(DATA)}:{number}"
            if record["id"] in ids:
                problems.append(f"{where}: id {record['id']!r} also at {ids[record['id']]}")
            ids.setdefault(record["id"], where)
            text = " ".join(record["text"].split())
            if text in texts:
                problems.append(f"{where}: text also at {texts[text]}")
            texts.setdefault(text, where)
    assert problems == []
