"""benchmarks/plover_events.py and its data: every record labelled as its event type says, the finder finds exactly
its two countries, and the counts follow the readings."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.plover_events import DATA, EVENT_DETAIL, SYMMETRIC, main, read_items
from benchmarks.written_checks import counts, read_records
from inference import find_countries
from inference.labels import DETAIL_TO_STANCE


def test_every_record_is_labelled_as_its_event_type_says() -> None:
    items = read_items(DATA)
    assert len({r["id"] for r in items}) == len(items)
    langs = Counter(r["lang"] for r in items)
    assert all(n == len(EVENT_DETAIL) for n in langs.values()), langs  # every event type once per language
    for record in items:
        detail = EVENT_DETAIL[record["event"]]
        assert len(record["gold"]) == 2, record["id"]
        assert set(record["detail"].values()) == {detail}, record["id"]
        assert set(record["gold"].values()) == {DETAIL_TO_STANCE[detail]}, record["id"]
        directions = {(d["source"], d["target"]) for d in record["dyads"]}
        assert {d["detail"] for d in record["dyads"]} <= {detail}, record["id"]
        want = 0 if record["event"] == "NEUTRAL" else 2 if record["event"] in SYMMETRIC else 1
        assert len(directions) == len(record["dyads"]) == want, record["id"]
        found = {m.country for m in find_countries(record["text"], lang=record["lang"])}
        assert found == set(record["gold"]), record["id"]


class Reader:
    """Reads every country conflictual / material conflict, and one dyad from the first named country to the
    second, conflictual."""

    def analyse_many(self, texts: list[str], lang: list[str]):
        stances, dyads = [], []
        for text, code in zip(texts, lang, strict=True):
            countries = list(dict.fromkeys(m.country for m in find_countries(text, lang=code)))
            stances.append(
                [
                    SimpleNamespace(country=c, stance="conflictual", detail="material_conflict")
                    for c in countries
                ]
            )
            dyads.append([SimpleNamespace(source=countries[0], target=countries[1], stance="conflictual")])
        return stances, dyads


def _record(rid: str, event: str, text: str, source: str, target: str) -> dict:
    detail = EVENT_DETAIL[event]
    stance = DETAIL_TO_STANCE[detail]
    dyads = [] if event == "NEUTRAL" else [{"source": source, "target": target, "detail": detail}]
    if event in SYMMETRIC:
        dyads.append({"source": target, "target": source, "detail": detail})
    return {
        "id": rid,
        "lang": "en",
        "event": event,
        "voice": "active",
        "text": text,
        "gold": {source: stance, target: stance},
        "detail": {source: detail, target: detail},
        "dyads": dyads,
    }


def test_counts_per_event_type_with_the_dyad_classes() -> None:
    items = [
        _record("a", "ASSAULT", "Israeli aircraft struck targets in Lebanon.", "ISR", "LBN"),
        _record("b", "ASSAULT", "Syria was shelled by Turkey overnight.", "TUR", "SYR"),  # named target first
        _record("c", "AGREE", "Kenya and Tanzania signed a border deal.", "KEN", "TZA"),
        _record("d", "NEUTRAL", "Inflation fell in Hungary and rose in Romania.", "HUN", "ROU"),
    ]
    read = read_records(Reader(), items)
    stance, detail, classes = counts(items, read, event="ASSAULT")
    assert stance == detail == [True] * 4
    assert classes == Counter({"right": 1, "reversed": 1, "missed": 1})  # the passive read backwards
    stance, detail, classes = counts(items, read, event="AGREE")
    assert stance == detail == [False, False]
    assert classes == Counter({"wrong stance": 1, "missed": 1})
    _, _, classes = counts(items, read, event="NEUTRAL")
    assert classes == Counter({"spurious": 1})
    stance, _, _ = counts(items, read)
    assert len(stance) == 8 and sum(stance) == 4


def test_bad_records_and_paths_are_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.jsonl"
    record = _record("x", "AID", "Portugal sent aid to Mozambique.", "PRT", "MOZ")
    record["dyads"][0]["target"] = "ZAF"
    bad.write_text(json.dumps(record) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: dyads .*ZAF.* name countries other than gold"):
        read_items(bad)
    bad.write_text('\n{"id": "x", "lang": "en",\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not JSON"):
        read_items(bad)
    bad.write_text('{"id": "x", "lang": "en"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: missing \['event'"):
        read_items(bad)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--data", str(tmp_path / "none.jsonl")])
    assert "none.jsonl: no such file" in capsys.readouterr().err
