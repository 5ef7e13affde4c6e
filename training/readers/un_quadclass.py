"""UN Parallel Corpus sentences with CAMEO QuadClass labels ("Keep it Local", Osorio et al. 2024).

One file per language (``un_quadclass/{en,es,ar}.tsv``), header ``row text quadclass``, row-aligned
translations. ``group`` is the row, so the translations of a sentence always share a split.
"""

from __future__ import annotations

from pathlib import Path

from training.examples import BadRow, Example, ReadResult
from training.readers._common import check_header, iter_lines, parse_int, require_path, split_tsv

SOURCE = "un_quadclass"
HEADER = ["row", "text", "quadclass"]
# Order from ../shared/data/README.md (checked against the authors' per-class files); it is NOT
# ConfliBERT's order, so it is mapped label by label.
LABELS: dict[str, str] = {
    "0": "neutral",  # irrelevant
    "1": "material_conflict",
    "2": "material_cooperation",
    "3": "verbal_conflict",
    "4": "verbal_cooperation",
}


def read(path: str | Path, *, lang: str | None = None) -> ReadResult:
    """Read one language file; ``lang`` defaults to the file stem (``en.tsv`` -> ``en``)."""
    p = require_path(path, SOURCE)
    lang = lang or p.stem
    bad: list[BadRow] = []
    examples: list[Example] = []
    seen: dict[int, int] = {}
    lines = iter_lines(p, SOURCE, bad)
    check_header(p, next(lines, None), HEADER)

    def reject(number: int, reason: str) -> None:
        bad.append(BadRow(SOURCE, str(p), number, reason))

    for number, line in lines:
        try:
            fields = split_tsv(line)
        except ValueError as exc:
            reject(number, str(exc))
            continue
        if len(fields) != 3:
            reject(number, f"expected 3 tab-separated columns, got {len(fields)}")
            continue
        raw_row, text, raw_label = fields
        row = parse_int(raw_row)
        if row is None or row < 0:
            reject(number, f"row {raw_row!r} is not a non-negative integer")
        elif not text.strip():
            reject(number, "empty text")
        elif raw_label.strip() not in LABELS:
            reject(number, f"unknown quadclass label {raw_label!r}; expected one of {sorted(LABELS)}")
        elif row in seen:
            reject(number, f"duplicate row {row} (first at line {seen[row]})")
        else:
            seen[row] = number
            examples.append(
                Example(
                    id=f"{SOURCE}:{lang}:{row}",
                    source=SOURCE,
                    lang=lang,
                    text=text,
                    sentence_detail=LABELS[raw_label.strip()],
                    group=f"{SOURCE}:{row}",
                )
            )
    return ReadResult(examples, bad)
