"""The progress journal of a run: committed chunks and the ids seen so far, in one SQLite file.

A chunk is committed in one transaction, after its part files are safely on disk: its
entry (records, scored, failed, rows) and the ids its records claimed. After a crash the
journal holds exactly the committed chunks, so a resumed run skips their records and still
knows every id seen before (duplicate detection survives the resume), with memory bounded
whatever the number of ids.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ChunkEntry:
    index: int
    records: int
    scored: int
    failed: int
    rows: int
    article_rows: int
    no_country: int


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks (
                idx INTEGER PRIMARY KEY, records INTEGER, scored INTEGER, failed INTEGER,
                rows INTEGER, article_rows INTEGER, no_country INTEGER);
            CREATE TABLE IF NOT EXISTS ids (
                id TEXT PRIMARY KEY, chunk INTEGER, source TEXT, line INTEGER) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        self._db.close()

    def get(self, key: str) -> Any:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def set(self, key: str, value: Any) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, json.dumps(value)))

    def chunks(self) -> list[ChunkEntry]:
        rows = self._db.execute(
            "SELECT idx, records, scored, failed, rows, article_rows, no_country FROM chunks ORDER BY idx"
        ).fetchall()
        entries = [ChunkEntry(*row) for row in rows]
        for expected, entry in enumerate(entries):
            if entry.index != expected:
                raise RuntimeError(
                    f"journal is missing chunk {expected}; rerun with --overwrite to start over"
                )
        return entries

    def seen(self, record_id: str) -> tuple[str, int | None] | None:
        """Where ``record_id`` was first seen in a committed chunk, or None."""
        row = self._db.execute("SELECT source, line FROM ids WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def commit(self, entry: ChunkEntry, ids: Iterable[tuple[str, str, int | None]]) -> None:
        """Record a finished chunk and its (id, source, line) claims, atomically."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.index,
                    entry.records,
                    entry.scored,
                    entry.failed,
                    entry.rows,
                    entry.article_rows,
                    entry.no_country,
                ),
            )
            db.executemany(
                "INSERT INTO ids VALUES (?, ?, ?, ?)", ((i, entry.index, s, ln) for i, s, ln in ids)
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
