"""The Ray engine: score on Ray Data actors, with the local engine's reading, checks and outputs.

All Ray-specific code lives here and ``ray`` is imported inside functions only (the core and
the local engine never need it; Ray's API drifts between versions). Pipeline::

    driver:  readers -> validate + duplicate ids (local.validate_chunk) -> chunks (local._chunks)
             -> one Arrow block per chunk (every record: valid ones with their text, errors with
                their reason) -> ray.put
    Ray:     from_arrow_refs -> map_batches(ScoreActor): the classifier is loaded once per actor;
             per chunk core.score_with_retry (the same classifier batches and per-article retry
             as the local engine), local.chunk_records, core.aggregate_articles
             -> one result row per chunk (counts + the chunk's stance, article and record tables)
    driver:  results in input order (preserve_order) -> part files -> the local engine's merge
             -> stances.parquet, articles.parquet, errors.jsonl, manifest.json (written last)

The actor's batch function :func:`score_chunks` is engine-free: a ``dict[str, list]`` of
columns in, a ``dict[str, list]`` out; it runs without Ray in the tests.

Because the driver reads, validates and numbers the records exactly like the local engine, and
each chunk is classified in the same batches, both engines write the same rows for the same
input, model and ``chunk_size``/``batch_size``, and the same manifest: each result row carries the
actor's ``model_info`` (provenance, also written into the Parquet metadata) and the record rows
carry ``date_status``, ``language`` and ``language_covered``, counted as the local engine counts
them. Differences from the local engine:

- no resume: a run that fails leaves no partial outputs (``_work`` is removed) and is started
  again from scratch. A folder holding a cut-short *local* run is refused (finish it with
  ``--engine local``, or pass ``--overwrite``); a complete run with the same inputs, options and
  model is returned as is, like the local engine does;
- the driver reads and checks every record before scoring starts (the blocks wait in Ray's
  object store, which spills to disk), and it writes every output file: only the
  classification is spread over the workers;
- progress advances per chunk (the sentences are counted inside the actors, not sent back);
- ``parquet_layout="folder"`` writes ``stances.parquet/`` and ``articles.parquet/`` as folders of
  part files (``pyarrow.parquet.read_table`` reads a folder and a file the same way).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from inference.allocator import release_free_memory
from inference.batch.core import (
    ArticleClassifier,
    aggregate_articles,
    article_schema,
    score_with_retry,
    stance_schema,
)
from inference.batch.dyads import dyad_schema, empty_dyads
from inference.batch.languages import count_languages
from inference.batch.local import (
    OUTPUT_FILES,
    RECORD_EXTRAS,
    WORK,
    _chunks,
    _clear,
    _locked,
    _now,
    _refuse,
    _remove_temporaries,
    chunk_records,
    expected_model_name,
    open_inputs,
    validate_chunk,
)
from inference.batch.manifest import Manifest, fingerprint_diff
from inference.batch.options import ScoreOptions
from inference.batch.progress import Progress
from inference.batch.provenance import model_provenance, parquet_metadata
from inference.batch.readers import ReadPosition, iter_records
from inference.batch.records import ErrorRecord, ValidRecord
from inference.batch.schema import passthrough_fields
from inference.batch.writers import (
    RECORD_SCHEMA,
    atomic_path,
    count_values,
    merge_errors,
    merge_parquet,
    remove_tree,
    write_json_atomic,
)

log = logging.getLogger("inference.batch")

# Columns of a chunk block besides ``text`` and the pass-through fields (``lang`` first).
RECORD_COLUMNS: tuple[str, ...] = ("chunk", "seq", "source", "line", "id", "reason", "date_status")
# What the scoring actors return: one row per chunk.
RESULT_SCHEMA = pa.schema(
    [
        pa.field("chunk", pa.int64()),
        pa.field("model", pa.string()),
        pa.field("model_info", pa.string()),  # JSON: provenance.model_provenance of the actor's classifier
        pa.field("records", pa.int64()),
        pa.field("scored", pa.int64()),
        pa.field("failed", pa.int64()),
        pa.field("rows", pa.int64()),
        pa.field("article_rows", pa.int64()),
        pa.field("no_country", pa.int64()),
        pa.field("stances", pa.large_binary()),  # Arrow IPC stream of the chunk's stance rows
        pa.field("articles", pa.large_binary()),
        pa.field("record_rows", pa.large_binary()),  # RECORD_SCHEMA: status and reason per record
        pa.field("dyads", pa.large_binary()),  # dyad rows (batch.dyads.dyad_schema)
    ]
)


def block_schema(fields: Iterable[str]) -> pa.Schema:
    """Schema of a chunk block: one row per record, ``text`` and pass-through fields null for errors."""
    return pa.schema(
        [
            pa.field("chunk", pa.int64()),
            pa.field("seq", pa.int64()),
            pa.field("source", pa.string()),
            pa.field("line", pa.int64()),
            pa.field("id", pa.string()),
            pa.field("reason", pa.string()),
            pa.field("date_status", pa.string()),
            pa.field("text", pa.large_string()),
            *passthrough_fields(list(fields)),
        ]
    )


def chunk_columns(
    index: int, outcomes: list[ValidRecord | ErrorRecord], fields: tuple[str, ...]
) -> dict[str, list[Any]]:
    """The columns of chunk ``index`` (outcomes of ``local.validate_chunk``; ``fields`` =
    ``ScoreOptions.output_fields``): the input of :func:`score_chunks`."""
    columns: dict[str, list[Any]] = {name: [] for name in (*RECORD_COLUMNS, "text", *fields)}
    for r in outcomes:
        valid = isinstance(r, ValidRecord)
        for name, value in zip(
            RECORD_COLUMNS,
            (
                index,
                r.seq,
                r.source,
                r.line,
                r.id,
                None if valid else r.reason,
                r.date_status if valid else None,
            ),
            strict=True,
        ):
            columns[name].append(value)
        columns["text"].append(r.text if valid else None)
        for name in fields:
            columns[name].append((r.lang if name == "lang" else r.extra.get(name)) if valid else None)
    return columns


def _ipc(columns: dict[str, list[Any]], schema: pa.Schema) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        writer.write_table(pa.Table.from_pydict(columns, schema=schema))
    return sink.getvalue().to_pybytes()


def read_ipc(data: bytes) -> pa.Table:
    return pa.ipc.open_stream(data).read_all()


def score_chunks(
    batch: dict[str, list[Any]], classifier: ArticleClassifier, batch_size: int
) -> dict[str, list[Any]]:
    """The scoring actors' batch function, engine-free: records of one or more whole chunks
    (columns of :func:`chunk_columns`) in, one row per chunk (``RESULT_SCHEMA``) out.

    Each chunk goes through ``core.score_with_retry`` exactly as in the local engine; the
    records the classifier fails on are flagged in the chunk's record rows with the reason.
    """
    missing = [name for name in (*RECORD_COLUMNS, "text") if name not in batch]
    if missing:
        raise ValueError(f"batch has no columns {missing}; found {sorted(batch)}")
    fields = [name for name in batch if name not in RECORD_COLUMNS and name != "text"]
    out: dict[str, list[Any]] = {name: [] for name in RESULT_SCHEMA.names}
    model = str(getattr(classifier, "name", type(classifier).__name__))
    model_info = json.dumps(model_provenance(classifier), ensure_ascii=False, default=str)
    chunks = batch["chunk"]
    start = 0
    while start < len(chunks):
        stop = start
        while stop < len(chunks) and chunks[stop] == chunks[start]:
            stop += 1
        rows = range(start, stop)
        valid = [i for i in rows if batch["reason"][i] is None]
        columns = {"id": [batch["id"][i] for i in valid], "text": [batch["text"][i] for i in valid]}
        columns.update({name: [batch[name][i] for i in valid] for name in fields})
        dyads = empty_dyads(fields)
        stances, failures = score_with_retry(
            columns, classifier, batch_size, [batch["seq"][i] for i in valid], dyads
        )
        outcomes = [
            (batch["seq"][i], batch["source"][i], batch["line"][i], batch["id"][i], batch["reason"][i])
            for i in rows
        ]
        extras = {
            batch["seq"][i]: {name: batch[name][i] if name in batch else None for name in RECORD_EXTRAS}
            for i in valid
        }
        records, scored, no_country = chunk_records(outcomes, stances, failures, extras)
        articles = aggregate_articles(stances, fields, dyads)
        values = {
            "chunk": chunks[start],
            "model": model,
            "model_info": model_info,
            "records": len(rows),
            "scored": scored,
            "failed": len(rows) - scored,
            "rows": len(stances["id"]),
            "article_rows": len(articles["id"]),
            "no_country": no_country,
            "stances": _ipc(stances, stance_schema(fields)),
            "articles": _ipc(articles, article_schema(fields)),
            "record_rows": _ipc(records, RECORD_SCHEMA),
            "dyads": _ipc(dyads, dyad_schema(fields)),
        }
        for name, value in values.items():
            out[name].append(value)
        start = stop
    return out


class ScoreActor:
    """Ray Data callable class: loads the classifier once per actor, then scores chunk blocks.

    Give either ``classifier`` (an object, or an ObjectRef to one, pickled to each actor) or
    ``load`` and ``model`` (``load(model)`` runs in the actor: the model folder must be readable there).
    """

    def __init__(
        self,
        batch_size: int,
        classifier: Any = None,
        load: Callable[[str | None], ArticleClassifier] | None = None,
        model: str | None = None,
    ) -> None:
        if classifier is None:
            if load is None:
                raise ValueError("ScoreActor needs a classifier or a load function")
            classifier = load(model)
        elif type(classifier).__name__ == "ObjectRef":
            import ray

            classifier = ray.get(classifier)
        self.classifier = classifier
        self.batch_size = batch_size

    def __call__(self, batch: pa.Table | dict[str, Any]) -> pa.Table:
        if isinstance(batch, pa.Table):
            columns = batch.to_pydict()
        else:
            columns = {name: list(values) for name, values in batch.items()}
        table = pa.Table.from_pydict(
            score_chunks(columns, self.classifier, self.batch_size), schema=RESULT_SCHEMA
        )
        release_free_memory()
        return table


class _SeenIds:
    """The ids claimed so far, with where (SQLite on disk: memory bounded whatever their number)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE IF NOT EXISTS ids (id TEXT PRIMARY KEY, source TEXT, line INTEGER) WITHOUT ROWID;"
        )

    def seen(self, record_id: str) -> tuple[str, int | None] | None:
        row = self._db.execute("SELECT source, line FROM ids WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else (row[0], row[1])

    def add(self, claims: dict[str, tuple[str, int | None]]) -> None:
        self._db.executemany(
            "INSERT INTO ids VALUES (?, ?, ?)", ((i, s, ln) for i, (s, ln) in claims.items())
        )

    def close(self) -> None:
        self._db.close()


def _name(classifier: Any) -> str:
    return str(getattr(classifier, "name", type(classifier).__name__))


@contextlib.contextmanager
def _ray_instance(opts: ScoreOptions) -> Iterator[tuple[str, int]]:
    """Join ``opts.address``, or start a local instance (shut down at the end, also on error);
    a Ray session this process already opened is used and left running. Yields the address
    recorded in the manifest and the number of scoring actors."""
    import ray

    own = not ray.is_initialized()
    if not own:
        address = "existing session"
        log.info("using the Ray session this process already opened")
    elif opts.address:
        address = opts.address
        ray.init(address=opts.address, logging_level=logging.WARNING)
    else:
        address = "local"
        ray.init(
            num_cpus=opts.num_workers or os.cpu_count() or 1,
            include_dashboard=False,
            logging_level=logging.WARNING,
        )
    try:
        cpus = int(ray.cluster_resources().get("CPU", 1))
        workers = opts.num_workers or max(cpus, 1)
        if opts.gpus_per_worker:
            gpus = float(ray.cluster_resources().get("GPU", 0))
            if gpus < opts.gpus_per_worker:
                raise ValueError(
                    f"--gpus-per-worker {opts.gpus_per_worker:g}, but the Ray cluster has {gpus:g} GPUs; "
                    "leave --gpus-per-worker out to score on CPUs"
                )
            workers = opts.num_workers or max(1, int(gpus // opts.gpus_per_worker))
        if workers > cpus:
            log.warning(
                "%d workers asked for, but the Ray cluster has %d CPUs; some will wait", workers, cpus
            )
        yield address, workers
    finally:
        if own:
            ray.shutdown()


def run(
    opts: ScoreOptions, classifier: ArticleClassifier | None, load: Callable[[str | None], ArticleClassifier]
) -> Manifest:
    """Score ``opts.inputs`` into ``opts.out_dir`` with Ray Data; see the module doc.

    ``load(model)`` builds the classifier in each actor when ``classifier`` is None; a given
    ``classifier`` is pickled to each actor (its class must be importable on the workers).
    """
    started = time.monotonic()
    try:
        import ray.data  # noqa: F401
    except ImportError as err:
        raise RuntimeError(
            f"engine 'ray' is not available ({err}); install it with pip install 'diplostance[ray]' "
            "or use engine='local' (--engine local)"
        ) from None
    out = opts.out_dir
    specs, inputs = open_inputs(opts)
    with _locked(out):
        if opts.overwrite:
            _clear(out)
        _remove_tmp(out)
        wanted = {"inputs": inputs, "options": opts.fingerprint_options()}
        manifest_path = out / "manifest.json"
        previous = Manifest.load(manifest_path) if manifest_path.exists() else None
        if previous is not None:
            diffs = fingerprint_diff({k: previous.fingerprint().get(k) for k in wanted}, wanted)
            if diffs:
                raise _refuse(out, diffs)
            if previous.complete:  # decided before any model is loaded, as in the local engine
                model = _name(classifier) if classifier is not None else expected_model_name(opts.model)
                if previous.model != model:
                    raise _refuse(out, [f"model was {previous.model!r}, now {model!r}"])
                log.info("%s is already complete; pass --overwrite to score again", out)
                return dataclasses.replace(previous, last_run={"records": 0, "scored": 0, "elapsed_s": 0.0})
        if (out / WORK).exists():
            raise RuntimeError(
                f"{str(out)!r} holds a run of the local engine that was cut short; the Ray engine does not "
                "resume: finish it with --engine local, pass --overwrite (overwrite=True) to start over, "
                "or choose another --out"
            )
        try:
            with _ray_instance(opts) as (address, workers):
                return _run(opts, classifier, load, specs, wanted, started, address, workers)
        finally:
            remove_tree(out / WORK)
            _remove_tmp(out)


def _remove_tmp(out: Path) -> None:
    """Temporary files of atomic writes, and temporary part folders of a folder layout, cut short."""
    for tmp in out.glob(".*.parquet.tmp-*"):
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
    _remove_temporaries(out)


def _results(dataset: Any) -> Iterator[pa.Table]:
    """The actors' result batches in input order; a Ray failure becomes a RuntimeError naming the fix."""
    import ray.exceptions

    batches = iter(dataset.iter_batches(batch_size=None, batch_format="pyarrow"))
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except ray.exceptions.RayError as err:
            lines = [line for line in str(err).splitlines() if line.strip()]
            cause = next((line for line in reversed(lines) if "Error" in line), lines[-1] if lines else "")
            raise RuntimeError(
                f"the Ray engine failed: {type(err).__name__}: {cause.strip()[:400]}. If a scoring actor could "
                "not start: diplostance (and the module of a classifier object) must be importable on every "
                "worker, and the model folder readable there (docs/ray.md)"
            ) from err
        yield batch


def _write_part(path: Path, table: pa.Table) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _run(
    opts: ScoreOptions,
    classifier: ArticleClassifier | None,
    load: Callable[[str | None], ArticleClassifier],
    specs: list[Any],
    wanted: dict[str, Any],
    started: float,
    address: str,
    workers: int,
) -> Manifest:
    import ray
    import ray.data

    out, fields = opts.out_dir, opts.output_fields
    parts = out / WORK / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    started_at = _now()

    # 1. Read, validate and number every record on the driver, one block per chunk.
    seen = _SeenIds(out / WORK / "ids.sqlite")
    blocks: list[Any] = []
    marks: list[int] = []  # input bytes read at the end of each chunk
    position = ReadPosition()
    seq = 0
    schema = block_schema(fields)
    try:
        stream = iter_records(specs, opts.read_options, position)
        for index, chunk in enumerate(_chunks(stream, opts.chunk_size, opts.chunk_chars, opts.text_field)):
            outcomes, claims = validate_chunk(chunk, seq, opts, seen.seen)
            seen.add(claims)
            blocks.append(
                ray.put(pa.Table.from_pydict(chunk_columns(index, outcomes, fields), schema=schema))
            )
            marks.append(position.bytes())
            seq += len(chunk)
    finally:
        seen.close()
    log.info("read %s records in %d chunks; scoring them on %d Ray workers", f"{seq:,}", len(blocks), workers)

    # 2. Score the blocks on the actors; write each result as part files, in input order.
    if classifier is not None:
        try:
            source: dict[str, Any] = {"classifier": ray.put(classifier)}
        except Exception as err:
            raise RuntimeError(
                f"cannot send classifier {_name(classifier)!r} to the Ray workers ({type(err).__name__}: {err}); "
                "pass model=... (a folder every worker can read) instead"
            ) from None
    else:
        source = {"load": load, "model": opts.model}
    totals = dict.fromkeys(("records", "scored", "failed", "rows", "article_rows", "no_country"), 0)
    models: set[str] = set()
    infos: set[str] = set()
    n_parts = 0
    progress = Progress(
        sum(i["bytes"] for i in wanted["inputs"]), enabled=opts.progress, log_every_s=opts.log_every_s
    )
    context = ray.data.DataContext.get_current()
    saved = (context.execution_options.preserve_order, context.enable_progress_bars)
    try:
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        if blocks:
            dataset = ray.data.from_arrow_refs(blocks).map_batches(
                ScoreActor,
                fn_constructor_kwargs={"batch_size": opts.batch_size, **source},
                batch_size=None,  # one block = one whole chunk: the local engine's classifier batches
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(blocks)))),
                num_cpus=1,
                **({"num_gpus": opts.gpus_per_worker} if opts.gpus_per_worker else {}),
            )
            for batch in _results(dataset):
                for row in batch.to_pylist():
                    metadata = parquet_metadata(json.loads(row["model_info"]), wanted["options"])
                    for kind, key in (
                        ("stances", "stances"),
                        ("articles", "articles"),
                        ("records", "record_rows"),
                        ("dyads", "dyads"),
                    ):
                        table = read_ipc(row[key])
                        if kind != "records":  # parts of a folder layout say it too
                            table = table.replace_schema_metadata(metadata)
                        _write_part(parts / f"{kind}-{n_parts:06d}.parquet", table)
                    n_parts += 1
                    models.add(row["model"])
                    infos.add(row["model_info"])
                    for name in totals:
                        totals[name] += row[name]
                    progress.update(row["records"], row["failed"], marks[row["chunk"]])
    finally:
        progress.close()
        context.execution_options.preserve_order, context.enable_progress_bars = saved
    if totals["records"] != seq:  # pragma: no cover - a bug, not bad data
        raise RuntimeError(
            f"internal error: read {seq} records but the Ray workers returned {totals['records']}"
        )
    if len(models) > 1:
        raise RuntimeError(f"the Ray workers loaded different models: {sorted(models)}")
    model = models.pop() if models else _name(classifier if classifier is not None else load(opts.model))
    # The same classifier on every actor gives one provenance (an actor of another copy: refuse).
    if len(infos) > 1:
        raise RuntimeError(f"the Ray workers loaded models with different files: {sorted(infos)}")
    info = json.loads(infos.pop()) if infos else {"name": model}

    # 3. The outputs, as the local engine writes them; the manifest last.
    outputs = _write_outputs(opts, n_parts, parquet_metadata(info, wanted["options"]))
    records = [parts / f"records-{i:06d}.parquet" for i in range(n_parts)]
    languages, uncovered = count_languages(records)
    finished_at = _now()
    manifest = Manifest(
        model_info=info,
        dates=count_values(records, "date_status"),
        languages=languages,
        uncovered_languages=uncovered,
        read=totals["records"],
        **{name: value for name, value in totals.items() if name != "records"},
        model=model,
        engine="ray",
        inputs=wanted["inputs"],
        options=wanted["options"],
        outputs=outputs,
        started_at=started_at,
        finished_at=finished_at,
        runs=1,
        last_run={
            "records": totals["records"],
            "scored": totals["scored"],
            "elapsed_s": round(time.monotonic() - started, 3),
            "ray_address": address,
            "workers": workers,
            "parquet_layout": opts.parquet_layout,
        },
        complete=True,
    )
    manifest.elapsed_s = round(
        (datetime.fromisoformat(finished_at) - datetime.fromisoformat(started_at)).total_seconds(), 3
    )
    if manifest.read != manifest.scored + manifest.failed:  # pragma: no cover - a bug, not bad data
        raise RuntimeError(
            f"internal error: read {manifest.read} != scored {manifest.scored} + failed {manifest.failed}"
        )
    write_json_atomic(out / "manifest.json", manifest.to_dict())
    return manifest


