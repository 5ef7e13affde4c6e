"""RuSentNE-2023: entity-oriented sentiment in Russian news (``rusentne2023/train.tsv``).

Header ``sentence entity entity_tag entity_pos_start_rel entity_pos_end_rel label``; one example per
row with one Target. Offsets are into the CSV-unquoted sentence and the end is exclusive
(``sentence[start:end] == entity`` holds for every shipped row); a row whose offsets do not spell the
entity is re-anchored on the nearest occurrence of the entity, else reported.
Rows sharing a sentence share ``group``, so a sentence never straddles splits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from training.examples import BadRow, Example, ReadResult, Target
from training.readers._common import check_header, iter_lines, parse_int, relocate, require_path, split_tsv

SOURCE = "rusentne"
HEADER = ["sentence", "entity", "entity_tag", "entity_pos_start_rel", "entity_pos_end_rel", "label"]
LABELS: dict[str, str] = {"-1": "negative", "0": "neutral", "1": "positive"}


def sentence_group(text: str) -> str:
    return f"{SOURCE}:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:12]}"


def read(path: str | Path, *, entity_tags: Iterable[str] | None = None) -> ReadResult:
    """Read the TSV, or every ``*.tsv`` of a directory in name order (the project's own files in this
    format, ``data/sentiment/train/{ru,uk}.tsv``: a file named by a two-letter code is in that language,
    any other is Russian). ``entity_tags`` keeps only rows with those tags (e.g. ``["COUNTRY"]``; None: all)."""
    p = require_path(path, SOURCE)
    if isinstance(entity_tags, str):
        raise TypeError(f"entity_tags must be a list of tags, not the string {entity_tags!r}")
    keep = None if entity_tags is None else set(entity_tags)
    files = sorted(p.glob("*.tsv")) if p.is_dir() else [p]
    if not files:
        raise FileNotFoundError(f"no *.tsv files in {p}; check the data.sources[*].path setting")
    bad: list[BadRow] = []
    examples: list[Example] = []
    for file in files:
        lang = file.stem if len(file.stem) == 2 and file.stem.isalpha() else "ru"
        lines = iter_lines(file, SOURCE, bad)
        check_header(file, next(lines, None), HEADER)
        for number, line in lines:
            example, tag_or_reason = _row(line, f"{SOURCE}:{file.stem}:{number}", lang)
            if example is None:
                bad.append(BadRow(SOURCE, str(file), number, tag_or_reason))
            elif keep is None or tag_or_reason in keep:
                examples.append(example)
    return ReadResult(examples, bad)


def _row(line: str, ex_id: str, lang: str = "ru") -> tuple[Example | None, str]:
    """(the example, its entity tag) or (None, why the row is bad)."""
    try:
        fields = split_tsv(line)
    except ValueError as exc:
        return None, str(exc)
    if len(fields) != len(HEADER):
        return None, f"expected {len(HEADER)} tab-separated columns, got {len(fields)}"
    text, entity, tag, raw_start, raw_end, raw_label = fields
    start, end = parse_int(raw_start), parse_int(raw_end)
    if not text.strip():
        return None, "empty sentence"
    if not entity.strip():
        return None, "empty entity"
    if not tag.strip():
        return None, "empty entity_tag"
    if raw_label.strip() not in LABELS:
        return None, f"unknown label {raw_label!r}; expected one of {sorted(LABELS, key=int)}"
    if start is None or end is None:
        return None, f"entity positions are not integers ({raw_start!r}, {raw_end!r})"
    if not (0 <= start < end <= len(text) and text[start:end] == entity):
        moved = relocate(text, entity, start)
        if moved is None:
            return (
                None,
                f"span [{start}, {end}) is {text[start:end]!r}, not the entity {entity!r}, which is not nearby",
            )
        start, end = moved, moved + len(entity)
    target = Target(spans=[(start, end)], sentiment=LABELS[raw_label.strip()])
    example = Example(
        id=ex_id, source=SOURCE, lang=lang, text=text, targets=[target], group=sentence_group(text)
    )
    return example, tag.strip()
