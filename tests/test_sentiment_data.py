"""The project's own entity-sentiment data (``data/sentiment``), checked row by row.

The files follow RuSentNE-2023's TSV format exactly (see data/sentiment/README.md). Run this module as a
script to print every problem instead of the first failing test:
``python tests/test_sentiment_data.py``.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SENTIMENT = REPO / "data" / "sentiment"
HEADER = ["sentence", "entity", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label"]
TAGS = {"PERSON", "PROFESSION", "ORGANIZATION", "COUNTRY", "NATIONALITY"}
LABELS = {"-1", "0", "1"}
# file -> (minimum rows, minimum distinct sentences)
MINIMUM = {
    "train/ru.tsv": (260, 110),
    "train/uk.tsv": (120, 50),
    "dev/ru.tsv": (80, 30),
    "dev/uk.tsv": (40, 15),
}

Row = tuple[str, str, str, int, int, str]


def check_file(path: Path) -> tuple[list[Row], list[str]]:
    """(the rows that passed, one message per problem naming the line and the fix)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0].split("\t") != HEADER:
        got = lines[0] if lines else "an empty file"
        return [], [f"{path}:1: expected the header {'<TAB>'.join(HEADER)!r}, got {got!r}"]
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[tuple[str, int, int], int] = {}
    for number, line in enumerate(lines[1:], start=2):
        where = f"{path}:{number}"
        before = len(problems)
        fields = line.split("\t")
        if len(fields) != len(HEADER):
            problems.append(f"{where}: expected {len(HEADER)} tab-separated fields, got {len(fields)}")
            continue
        text, entity, tag, raw_start, raw_end, label = fields
        if line != line.strip() or text != text.strip():
            problems.append(f"{where}: leading or trailing whitespace; strip the line")
        if '"' in text:
            problems.append(f"{where}: the sentence contains {chr(34)!r}; use «» quotes instead")
        if tag not in TAGS:
            problems.append(f"{where}: entity_tag {tag!r} is not one of {sorted(TAGS)}")
        if label not in LABELS:
            problems.append(f"{where}: label {label!r} is not one of -1, 0, 1")
        if not (re.fullmatch(r"\d+", raw_start) and re.fullmatch(r"\d+", raw_end)):
            problems.append(f"{where}: offsets {raw_start!r}, {raw_end!r} are not non-negative integers")
            continue
        start, end = int(raw_start), int(raw_end)
        if not entity.strip() or text[start:end] != entity:
            found = text.find(entity) if entity else -1
            hint = f"; the entity starts at {found}" if found >= 0 else "; the entity is not in the sentence"
            problems.append(
                f"{where}: sentence[{start}:{end}] is {text[start:end]!r}, not the entity {entity!r}{hint}"
            )
            continue
        key = (text, start, end)
        if key in seen:
            problems.append(f"{where}: the same sentence and span as line {seen[key]}; drop one of them")
            continue
        if len(problems) == before:
            seen[key] = number
            rows.append((text, entity, tag, start, end, label))
    return rows, problems


def normalise(text: str) -> str:
    """Lower case, ё as е, letters and digits only: two sentences equal here are the same sentence."""
    return " ".join(re.findall(r"\w+", text.lower().replace("ё", "е")))


def shared_sentences(a: list[Row], b: list[Row]) -> set[str]:
    return {normalise(r[0]) for r in a} & {normalise(r[0]) for r in b}


def all_files() -> dict[str, list[Row]]:
    out = {}
    for name in MINIMUM:
        rows, problems = check_file(SENTIMENT / name)
        if problems:
            raise ValueError(f"{len(problems)} problems in {name}, the first: {problems[0]}")
        out[name] = rows
    return out


def require_data() -> None:
    if not SENTIMENT.is_dir():
        pytest.skip(f"{SENTIMENT} not found")


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_every_row_is_valid_and_the_file_is_big_enough(name: str) -> None:
    require_data()
    rows, problems = check_file(SENTIMENT / name)
    assert problems == []
    min_rows, min_sentences = MINIMUM[name]
    assert len(rows) >= min_rows
    assert len({r[0] for r in rows}) >= min_sentences


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_label_shares_are_close_to_rusentne_and_all_tags_occur(name: str) -> None:
    require_data()
    rows, _ = check_file(SENTIMENT / name)
    labels = Counter(r[5] for r in rows)
    shares = {label: labels[label] / len(rows) for label in LABELS}
    assert 0.62 <= shares["0"] <= 0.78, shares
    assert shares["-1"] >= 0.10 and shares["1"] >= 0.10, shares
    assert {r[2] for r in rows} == TAGS
    countries = sum(r[2] in {"COUNTRY", "NATIONALITY"} for r in rows)
    assert countries / len(rows) >= 0.3


