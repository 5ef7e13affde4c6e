"""The language each article was read in, and how many articles each language had.

Every valid record gets ``language`` (the ISO 639-1 code the country finder assumes: the record's
``lang`` hint, else the language identified from the text, else null) and ``language_covered``
(whether that language has a country table; ``inference.countries.language_of``). Both are
output columns of ``stances.parquet``, ``articles.parquet`` and ``dyads.parquet``, and the record
parts keep them so ``manifest.json`` counts articles per language (``languages``) and those in
languages without a table (``uncovered_languages``), articles naming no country included.
A ``lang`` that is no language code is an error row with the codes to use.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

LANGUAGE_COLUMNS: tuple[str, ...] = ("language", "language_covered")
UNKNOWN = "unknown"  # the manifest's key for articles whose language could not be told


def language_fields(text: str, lang: str | None) -> dict[str, Any]:
    """``{"language": code or None, "language_covered": bool}``; ``ValueError`` for a bad ``lang``."""
    from inference.countries import language_of

    info = language_of(text, lang)
    return {"language": info.code, "language_covered": info.covered}


def count_languages(record_parts: Iterable[Path]) -> tuple[dict[str, int], dict[str, int]]:
    """Per language, the valid records (articles) of the parts; and the same for the languages
    without a country table. Records without a language column (older parts, error rows) are left out."""
    counts: dict[str, int] = {}
    uncovered: dict[str, int] = {}
    for part in record_parts:
        if "language_covered" not in pq.read_schema(part).names:
            continue
        table = pq.read_table(part, columns=list(LANGUAGE_COLUMNS))
        for code, covered in zip(*(table.column(c).to_pylist() for c in LANGUAGE_COLUMNS), strict=True):
            if covered is None:  # an error row: never read
                continue
            key = code or UNKNOWN
            counts[key] = counts.get(key, 0) + 1
            if not covered:
                uncovered[key] = uncovered.get(key, 0) + 1
    return dict(sorted(counts.items())), dict(sorted(uncovered.items()))
