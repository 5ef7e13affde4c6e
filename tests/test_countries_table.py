"""The alias tables, the generator, the evaluation command and the CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from inference.countries import LANGUAGES
from inference.countries.codes import COUNTRIES
from inference.countries.evaluate import evaluate
from inference.countries.table import TABLES, build_index, read_rows

HERE = Path(__file__).resolve().parents[1]


def test_every_state_is_named_in_every_language() -> None:
    rows = [r for path in TABLES for r in read_rows(path)]
    named = {(r["country"], r["lang"]) for r in rows if r["kind"] in ("name", "short", "formal")}
    missing = sorted((c, lang) for c in COUNTRIES for lang in LANGUAGES if (c, lang) not in named)
    assert missing == []


def test_curated_rows_say_where_they_come_from() -> None:
    rows = read_rows(TABLES[0])
    assert rows and all(r["source"] for r in rows)
    assert {r["kind"] for r in rows} >= {"adj", "seat", "abbr", "block", "compound", "combining"}


def test_bad_rows_are_rejected_with_the_line(tmp_path: Path) -> None:
    header = "country\tlang\talias\tkind\tflags\tsource\n"
    bad = tmp_path / "bad.tsv"
    bad.write_text(header + "RUX\ten\tRuxland\tname\t\thand\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.tsv:2: unknown country code"):
        read_rows(bad)
    bad.write_text(header + "RUS\ten\tRussia\tnoun\t\thand\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown kind 'noun'"):
        read_rows(bad)
    bad.write_text("country\talias\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected columns"):
        read_rows(bad)


def test_one_new_line_is_one_new_alias(tmp_path: Path) -> None:
    from inference.countries.matcher import Matcher

    table = tmp_path / "mini.tsv"
    table.write_text(
        "country\tlang\talias\tkind\tflags\tsource\nRUS\tru\tРоссия\tname\t\ttest\nUSA\ten\tUncle Sam\tshort\t\ttest\n",
        encoding="utf-8",
    )
    matcher = Matcher(build_index((table,)))
    assert [m.country for m in matcher.find("Россией и Uncle Sam", None)] == ["RUS", "USA"]


def test_generated_table_is_up_to_date() -> None:
    pytest.importorskip("babel")
    from inference.countries.build import HEADER, OUT, generate

    expected = HEADER + "\n" + "".join("\t".join(r) + "\n" for r in generate())
    assert OUT.read_text(encoding="utf-8") == expected, "run: python -m inference.countries.build"


def test_runtime_does_not_import_babel() -> None:
    import subprocess
    import sys

    code = "import sys; from inference.countries import find_countries; find_countries('Russia'); print('babel' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _gold(tmp_path: Path) -> Path:
    rows = [
        {
            "id": "en-1",
            "lang": "en",
            "text": "Russia and China met.",
            "gold": {"RUS": "cooperative", "CHN": "cooperative"},
        },
        {"id": "en-2", "lang": "en", "text": "Chad Smith left.", "gold": {}},
        {
            "id": "ru-1",
            "lang": "ru",
            "text": "Москва ответила Киеву.",
            "gold": {"RUS": "conflictual", "UKR": "conflictual", "POL": "neutral"},
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_evaluate_scores_country_sets_per_language(tmp_path: Path) -> None:
    result = evaluate([_gold(tmp_path)])
    assert result["languages"]["en"] == pytest.approx(
        {"sentences": 2, "tp": 2, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    )
    ru = result["languages"]["ru"]
    assert (ru["tp"], ru["fp"], ru["fn"]) == (2, 0, 1)
    assert ru["recall"] == pytest.approx(2 / 3)
    assert result["overall"]["sentences"] == 3
    assert [e["id"] for e in result["errors"]] == ["ru-1"]


def test_evaluate_rejects_rows_without_gold(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": "x", "text": "Russia"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: missing keys \['gold'\]"):
        evaluate([path])


def _run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    from inference.countries.cli import register

    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


def test_cli_find_and_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_cli(["countries", "find", "США и Россия", "--lang", "ru"], capsys)
    assert [json.loads(line)["country"] for line in out.splitlines()] == ["USA", "RUS"]
    out = _run_cli(["countries", "eval", str(_gold(tmp_path))], capsys)
    assert out.splitlines()[0].split()[:2] == ["lang", "n"]
    assert any(line.startswith("overall") for line in out.splitlines())


def test_dev_set_shape() -> None:
    rows = [json.loads(line) for line in (HERE / "data" / "countries" / "dev.jsonl").open(encoding="utf-8")]
    assert len(rows) >= 300
    per_lang: dict[str, int] = {}
    for row in rows:
        per_lang[row["lang"]] = per_lang.get(row["lang"], 0) + 1
        assert set(row["gold"]) <= COUNTRIES
        assert set(row["gold"].values()) <= {"cooperative", "conflictual", "neutral"}
    from inference.countries.codes import NEW_LANGS

    assert set(per_lang) == set(LANGUAGES)
    assert min(n for lang, n in per_lang.items() if lang not in NEW_LANGS) >= 15
    assert min(per_lang[lang] for lang in NEW_LANGS) >= 10  # issue 15: at least 10 each
    assert len({r["id"] for r in rows}) == len(rows)


def test_heldout_set_shape() -> None:
    rows = [
        json.loads(line) for line in (HERE / "data" / "countries" / "heldout.jsonl").open(encoding="utf-8")
    ]
    per_lang: dict[str, int] = {}
    for row in rows:
        per_lang[row["lang"]] = per_lang.get(row["lang"], 0) + 1
        assert set(row["gold"]) <= COUNTRIES
        assert set(row["gold"].values()) <= {"cooperative", "conflictual", "neutral"}
    assert per_lang == {lang: 6 for lang in LANGUAGES[:20]}  # the 20 languages it was written for
    assert len({r["id"] for r in rows}) == len(rows) == 120


def test_cli_languages_lists_all_fifty(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run_cli(["countries", "languages"], capsys).splitlines()
    assert out[0].startswith("50 languages")
    listed = {line.split("\t")[0]: int(line.split("\t")[1]) for line in out[1:]}
    assert set(listed) == set(LANGUAGES) and min(listed.values()) > 100
