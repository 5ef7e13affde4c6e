"""``score``, ``report`` and ``series``: the Python API behind ``diplostance score`` and ``diplostance report``."""

from __future__ import annotations

import dataclasses
import functools
import importlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from inference.batch.core import ArticleClassifier, reserved_names
from inference.batch.manifest import Manifest
from inference.batch.options import ScoreOptions
from inference.batch.readers import ReadOptions, discover_fields, resolve_inputs

log = logging.getLogger("inference.batch")


def load_classifier(model: str | None, device: str = "auto", precision: str = "auto") -> ArticleClassifier:
    """The project's classifier (``inference.load_classifier``) on ``device`` in ``precision``, imported
    only when needed."""
    try:
        loader = importlib.import_module("inference").load_classifier
    except (ImportError, AttributeError):
        raise RuntimeError(
            "inference.load_classifier is not available in this installation; "
            "pass classifier=... to inference.batch.score"
        ) from None
    return loader(model, device=device, precision=precision)


def score(
    inputs: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    classifier: ArticleClassifier | None = None,
    model: str | None = None,
    lang: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    keep: Sequence[str] | None = None,
    date_format: str | None = None,
    text_format: str = "auto",
    engine: str = "local",
    overwrite: bool = False,
    chunk_size: int = 250,
    batch_size: int = 32,
    max_chars: int = 5_000_000,
    progress: bool | None = None,
    address: str | None = None,
    num_workers: int | None = None,
    parquet_layout: str = "file",
    device: str = "auto",
    gpus_per_worker: float | None = None,
    precision: str = "auto",
) -> Manifest:
    """Score every article of ``inputs`` into ``out_dir``; resumes a run that was cut short.

    Writes ``stances.parquet``, ``articles.parquet``, ``errors.jsonl`` and ``manifest.json``
    (see ``inference/batch/local.py``). Every record read is scored or listed in
    ``errors.jsonl``: ``read == scored + failed``. ``classifier`` defaults to
    ``inference.load_classifier(model)``, loaded only if there is work to do.
    ``lang`` is the language of records without a ``lang`` field.

    Every output row carries the record's ``lang``, ``date`` (parsed to a date; ``date_raw``
    holds the text of a date that did not parse, ``date_format`` such as ``"%d/%m/%Y"`` reads
    ambiguous numeric dates) and the input fields named in ``keep`` (default: every other field
    of the CSV header, Parquet schema or first JSONL records, as strings).
    ``text_format``: ``"html"`` strips markup and entities and splits paragraphs on block
    elements; ``"auto"`` (default) does so for texts that obviously are HTML; ``"text"`` never.
    Offsets of an HTML record refer to the extracted text (``inference.batch.html_text``).

    ``engine="ray"`` scores on Ray Data (``docs/ray.md``): ``address`` joins a running cluster
    (default: start a local instance and shut it down at the end), ``num_workers`` scoring
    actors (default: one per CPU), ``parquet_layout="folder"`` writes ``stances.parquet`` and
    ``articles.parquet`` as folders of part files. The Ray engine does not resume a run.

    ``device`` (``auto`` | ``cpu`` | ``cuda`` | ``mps``) is where the loaded classifier runs; ``auto`` picks
    an accelerator when present. With Ray, ``gpus_per_worker`` makes each actor reserve that many GPUs (and
    run on CUDA; default workers: GPUs / gpus_per_worker); without it the actors run on the CPU.
    ``precision`` (``auto`` | ``fp32`` | ``bf16`` | ``fp16`` on an accelerator | ``int8`` on the CPU) is the
    loaded classifier's arithmetic (``inference.load_classifier``; ``int8`` is the opt-in for CPUs without
    bf16, its cost in the README).
    """
    paths = [inputs] if isinstance(inputs, str | os.PathLike) else list(inputs)
    if isinstance(keep, str):
        raise TypeError(f"keep must be a list of field names, got the string {keep!r}; e.g. keep=[{keep!r}]")
    opts = ScoreOptions(
        inputs=tuple(Path(p) for p in paths),
        out_dir=Path(out_dir),
        model=model,
        lang=lang or None,
        text_field=text_field,
        id_field=id_field,
        passthrough=tuple(dict.fromkeys(["lang", "date", *(keep if keep is not None else ["title"])])),
        date_format=date_format,
        text_format=text_format,
        engine=engine,
        overwrite=overwrite,
        chunk_size=chunk_size,
        batch_size=batch_size,
        max_chars=max_chars,
        progress=progress,
        address=address or None,
        num_workers=num_workers,
        parquet_layout=parquet_layout,
        device=device,
        gpus_per_worker=gpus_per_worker,
        precision=precision,
    )
    # Every other input field by default (options are checked first, so their errors come first).
    if keep is None:
        fields = ReadOptions(id_field, text_field)
        found = discover_fields(resolve_inputs(paths, fields), fields)
        skipped = [name for name in found if reserved_names([name])]
        if skipped:
            log.warning("input fields %s are names of output columns and are not passed through", skipped)
        keep = ["title", *(n for n in found if n not in ("lang", "date", "title") and n not in skipped)]
        opts = dataclasses.replace(opts, passthrough=tuple(dict.fromkeys(["lang", "date", *keep])))
    if classifier is not None and not isinstance(classifier, ArticleClassifier):
        raise TypeError(
            f"classifier {classifier!r} has no name and classify_many(texts, lang); see ArticleClassifier"
        )
    settings = {
        name: value
        for name, value in (("device", opts.worker_device), ("precision", opts.precision))
        if value != "auto"
    }
    load = functools.partial(load_classifier, **settings) if settings else load_classifier
    if opts.engine == "ray":
        try:
            ray_engine = importlib.import_module("inference.batch.ray_engine")
        except ModuleNotFoundError as err:
            raise RuntimeError(
                f"engine 'ray' is not available ({err}); install it with pip install 'diplostance[ray]' "
                "or use engine='local' (--engine local)"
            ) from None
        return ray_engine.run(opts, classifier, load)
    from inference.batch.local import run_local

    return run_local(opts, classifier, load)


def report(out_dir: str | os.PathLike[str], *, top: int = 8) -> dict[str, Path]:
    """Write ``report.png`` and ``report.html`` for a finished ``score`` run; returns their paths."""
    from inference.batch.report import write_report

    return write_report(Path(out_dir), top=top)


def series(out_dir: str | os.PathLike[str], unit: str = "month") -> dict[str, Path]:
    """Write ``series_countries_<unit>.csv`` (per period: each country's stance counts) and, where the run has
    ``dyads.parquet``, ``series_dyads_<unit>.csv`` (each ordered pair's dyads, details and intensity) for a
    finished ``score`` run; returns their paths."""
    from inference.batch.series import write_series

    return write_series(Path(out_dir), unit)
