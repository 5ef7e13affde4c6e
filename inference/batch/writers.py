"""Atomic file writes: part files per chunk, and the merge of parts into the final outputs.

Every file is written to a temporary name in the same folder, flushed and fsync'ed, then
moved over its final name with ``os.replace`` and the folder fsync'ed; a reader sees the old
file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

RECORD_SCHEMA = pa.schema(
    [
        pa.field("seq", pa.int64(), nullable=False),
        pa.field("source", pa.string()),
        pa.field("line", pa.int64()),
        pa.field("id", pa.string()),
        pa.field("status", pa.string()),  # "scored" | "failed"
        pa.field("reason", pa.string()),
        pa.field("n_rows", pa.int32()),
        pa.field("date_status", pa.string()),  # "parsed" | "unparsed" | "missing" | null (no date field)
        pa.field("language", pa.string()),  # the language assumed (batch/languages.py); null: unknown
        pa.field("language_covered", pa.bool_()),  # null for a record that was never read (an error row)
    ]
)


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (no-op where folders cannot be opened, e.g. Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is fsync'ed and renamed to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(path: Path, write: Callable[[IO[str]], None]) -> None:
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        write(fh)


def write_json_atomic(path: Path, value: Any) -> None:
    write_text_atomic(path, lambda fh: fh.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n"))


def write_parquet_atomic(path: Path, columns: dict[str, list[Any]], schema: pa.Schema) -> int:
    """Write one table; returns its number of rows."""
    table = pa.Table.from_pydict(columns, schema=schema)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return table.num_rows


def merge_parquet(
    parts: Iterable[Path],
    path: Path,
    schema: pa.Schema,
    row_group_rows: int = 100_000,
    metadata: dict[str, str] | None = None,
) -> int:
    """Concatenate part files, in order, into ``path``, in row groups of about ``row_group_rows``
    (memory: one row group's worth of parts at a time). ``metadata`` is added to the file's
    key-value metadata (e.g. ``{"diplostance": json}`` with the model's provenance)."""
    if metadata:
        schema = schema.with_metadata({**(schema.metadata or {}), **metadata})
    rows = 0
    pending: list[pa.Table] = []
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        for part in parts:
            table = pq.read_table(part, schema=schema.remove_metadata()).replace_schema_metadata(
                schema.metadata
            )
            if table.num_rows:
                pending.append(table)
                rows += table.num_rows
            if sum(t.num_rows for t in pending) >= row_group_rows:
                writer.write_table(pa.concat_tables(pending), row_group_size=max(row_group_rows, 1) * 2)
                pending = []
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=max(row_group_rows, 1) * 2)
    return rows


def merge_errors(record_parts: Iterable[Path], path: Path) -> int:
    """``errors.jsonl``: one line per failed record (id, source, line, reason), in input order."""
    count = 0

    def write(fh: IO[str]) -> None:
        nonlocal count
        for part in record_parts:
            table = pq.read_table(part, columns=["id", "source", "line", "status", "reason"])
            for row in table.to_pylist():
                if row["status"] == "failed":
                    del row["status"]
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                    count += 1

    write_text_atomic(path, write)
    return count


def count_values(record_parts: Iterable[Path], column: str) -> dict[str, int]:
    """How many records of the parts have each (non-null) value of ``column``."""
    counts: dict[str, int] = {}
    for part in record_parts:
        names = pq.read_schema(part).names
        if column not in names:
            continue
        for value in pq.read_table(part, columns=[column]).column(column).to_pylist():
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
    return counts


def remove_tree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