def test_no_sentence_is_in_both_train_and_dev() -> None:
    require_data()
    files = all_files()
    train = [r for name, rows in files.items() if name.startswith("train/") for r in rows]
    dev = [r for name, rows in files.items() if name.startswith("dev/") for r in rows]
    assert shared_sentences(train, dev) == set()


def test_the_project_reader_parses_every_row() -> None:
    require_data()
    from training.readers import read_source

    for name in MINIMUM:
        rows, _ = check_file(SENTIMENT / name)
        result = read_source("rusentne", SENTIMENT / name)
        assert result.bad_rows == []
        assert [(e.text, e.targets[0].spans[0]) for e in result.examples] == [
            (r[0], (r[3], r[4])) for r in rows
        ]
        wanted = {"-1": "negative", "0": "neutral", "1": "positive"}
        assert [e.targets[0].sentiment for e in result.examples] == [wanted[r[5]] for r in rows]


def test_no_sentence_is_taken_from_rusentne(shared_data: Path) -> None:
    """Not one sentence of ours, and no run of eight words, appears in RuSentNE's training file."""
    require_data()
    theirs = [
        line.split("\t")[0] for line in (shared_data / "rusentne2023" / "train.tsv").open(encoding="utf-8")
    ]

    def shingles(text: str, n: int = 8) -> set[str]:
        words = normalise(text).split()
        return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}

    their_shingles = set().union(*(shingles(t) for t in theirs))
    their_sentences = {normalise(t) for t in theirs}
    for rows in all_files().values():
        ours = {r[0] for r in rows}
        assert {normalise(t) for t in ours} & their_sentences == set()
        assert [t for t in ours if shingles(t) & their_shingles] == []


def test_the_checker_reports_each_kind_of_bad_row(tmp_path: Path) -> None:
    s = "Кремль раскритиковал Варшаву."
    lines = [
        "\t".join(HEADER),
        f"{s}\tКремль\tORGANIZATION\t0\t6\t0",  # 2: fine
        f"{s}\tВаршаву\tCOUNTRY\t21\t27\t-1",  # 3: end one short
        f"{s}\tВаршаву\tCITY\t21\t28\t-1",  # 4: unknown tag
        f"{s}\tВаршаву\tCOUNTRY\t21\t28\t2",  # 5: unknown label
        f"{s}\tВаршаву\tCOUNTRY\t21\t28",  # 6: five fields
        f"{s}\tКремль\tORGANIZATION\t0\t6\t-1",  # 7: same span again
        'Клуб "Спартак" победил.\tСпартак\tORGANIZATION\t6\t13\t1',  # 8: straight quotes
        f"{s}\tВаршаву\tCOUNTRY\tдва\t28\t0",  # 9: offsets not integers
    ]
    path = tmp_path / "bad.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows, problems = check_file(path)
    assert rows == [(s, "Кремль", "ORGANIZATION", 0, 6, "0")]
    by_line = {int(p.split(":")[1]): p for p in problems}
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9]
    assert "not the entity 'Варшаву'; the entity starts at 21" in by_line[3]
    assert "entity_tag 'CITY'" in by_line[4]
    assert "label '2'" in by_line[5]
    assert "got 5" in by_line[6]
    assert "as line 2" in by_line[7]
    assert "use «» quotes" in by_line[8]
    assert "not non-negative integers" in by_line[9]
    path.write_text("sentence\tentity\tlabel\n", encoding="utf-8")
    assert check_file(path) == (
        [],
        [f"{path}:1: expected the header {'<TAB>'.join(HEADER)!r}, got 'sentence\\tentity\\tlabel'"],
    )
    assert shared_sentences(rows, [("Кремль раскритиковал  варшаву", "", "", 0, 0, "0")]) == {normalise(s)}


if __name__ == "__main__":
    failed = False
    for name in MINIMUM:
        rows, problems = check_file(SENTIMENT / name)
        labels = Counter(r[5] for r in rows)
        print(
            f"{name}: {len(rows)} rows, {len({r[0] for r in rows})} sentences, labels {dict(sorted(labels.items()))}"
        )
        for problem in problems:
            print("  ", problem)
        failed |= bool(problems)
    sys.exit(1 if failed else 0)
