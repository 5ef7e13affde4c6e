"""The local engine: stream records, score them chunk by chunk, commit each chunk, merge at the end.

Layout of the output folder while a run is going on::

    DIR/_work/journal.sqlite        committed chunks, ids seen, fingerprint of the run
    DIR/_work/parts/stances-000012.parquet, articles-000012.parquet, dyads-000012.parquet,
                    records-000012.parquet

A chunk's part files are written atomically first, then the chunk is committed to the
journal in one transaction. A run killed at any point leaves committed chunks whose parts
are complete; rerunning the same command skips the records of those chunks (the journal
stores how many) and recomputes the rest, so the final files hold exactly the rows of an
uninterrupted run. At the end the parts are merged into ``stances.parquet``,
``articles.parquet``, ``dyads.parquet`` and ``errors.jsonl`` (each atomically), ``manifest.json`` is written last,
and ``_work`` is removed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inference.allocator import release_free_memory
from inference.batch.core import (
    SYSTEMIC_FAILURES,
    ArticleClassifier,
    aggregate_articles,
    article_schema,
    score_with_retry,
    stance_schema,
)
from inference.batch.dyads import dyad_schema, empty_dyads
from inference.batch.journal import ChunkEntry, Journal
from inference.batch.languages import LANGUAGE_COLUMNS, count_languages
from inference.batch.manifest import Manifest, describe_inputs, fingerprint_diff
from inference.batch.options import SERIES_FILES, ScoreOptions
from inference.batch.progress import Progress, sentence_progress
from inference.batch.provenance import model_provenance, parquet_metadata
from inference.batch.readers import (
    InputSpec,
    RawRecord,
    ReadPosition,
    has_records,
    iter_records,
    resolve_inputs,
)
from inference.batch.records import ErrorRecord, ValidRecord, to_columns, validate
from inference.batch.writers import (
    RECORD_SCHEMA,
    count_values,
    merge_errors,
    merge_parquet,
    remove_tree,
    write_json_atomic,
    write_parquet_atomic,
)

log = logging.getLogger("inference.batch")

OUTPUT_FILES: tuple[str, ...] = (
    "stances.parquet",
    "articles.parquet",
    "dyads.parquet",
    "errors.jsonl",
    "manifest.json",
)
REPORT_FILES: tuple[str, ...] = ("report.png", "report.html", "report_dyads.png", *SERIES_FILES)
WORK = "_work"
__all__ = ["SYSTEMIC_FAILURES", "chunk_records", "run_local", "validate_chunk"]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the output folder (POSIX; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(out, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another run is writing to {str(out)!r}; wait for it or choose another --out"
            ) from None
        yield
    finally:
        os.close(fd)


def _clear(out: Path) -> None:
    """Remove the outputs and work files of an earlier run. The manifest and the journal go
    first, so that a clear cut short never leaves a folder that looks complete or resumable."""
    for path in (out / "manifest.json", out / WORK / "journal.sqlite", out / WORK / "journal.sqlite-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    for name in (*OUTPUT_FILES, *REPORT_FILES):
        if (out / name).is_dir():  # a folder of Parquet parts (the Ray engine's --parquet-layout folder)
            remove_tree(out / name)
        with contextlib.suppress(FileNotFoundError):
            (out / name).unlink()
    remove_tree(out / WORK)


def _remove_temporaries(*folders: Path) -> None:
    """Temporary files of atomic writes interrupted by a crash."""
    for folder in folders:
        if folder.is_dir():
            for tmp in folder.glob(".*.tmp-*"):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()


def _refuse(out: Path, diffs: list[str]) -> RuntimeError:
    return RuntimeError(
        f"{str(out)!r} holds (part of) a run with other inputs or options: {'; '.join(diffs)}. "
        "Rerun with the same inputs and options to resume, pass --overwrite (overwrite=True) to start over, "
        "or choose another --out"
    )


def _chunks(
    records: Iterator[RawRecord], size: int, max_chars: int, text_field: str
) -> Iterator[list[RawRecord]]:
    chunk: list[RawRecord] = []
    chars = 0
    for record in records:
        chunk.append(record)
        text = (record.data or {}).get(text_field)
        chars += len(text) if isinstance(text, str | bytes) else 0
        if len(chunk) >= size or chars >= max_chars:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _classify(
    valid: list[ValidRecord],
    classifier: ArticleClassifier,
    opts: ScoreOptions,
    dyads: dict[str, list[Any]] | None = None,
) -> tuple[dict[str, list[Any]], dict[int, str]]:
    """Stance rows of the valid records, and the reason per ``seq`` of those the classifier failed on;
    their dyad rows are appended to ``dyads``.

    A failing batch is retried one article at a time so that one bad article does not fail the others
    (``core.score_with_retry``, shared with the Ray engine).
    """
    return score_with_retry(
        to_columns(valid, opts.output_fields), classifier, opts.batch_size, [r.seq for r in valid], dyads
    )


Seen = Callable[[str], "tuple[str, int | None] | None"]
# (seq, source, line, id, reason): an error record has a reason, a valid one None.
Outcome = tuple[int, str, "int | None", "str | None", "str | None"]


def validate_chunk(
    chunk: list[RawRecord], seq: int, opts: ScoreOptions, seen: Seen
) -> tuple[list[ValidRecord | ErrorRecord], dict[str, tuple[str, int | None]]]:
    """Validate a chunk whose first record has number ``seq``; a record whose id was seen before
    (``seen(id)``: where, for earlier chunks; or earlier in this chunk) is a "duplicate id" error.
    Returns the outcomes in input order and the ids this chunk claims, with where."""
    outcomes: list[ValidRecord | ErrorRecord] = []
    claims: dict[str, tuple[str, int | None]] = {}
    for offset, raw in enumerate(chunk):
        record = validate(raw, seq + offset, opts.validate_options)
        if record.id is not None:
            first = claims.get(record.id) or seen(record.id)
            if first is not None:
                where = first[0] if first[1] is None else f"{first[0]} line {first[1]}"
                record = ErrorRecord(
                    record.seq,
                    record.source,
                    record.line,
                    record.id,
                    f"duplicate id (first seen in {where})",
                )
            else:
                claims[record.id] = (record.source, record.line)
        outcomes.append(record)
    return outcomes, claims


# Columns of a records part that describe a valid record (null for an error row).
RECORD_EXTRAS: tuple[str, ...] = ("date_status", *LANGUAGE_COLUMNS)


def record_extras(record: ValidRecord) -> dict[str, Any]:
    return {"date_status": record.date_status, **{c: record.extra.get(c) for c in LANGUAGE_COLUMNS}}


def chunk_records(
    outcomes: list[Outcome],
    stances: dict[str, list[Any]],
    failures: dict[int, str],
    extras: dict[int, dict[str, Any]] | None = None,
) -> tuple[dict[str, list[Any]], int, int]:
    """The rows of a chunk's records part (``RECORD_SCHEMA``), its scored count and how many
    of those name no country, from the outcomes, the stance rows and the classifier failures
    (``extras``: per ``seq``, the ``RECORD_EXTRAS`` of a valid record: how its date parsed, its language)."""
    extras = extras or {}
    per_id: dict[str, int] = {}
    for article_id in stances["id"]:
        per_id[article_id] = per_id.get(article_id, 0) + 1
    records: dict[str, list[Any]] = {name: [] for name in RECORD_SCHEMA.names}
    scored = no_country = 0
    for seq, source, line, record_id, error in outcomes:
        reason = error or failures.get(seq)
        n_rows = 0 if reason else per_id.get(record_id, 0)
        scored += reason is None
        no_country += reason is None and n_rows == 0
        for name, value in zip(
            RECORD_SCHEMA.names,
            (
                seq,
                source,
                line,
                record_id,
                "failed" if reason else "scored",
                reason,
                n_rows,
                *(extras.get(seq, {}).get(name) for name in RECORD_EXTRAS),
            ),
            strict=True,
        ):
            records[name].append(value)
    return records, scored, no_country


class _Run:
    """State of one local run over an output folder."""

    def __init__(self, opts: ScoreOptions, classifier: ArticleClassifier, journal: Journal) -> None:
        self.opts = opts
        self.classifier = classifier
        self.journal = journal
        self.parts = opts.out_dir / WORK / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)

    def part(self, kind: str, index: int) -> Path:
        return self.parts / f"{kind}-{index:06d}.parquet"

    def process(self, index: int, chunk: list[RawRecord], seq: int) -> ChunkEntry:
        opts, journal = self.opts, self.journal
        outcomes, claims = validate_chunk(chunk, seq, opts, journal.seen)
        valid = [r for r in outcomes if isinstance(r, ValidRecord)]
        dyads = empty_dyads(opts.output_fields)
        stances, failures = _classify(valid, self.classifier, opts, dyads)
        records, scored, no_country = chunk_records(
            [
                (r.seq, r.source, r.line, r.id, r.reason if isinstance(r, ErrorRecord) else None)
                for r in outcomes
            ],
            stances,
            failures,
            {r.seq: record_extras(r) for r in valid},
        )
        fields = opts.output_fields
        articles = aggregate_articles(stances, fields, dyads)
        rows = write_parquet_atomic(self.part("stances", index), stances, stance_schema(fields))
        article_rows = write_parquet_atomic(self.part("articles", index), articles, article_schema(fields))
        write_parquet_atomic(self.part("dyads", index), dyads, dyad_schema(fields))
        write_parquet_atomic(self.part("records", index), records, RECORD_SCHEMA)
        entry = ChunkEntry(
            index, len(outcomes), scored, len(outcomes) - scored, rows, article_rows, no_country
        )
        journal.commit(entry, ((i, s, ln) for i, (s, ln) in claims.items()))
        release_free_memory()
        return entry

    def merge(self, entries: list[ChunkEntry], metadata: dict[str, str]) -> dict[str, str]:
        out, fields = self.opts.out_dir, self.opts.output_fields
        indices = [e.index for e in entries]
        merge_parquet(
            (self.part("stances", i) for i in indices),
            out / "stances.parquet",
            stance_schema(fields),
            metadata=metadata,
        )
        merge_parquet(
            (self.part("articles", i) for i in indices),
            out / "articles.parquet",
            article_schema(fields),
            metadata=metadata,
        )
        merge_parquet(
            (self.part("dyads", i) for i in indices),
            out / "dyads.parquet",
            dyad_schema(fields),
            metadata=metadata,
        )
        merge_errors((self.part("records", i) for i in indices), out / "errors.jsonl")
        return {name: str(out / name) for name in OUTPUT_FILES}


def prepare_out(out: Path) -> None:
    """Create the output folder, or say at once why it cannot be one (before any model is loaded)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {str(out)!r} is a file, not a folder; choose a folder path (it is created)")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as err:
        raise ValueError(
            f"cannot write to --out {str(out)!r} ({err.strerror or err}); choose a folder you can write to"
        ) from None


