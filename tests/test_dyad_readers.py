"""Dyads in the readers: the ``dyads`` field of the project's own data, and CAMEO's S/T/R actor roles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_readers import conll, fake_finder, write

from training.readers import cameo, own

TEXT = "Washington and France warned Russia."


def line(rid: str, gold: dict, dyads: object, text: str = TEXT) -> str:
    record = {"id": rid, "lang": "en", "text": text, "gold": gold, "dyads": dyads}
    return json.dumps(record)


def pairs_of(example) -> dict[tuple[str, str], str]:
    return {
        (example.targets[p.source].country, example.targets[p.target].country): p.label for p in example.pairs
    }


def test_own_dyads_label_every_ordered_pair(tmp_path: Path) -> None:
    gold = {"USA": "conflictual", "FRA": "conflictual", "RUS": "conflictual"}
    warned = [
        {"source": "USA", "target": "RUS", "detail": "verbal_conflict", "intensity": -4},
        {"source": "FRA", "target": "RUS", "detail": "verbal_conflict"},
    ]
    lines = [
        line("en-1", gold, warned),  # 1
        json.dumps({"id": "en-2", "lang": "en", "text": TEXT, "gold": gold}),  # 2: no dyads field
        line("en-3", gold, [{"source": "USA", "target": "CHN", "detail": "neutral"}]),  # 3
        line("en-4", gold, [{"source": "USA", "target": "USA", "detail": "neutral"}]),  # 4
        line("en-5", gold, [{"source": "USA", "target": "RUS", "detail": "hostile"}]),  # 5
        line("en-6", gold, [warned[0], warned[0]]),  # 6
        line("en-7", gold, {"USA": "RUS"}),  # 7
        line("en-8", gold, [{**warned[0], "intensity": 12}]),  # 8
        line("en-9", gold, [{**warned[0], "actor": "x"}]),  # 9
    ]
    result = own.read(write(tmp_path / "en.jsonl", lines), finder=fake_finder)
    first, second = result.examples
    assert pairs_of(first) == {
        ("USA", "FRA"): "none",
        ("USA", "RUS"): "verbal_conflict",
        ("FRA", "USA"): "none",
        ("FRA", "RUS"): "verbal_conflict",
        ("RUS", "USA"): "none",
        ("RUS", "FRA"): "none",
    }
    assert [p.intensity for p in first.pairs if p.label != "none"] == [-4.0, None]
    assert second.pairs == []  # without the field no pair is labelled, not even "none"
    bad = {b.line: b.reason for b in result.bad_rows}
    assert sorted(bad) == [3, 4, 5, 6, 7, 8, 9]
    assert "dyads[0].target = 'CHN' is not a country of gold" in bad[3]
    assert "source and target are both 'USA'" in bad[4]
    assert "dyads[0].detail = 'hostile'" in bad[5]
    assert "USA -> RUS is listed twice" in bad[6]
    assert "dyads must be a list" in bad[7]
    assert "intensity = 12" in bad[8]
    assert "unknown key(s) ['actor']" in bad[9]


def test_own_dyads_skip_a_country_the_finder_misses(tmp_path: Path) -> None:
    gold = {"USA": "conflictual", "RUS": "conflictual", "DEU": "conflictual"}
    dyads = [{"source": "DEU", "target": "RUS", "detail": "verbal_conflict"}]
    result = own.read(write(tmp_path / "en.jsonl", [line("en-1", gold, dyads)]), finder=fake_finder)
    (example,) = result.examples
    assert pairs_of(example) == {("USA", "RUS"): "none", ("RUS", "USA"): "none"}
    assert "gold country DEU not found" in result.bad_rows[0].reason


@pytest.fixture()
def roles_files(tmp_path: Path) -> Path:
    classes = [
        "Britain and France warned Russia over Ukraine.\t3",
        "Russia and Ukraine exchanged prisoners.\t2",
        "Washington sanctioned a Russian bank.\t4",
    ]
    ner = conll(
        "Britain B-S|and O|France B-S|warned O|Russia B-T|over O|Ukraine O|. O",
        "Russia B-R|and O|Ukraine B-R|exchanged O|prisoners O|. O",
        "Washington B-S|sanctioned O|a B-T|Russian I-T|bank I-T|. O",
    )
    write(tmp_path / "ner_train.txt", ner)
    return write(tmp_path / "class_train.tsv", classes, newline="\r\n")


def test_cameo_roles_become_directed_pairs(roles_files: Path) -> None:
    aliases = {"Britain": "GBR", "France": "FRA", "Russia": "RUS", "Russian": "RUS", "Ukraine": "UKR"}
    aliases["Washington"] = "USA"

    def finder(text: str, lang: str | None = None):
        import re

        pattern = r"\b(" + "|".join(aliases) + r")\b"
        return [
            type("M", (), {"country": aliases[m.group(1)], "start": m.start(), "end": m.end()})
            for m in re.finditer(pattern, text)
        ]

    result = cameo.read(roles_files, finder=finder)
    warned, exchanged, sanctioned = result.examples
    assert [t.country for t in warned.targets] == ["GBR", "FRA", "RUS"]
    # S x T with the sentence's label; two sources are not related to each other
    assert pairs_of(warned) == {
        ("GBR", "RUS"): "verbal_conflict",
        ("FRA", "RUS"): "verbal_conflict",
        ("GBR", "FRA"): "none",
        ("FRA", "GBR"): "none",
    }
    # reciprocal actors: both directions; UKR is not an actor in the first sentence, so no pair has it
    assert pairs_of(exchanged) == {
        ("RUS", "UKR"): "material_cooperation",
        ("UKR", "RUS"): "material_cooperation",
    }
    # an actor span is a country when the mentions inside it name one ("a Russian bank" -> RUS)
    assert pairs_of(sanctioned) == {("USA", "RUS"): "material_conflict"}
