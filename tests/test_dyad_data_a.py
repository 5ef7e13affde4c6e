"""Checks every line of ``data/dyads/{train,dev}/<lang>.jsonl`` (skips when the folder is absent).

Offline and fast: reads JSON only. Each line is the ``data/stance`` format plus ``dyads``:
directed (source, target, detail) pairs over the countries in ``gold``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
DYADS = DATA / "dyads"
DETAIL_TO_GOLD = {
    "verbal_cooperation": "cooperative",
    "material_cooperation": "cooperative",
    "verbal_conflict": "conflictual",
    "material_conflict": "conflictual",
    "neutral": "neutral",
}
SENTIMENTS = {"positive", "neutral", "negative"}
REQUIRED = {"id", "lang", "text", "gold", "detail", "sentiment", "dyads"}
OPTIONAL = {"tags"}
CODE = re.compile(r"^[A-Z]{3}$")
SPLIT_ID = {"dev": "d", "train": "dt"}

FILES = sorted(DYADS.glob("*/*.jsonl")) if DYADS.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason="no data/dyads/*/*.jsonl in this checkout")


def _records(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as err:  # pragma: no cover - reported as a failure
            pytest.fail(f"{path.name}:{n}: not JSON ({err}); fix the line")
    return out


def _line_errors(rec: dict, split: str, lang: str) -> list[str]:
    errs = []
    keys = set(rec)
    if not keys >= REQUIRED or keys - REQUIRED - OPTIONAL:
        missing, extra = sorted(REQUIRED - keys), sorted(keys - REQUIRED - OPTIONAL)
        return [f"keys: missing {missing}, unexpected {extra}"]
    if rec["lang"] != lang:
        errs.append(f"lang {rec['lang']!r} in file for {lang!r}")
    if not re.fullmatch(rf"{re.escape(lang)}-{SPLIT_ID[split]}-\d{{4}}", rec["id"]):
        errs.append(f"id {rec['id']!r}: expected {lang}-{SPLIT_ID[split]}-NNNN in {split}")
    if not isinstance(rec["text"], str) or not rec["text"].strip():
        errs.append("empty text")
    gold, detail, sentiment = rec["gold"], rec["detail"], rec["sentiment"]
    if not (set(gold) == set(detail) == set(sentiment)):
        errs.append(f"gold/detail/sentiment keys differ: {sorted(gold)} {sorted(detail)} {sorted(sentiment)}")
    for country in gold:
        if not CODE.match(country):
            errs.append(f"country {country!r} is not an ISO alpha-3 code")
        d = detail.get(country)
        if d not in DETAIL_TO_GOLD:
            errs.append(f"{country}: detail {d!r} not in {sorted(DETAIL_TO_GOLD)}")
        elif DETAIL_TO_GOLD[d] != gold[country]:
            errs.append(
                f"{country}: detail {d!r} collapses to {DETAIL_TO_GOLD[d]!r}, gold says {gold[country]!r}"
            )
        if sentiment.get(country) not in SENTIMENTS:
            errs.append(f"{country}: sentiment {sentiment.get(country)!r} not in {sorted(SENTIMENTS)}")
    seen: set[tuple[str, str]] = set()
    details_of: dict[str, set[str]] = {}
    for dyad in rec["dyads"]:
        if set(dyad) != {"source", "target", "detail"}:
            errs.append(f"dyad keys {sorted(dyad)}: expected source, target, detail")
            continue
        s, t, d = dyad["source"], dyad["target"], dyad["detail"]
        if s not in gold or t not in gold:
            errs.append(f"dyad {s}->{t}: endpoints must be keys of gold {sorted(gold)}")
        if s == t:
            errs.append(f"dyad {s}->{t}: source and target must differ")
        if d not in DETAIL_TO_GOLD:
            errs.append(f"dyad {s}->{t}: detail {d!r} not in {sorted(DETAIL_TO_GOLD)}")
        if (s, t) in seen:
            errs.append(f"dyad {s}->{t} listed twice; keep one label per ordered pair")
        seen.add((s, t))
        details_of.setdefault(s, set()).add(d)
        details_of.setdefault(t, set()).add(d)
    for country, ds in details_of.items():
        if country in detail and detail[country] not in ds:
            errs.append(f"{country}: detail {detail[country]!r} is none of its dyads' details {sorted(ds)}")
    return errs


def test_every_line_is_valid():
    errors = []
    for path in FILES:
        split, lang = path.parent.name, path.stem
        if split not in SPLIT_ID:
            errors.append(f"{path}: split folder must be one of {sorted(SPLIT_ID)}")
            continue
        for rec in _records(path):
            for err in _line_errors(rec, split, lang):
                errors.append(f"{path.parent.name}/{path.name} {rec.get('id')}: {err}")
    assert not errors, "\n".join(errors[:50])


def test_ids_and_texts_unique_and_apart_from_stance_data():
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    errors = []
    for path in FILES:
        for rec in _records(path):
            where = f"{path.parent.name}/{path.name}"
            if rec.get("id") in ids:
                errors.append(f"id {rec['id']} in {where} and {ids[rec['id']]}")
            ids[rec.get("id")] = where
            key = " ".join(str(rec.get("text", "")).split()).casefold()
            if key in texts:
                errors.append(f"text of {rec.get('id')} ({where}) repeats {texts[key]}")
            texts[key] = f"{rec.get('id')} ({where})"
    for path in sorted((DATA / "stance").glob("*/*.jsonl")):
        for rec in _records(path):
            key = " ".join(str(rec.get("text", "")).split()).casefold()
            if key in texts:
                errors.append(f"text of {texts[key]} repeats data/stance {rec.get('id')}")
    assert not errors, "\n".join(errors[:50])


def test_each_file_has_sentences_with_dyads():
    empty = [str(p) for p in FILES if not any(r["dyads"] for r in _records(p))]
    assert not empty, f"files without a single dyad: {empty}"