def open_inputs(opts: ScoreOptions) -> tuple[list[InputSpec], list[dict[str, Any]]]:
    """The inputs' specs and their manifest description, and the output folder created; raises before any
    model is loaded when the inputs hold no record or the folder cannot be written (both engines)."""
    specs = resolve_inputs(opts.inputs, opts.read_options)
    if not has_records(specs, opts.read_options):
        raise ValueError(
            f"the inputs {[str(p) for p in opts.inputs]} hold no records (empty files?); nothing to score"
        )
    inputs = describe_inputs(specs)
    prepare_out(opts.out_dir)
    return specs, inputs


def expected_model_name(model: str | None) -> str:
    """The ``name`` that ``inference.load_classifier(model)`` gives its classifier."""
    return "default" if model is None else str(model)


def run_local(opts: ScoreOptions, classifier: ArticleClassifier | None, load: Any) -> Manifest:
    """Score ``opts.inputs`` into ``opts.out_dir``, resuming a run cut short; see the module doc.

    ``load(model)`` returns a classifier; it is called only when ``classifier`` is None and
    there is work to do. Everything that can be known from the inputs and the output folder
    (missing fields, no records, an unwritable folder, a finished run) is checked first.
    """
    started = time.monotonic()
    out = opts.out_dir
    specs, inputs = open_inputs(opts)
    with _locked(out):
        if opts.overwrite:
            _clear(out)
        work = out / WORK
        _remove_temporaries(out, work / "parts")
        wanted = {"inputs": inputs, "options": opts.fingerprint_options()}
        manifest_path = out / "manifest.json"
        previous = Manifest.load(manifest_path) if manifest_path.exists() else None
        journal_path = work / "journal.sqlite"
        stored = None
        if journal_path.exists():
            journal = Journal(journal_path)
            stored = journal.get("fingerprint")
            journal.close()
        for old in (previous.fingerprint() if previous else None, stored):
            if old is not None:
                diffs = fingerprint_diff({k: old.get(k) for k in wanted}, wanted)
                if diffs:
                    raise _refuse(out, diffs)
        name = (
            getattr(classifier, "name", None) if classifier is not None else expected_model_name(opts.model)
        )
        if previous is not None and previous.complete and previous.model == name:
            remove_tree(work)
            log.info("%s is already complete; pass --overwrite to score again", out)
            return dataclasses.replace(previous, last_run={"records": 0, "scored": 0, "elapsed_s": 0.0})
        if classifier is None:
            classifier = load(opts.model)
        model = str(getattr(classifier, "name", type(classifier).__name__))
        for old in (previous.fingerprint() if previous else None, stored):
            if old is not None and old.get("model") != model:
                raise _refuse(out, [f"model was {old.get('model')!r}, now {model!r}"])
        if previous is not None and previous.complete:
            remove_tree(work)
            log.info("%s is already complete; pass --overwrite to score again", out)
            return dataclasses.replace(previous, last_run={"records": 0, "scored": 0, "elapsed_s": 0.0})
        return _run(opts, classifier, specs, {**wanted, "model": model}, started)