def _write_outputs(opts: ScoreOptions, n_parts: int, metadata: dict[str, str]) -> dict[str, str]:
    out, fields = opts.out_dir, opts.output_fields
    parts = out / WORK / "parts"

    def part(kind: str, i: int) -> Path:
        return parts / f"{kind}-{i:06d}.parquet"

    tables = (
        ("stances", stance_schema(fields)),
        ("articles", article_schema(fields)),
        ("dyads", dyad_schema(fields)),
    )
    if opts.parquet_layout == "folder":
        for kind, table_schema in tables:
            if n_parts == 0:  # an empty folder has no schema: keep one empty part
                _write_part(part(kind, 0), table_schema.empty_table().replace_schema_metadata(metadata))
            tmp = out / f".{kind}.parquet.tmp-{uuid.uuid4().hex[:8]}"
            tmp.mkdir()
            for i in range(max(n_parts, 1)):
                os.replace(part(kind, i), tmp / f"part-{i:06d}.parquet")
            final = out / f"{kind}.parquet"
            if final.is_dir():
                shutil.rmtree(final)
            elif final.exists():
                final.unlink()
            os.replace(tmp, final)
    else:
        for kind, table_schema in tables:  # with the provenance, as the local engine writes them
            merge_parquet(
                (part(kind, i) for i in range(n_parts)),
                out / f"{kind}.parquet",
                table_schema,
                metadata=metadata,
            )
    merge_errors((part("records", i) for i in range(n_parts)), out / "errors.jsonl")
    return {name: str(out / name) for name in OUTPUT_FILES}
