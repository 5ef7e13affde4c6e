"""benchmarks/reactions.py and its data: every record labelled as its kind and roles give, the finder finds exactly
its countries, no sentence is also a training sentence, and the counts follow the readings."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.reactions import DATA, KINDS, expected, leaks, main, read_items, role_counts
from benchmarks.written_checks import counts, read_records
from inference import find_countries

ROOT = Path(__file__).resolve().parents[1]


def test_every_record_is_labelled_as_its_kind_and_roles_give() -> None:
    items = read_items(DATA)  # raises on a record whose labels differ from expected()
    assert len({r["id"] for r in items}) == len(items)
    per_batch = Counter((r["lang"], r["batch"]) for r in items)
    assert len({lang for lang, _ in per_batch}) >= 13
    assert {n for (_, batch), n in per_batch.items() if batch == 1} == {8}, per_batch  # 6 kinds, 3 countries
    assert {n for (_, batch), n in per_batch.items() if batch == 2} == {6}, per_batch  # answers in kind
    assert {r["kind"] for r in items} == set(KINDS)
    for record in items:
        found = {m.country for m in find_countries(record["text"], lang=record["lang"])}
        assert found == set(record["gold"]), record["id"]


def test_no_check_sentence_is_a_training_sentence() -> None:
    training = {
        json.loads(line)["text"].strip()
        for path in (ROOT / "data").glob("*/*/*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert [r["id"] for r in read_items(DATA) if r["text"].strip() in training] == []


def test_expected_labels_and_bad_roles() -> None:
    roles = {"reactor": "UKR", "actor": "USA", "target": "RUS", "measure": "material_conflict"}
    detail, dyads = expected("welcome_conflict", roles)
    assert detail == {"UKR": "verbal_cooperation", "USA": "verbal_cooperation", "RUS": "material_conflict"}
    assert {(d["source"], d["target"], d["detail"]) for d in dyads} == {
        ("UKR", "USA", "verbal_cooperation"),
        ("USA", "RUS", "material_conflict"),
    }
    detail, dyads = expected("target_condemns", {**roles, "reactor": "RUS"})
    assert detail == {"USA": "verbal_conflict", "RUS": "verbal_conflict"}
    assert {(d["source"], d["target"]) for d in dyads} == {("RUS", "USA"), ("USA", "RUS")}
    with pytest.raises(ValueError, match=r"needs a measure in \['material_cooperation'\]"):
        expected("condemn_cooperation", roles)
    detail, dyads = expected("target_retaliates", {**roles, "reactor": "RUS", "measure": "verbal_conflict"})
    assert detail == {"USA": "verbal_conflict", "RUS": "verbal_conflict"}  # both the answer's detail
    assert {(d["source"], d["target"], d["detail"]) for d in dyads} == {
        ("RUS", "USA", "verbal_conflict"),
        ("USA", "RUS", "verbal_conflict"),
    }
    with pytest.raises(ValueError, match="needs a measure in"):
        expected("target_reciprocates", {**roles, "reactor": "RUS"})
    with pytest.raises(ValueError, match="three different countries"):
        expected("welcome_conflict", {**roles, "target": "USA"})
    with pytest.raises(ValueError, match="the reactor must be the target"):
        expected("target_condemns", roles)
    with pytest.raises(ValueError, match="kind 'praise'"):
        expected("praise", roles)
    with pytest.raises(ValueError, match="must be exactly"):
        expected("welcome_conflict", {"reactor": "UKR"})


class Reader:
    """Reads every country cooperative / verbal cooperation (the welcome leaking onto the target), and a dyad from
    the first named country to each other one, cooperative."""

    def analyse_many(self, texts: list[str], lang: list[str]):
        stances, dyads = [], []
        for text, code in zip(texts, lang, strict=True):
            countries = list(dict.fromkeys(m.country for m in find_countries(text, lang=code)))
            stances.append(
                [
                    SimpleNamespace(country=c, stance="cooperative", detail="verbal_cooperation")
                    for c in countries
                ]
            )
            dyads.append(
                [SimpleNamespace(source=countries[0], target=c, stance="cooperative") for c in countries[1:]]
            )
        return stances, dyads


def _record(rid: str, kind: str, text: str, reactor: str, actor: str, target: str, measure: str) -> dict:
    roles = {"reactor": reactor, "actor": actor, "target": target, "measure": measure}
    detail, dyads = expected(kind, roles)
    stance = {c: "cooperative" if "cooperation" in d else "conflictual" for c, d in detail.items()}
    return {"id": rid, "lang": "en", "kind": kind, "roles": roles, "text": text, "gold": stance, "detail": detail,
            "dyads": dyads}  # fmt: skip


def test_counts_per_role_and_the_leaked_dyads() -> None:
    items = [
        _record(
            "a",
            "welcome_conflict",
            "Kyiv welcomed the American sanctions on Russian banks.",
            "UKR",
            "USA",
            "RUS",
            "material_conflict",
        ),  # fmt: skip
        _record(
            "b",
            "target_welcomes",
            "Cuba welcomed the Mexican oil shipment to Havana.",
            "CUB",
            "MEX",
            "CUB",
            "material_cooperation",
        ),  # fmt: skip
    ]
    read = read_records(Reader(), items)
    assert role_counts(items, read, "reactor") == ([True], [True])
    assert role_counts(items, read, "target") == ([False], [False])  # RUS read cooperative
    assert leaks(items, read) == 1  # UKR -> RUS
    stance, detail, classes = counts(items, read, kind="welcome_conflict")
    assert stance == [True, True, False]
    assert classes == Counter({"right": 1, "spurious": 1, "missed": 1})  # USA -> RUS not read


def test_bad_records_and_paths_are_named(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bad = tmp_path / "bad.jsonl"
    record = _record("x", "condemn_cooperation", "Moscow condemned the German arms deliveries to Ukraine.", "RUS",
                     "DEU", "UKR", "material_cooperation")  # fmt: skip
    record["detail"]["UKR"] = "material_conflict"
    bad.write_text(json.dumps(record) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: labels differ"):
        read_items(bad)
    record["kind"] = "praise"
    bad.write_text("\n" + json.dumps(record) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: kind 'praise'"):
        read_items(bad)
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SystemExit):
        main([str(tmp_path), "--data", str(tmp_path / "none.jsonl")])
    assert "none.jsonl: no such file" in capsys.readouterr().err
