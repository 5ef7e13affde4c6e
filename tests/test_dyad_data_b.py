"""Validate the hand-written dyad data in data/dyads/ (format, labels, dyad/stance agreement, splits)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
DYADS = DATA / "dyads"
KEYS = {"id", "lang", "text", "gold", "detail", "sentiment", "tags", "dyads"}
STANCE = {
    "verbal_cooperation": "cooperative",
    "material_cooperation": "cooperative",
    "verbal_conflict": "conflictual",
    "material_conflict": "conflictual",
    "neutral": "neutral",
}
SENTIMENTS = {"positive", "neutral", "negative"}
FILES = sorted(DYADS.glob("*/*.jsonl")) if DYADS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason="data/dyads/ is absent")


def _rows(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                pytest.fail(f"{path.name}:{n}: not JSON ({exc})")
    return rows


def row_problems(row: dict, lang: str, split: str) -> list[str]:
    """Every way one row breaks the format of data/README.md plus `dyads`; empty when it is valid."""
    if set(row) != KEYS:
        return [f"keys {sorted(row)}, expected {sorted(KEYS)}"]
    out = []
    prefix = f"{lang}-d-" if split == "dev" else f"{lang}-dt-"
    if row["lang"] != lang or not row["id"].startswith(prefix):
        out.append(f"id {row['id']!r} / lang {row['lang']!r} do not match {prefix}")
    gold, detail, sentiment = row["gold"], row["detail"], row["sentiment"]
    if not gold or not (set(gold) == set(detail) == set(sentiment)):
        out.append(f"gold/detail/sentiment keys differ: {sorted(gold)} {sorted(detail)} {sorted(sentiment)}")
    for c in gold:
        if len(c) != 3 or not c.isupper():
            out.append(f"country {c!r} is not an alpha-3 code")
        if detail.get(c) not in STANCE or STANCE[detail[c]] != gold[c]:
            out.append(f"{c}: detail {detail.get(c)!r} does not collapse to gold {gold[c]!r}")
        if sentiment.get(c) not in SENTIMENTS:
            out.append(f"{c}: sentiment {sentiment.get(c)!r} not in {sorted(SENTIMENTS)}")
    pairs = [(d.get("source"), d.get("target")) for d in row["dyads"]]
    for pair, n in Counter(pairs).items():
        if n > 1:
            out.append(f"ordered pair {pair} listed {n} times")
    stances: dict[str, set[str]] = {}
    for d in row["dyads"]:
        s, t, det = d.get("source"), d.get("target"), d.get("detail")
        if set(d) != {"source", "target", "detail"}:
            out.append(f"dyad keys {sorted(d)}")
        if s not in gold or t not in gold or s == t:
            out.append(f"dyad {s}->{t}: endpoints must be two different keys of gold")
        if det not in STANCE:
            out.append(f"dyad {s}->{t}: detail {det!r} not in {sorted(STANCE)}")
            continue
        for c in (s, t):
            stances.setdefault(c, set()).add(STANCE[det])
    for c, st in stances.items():
        if c in gold and gold[c] not in st and st != {"neutral"}:
            out.append(f"{c}: gold {gold[c]!r} agrees with none of its dyads {sorted(st)}")
        if c in gold and gold[c] == "neutral" and st - {"neutral"}:
            out.append(f"{c}: gold neutral but in a {sorted(st - {'neutral'})} dyad")
    return out


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_rows_are_valid(path: Path) -> None:
    problems = [
        f"{row.get('id')}: {p}" for row in _rows(path) for p in row_problems(row, path.stem, path.parent.name)
    ]
    assert not problems, "\n".join(problems)


def test_ids_unique_and_no_text_shared_across_splits_or_with_stance() -> None:
    ids, texts = Counter(), Counter()
    for path in FILES:
        for row in _rows(path):
            ids[row["id"]] += 1
            texts[(row["lang"], row["text"].strip())] += 1
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []
    stance_texts = {
        (r["lang"], r["text"].strip()) for p in (DATA / "stance").glob("*/*.jsonl") for r in _rows(p)
    }
    assert sorted(set(texts) & stance_texts) == []


def test_checker_catches_a_broken_row() -> None:
    row = {
        "id": "xx-d-0001",
        "lang": "xx",
        "text": "Britain and France warned Russia.",
        "gold": {"GBR": "conflictual", "FRA": "neutral", "RUS": "conflictual"},
        "detail": {"GBR": "verbal_conflict", "FRA": "neutral", "RUS": "verbal_conflict"},
        "sentiment": {"GBR": "neutral", "FRA": "neutral", "RUS": "negative"},
        "tags": [],
        "dyads": [
            {"source": "GBR", "target": "RUS", "detail": "verbal_conflict"},
            {"source": "FRA", "target": "RUS", "detail": "verbal_conflict"},
            {"source": "GBR", "target": "RUS", "detail": "verbal_conflict"},
            {"source": "GBR", "target": "GBR", "detail": "hostile"},
        ],
    }
    problems = "\n".join(row_problems(row, "xx", "dev"))
    assert "listed 2 times" in problems
    assert "two different keys" in problems
    assert "'hostile'" in problems
    assert "FRA: gold neutral" in problems
    row_ok = {**row, "dyads": row["dyads"][:1], "gold": {**row["gold"]}}
    assert row_problems(row_ok, "xx", "dev") == []