def _run(
    opts: ScoreOptions,
    classifier: ArticleClassifier,
    specs: list[Any],
    fingerprint: dict[str, Any],
    started: float,
) -> Manifest:
    out = opts.out_dir
    journal = Journal(out / WORK / "journal.sqlite")
    try:
        sizes = {
            "chunk_size": opts.chunk_size,
            "chunk_chars": opts.chunk_chars,
            "batch_size": opts.batch_size,
        }
        if journal.get("fingerprint") is None:
            journal.set("fingerprint", fingerprint)
            journal.set("sizes", sizes)
            journal.set("started_at", _now())
            journal.set("runs", 1)
        else:
            journal.set("runs", int(journal.get("runs") or 1) + 1)
            first = journal.get("sizes") or sizes
            if first != sizes:
                # The same batches as the first run keep even the last float digits of the scores identical.
                log.warning("resuming with the chunk and batch sizes of the first run: %s", first)
                opts = dataclasses.replace(opts, **first)
        run = _Run(opts, classifier, journal)
        entries = journal.chunks()
        skip = sum(e.records for e in entries)
        if skip:
            log.info("resuming: %s records in %d chunks already scored", f"{skip:,}", len(entries))
        position = ReadPosition()
        stream = iter_records(specs, opts.read_options, position)
        for skipped in range(skip):
            if next(stream, None) is None:
                raise RuntimeError(
                    f"the inputs hold {skipped} records but {skip} were committed before; "
                    "they changed since the first run: pass --overwrite to start over"
                )
        progress = Progress(
            sum(i["bytes"] for i in fingerprint["inputs"]),
            enabled=opts.progress,
            log_every_s=opts.log_every_s,
            start_bytes=position.bytes(),
        )
        this_run = {"records": 0, "scored": 0}
        try:
            with sentence_progress(classifier, progress):  # progress inside long records too
                for chunk in _chunks(stream, opts.chunk_size, opts.chunk_chars, opts.text_field):
                    entry = run.process(len(entries), chunk, skip)
                    entries.append(entry)
                    skip += entry.records
                    this_run["records"] += entry.records
                    this_run["scored"] += entry.scored
                    progress.update(entry.records, entry.failed, position.bytes())
        except KeyboardInterrupt:
            raise KeyboardInterrupt(
                f"interrupted: {skip:,} records in {len(entries)} chunks are saved in {str(out / WORK)!r}; "
                "rerun the same command to resume from there (--overwrite starts over)"
            ) from None
        finally:
            progress.close()
        info = model_provenance(classifier)
        outputs = run.merge(entries, parquet_metadata(info, fingerprint["options"]))
        dates = count_values((run.part("records", e.index) for e in entries), "date_status")
        languages, uncovered = count_languages(run.part("records", e.index) for e in entries)
        manifest = Manifest(
            model_info=info,
            dates=dates,
            languages=languages,
            uncovered_languages=uncovered,
            read=sum(e.records for e in entries),
            scored=sum(e.scored for e in entries),
            failed=sum(e.failed for e in entries),
            rows=sum(e.rows for e in entries),
            article_rows=sum(e.article_rows for e in entries),
            no_country=sum(e.no_country for e in entries),
            model=fingerprint["model"],
            engine="local",
            inputs=fingerprint["inputs"],
            options=fingerprint["options"],
            outputs=outputs,
            started_at=journal.get("started_at"),
            finished_at=_now(),
            runs=int(journal.get("runs")),
            last_run={**this_run, "elapsed_s": round(time.monotonic() - started, 3)},
            complete=True,
        )
        first = datetime.fromisoformat(manifest.started_at)
        manifest.elapsed_s = round((datetime.fromisoformat(manifest.finished_at) - first).total_seconds(), 3)
        if manifest.read != manifest.scored + manifest.failed:  # pragma: no cover - a bug, not bad data
            raise RuntimeError(
                f"internal error: read {manifest.read} != scored {manifest.scored} + failed {manifest.failed}"
            )
    finally:
        journal.close()
    write_json_atomic(out / "manifest.json", manifest.to_dict())
    remove_tree(out / WORK)
    return manifest
