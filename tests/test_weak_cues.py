"""benchmarks/weak_cues.py and its data: every record well formed, the finder finds exactly its gold countries."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.weak_cues import DATA, hits, main, read_items, read_pairs, select
from inference import find_countries
from inference.labels import STANCE_LABELS


def test_every_record_names_its_countries_and_has_both_forms() -> None:
    items = read_items(DATA)
    assert len(items) == 56 and len({r["id"] for r in items}) == 56
    for record in items:
        assert set(record["gold"].values()) <= set(STANCE_LABELS)
        found = {m.country for m in find_countries(record["text"], lang=record["lang"])}
        assert found == set(record["gold"]), record["id"]
    pairs = {(r["lang"], r["cue"], r["form"]) for r in items}
    assert all((lang, cue, "short") in pairs for lang, cue, form in pairs if form == "long")


class Reader:
    """Reads every country conflictual, except neutral in texts longer than ``limit`` characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def classify_many(self, texts: list[str], lang: list[str]) -> list[list[SimpleNamespace]]:
        out = []
        for text, code in zip(texts, lang, strict=True):
            stance = "neutral" if len(text) > self.limit else "conflictual"
            out.append(
                [SimpleNamespace(country=m.country, stance=stance) for m in find_countries(text, lang=code)]
            )
        return out


def test_hits_are_counted_per_form_and_cue() -> None:
    items = read_items(DATA)
    by_id = hits(read_pairs(Reader(limit=200), items))
    short, long_ = select(items, by_id, form="short"), select(items, by_id, form="long")
    assert len(short) == len(long_) == 56
    assert sum(long_) == 0  # every long text read neutral
    assert sum(short) == 50  # all but praise (en, pt, uk), which wants cooperative for both countries
    assert select(items, by_id, cue="praise", form="short") == [False] * 6
    assert (
        len(select(items, by_id, form="long", batch=1)) == 24
    )  # batch 1 has no field; read_items gives it one


def test_read_pairs_names_each_miss_with_its_reading() -> None:
    items = read_items(DATA)
    read = read_pairs(Reader(limit=200), items)
    misses = {(rid, c, want, got) for rid, pairs in read.items() for c, want, got in pairs if want != got}
    praise_short = [r for r in items if r["cue"] == "praise" and r["form"] == "short"]
    for record in praise_short:
        for country in record["gold"]:
            assert (record["id"], country, "cooperative", "conflictual") in misses
    assert len(misses) == 56 + 2 * len(praise_short)  # every long pair, and both sides of each short praise


def test_bad_records_and_paths_are_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "lang": "en", "cue": "warn", "form": "medium", "text": "t", "gold": {}}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: form 'medium'"):
        read_items(bad)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--data", str(tmp_path / "none.jsonl")])
    assert "none.jsonl: no such file" in capsys.readouterr().err
