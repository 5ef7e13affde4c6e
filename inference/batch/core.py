"""The engine-free core: score a columnar batch, aggregate stance rows per article and country.

Both functions map a ``dict[str, list]`` of columns to another, so an engine (the local loop,
Ray Data's ``map_batches``) can call them on its own batches.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from inference.batch.dyads import (
    ARTICLE_DYAD_COLUMNS,
    add_dyad_rows,
    dyad_counts,
    dyad_schema,
    empty_dyads,
    reads_dyads,
)
from inference.batch.languages import LANGUAGE_COLUMNS
from inference.batch.schema import MENTION, passthrough_fields, sentence_row_schema
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, STANCE_LABELS
from inference.read_cache import ReadCache
from inference.results import StanceResult

READINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stance", STANCE_LABELS),
    ("detail", DETAIL_LABELS),
    ("sentiment", SENTIMENT_LABELS),
)
PROB_COLUMNS: tuple[str, ...] = tuple(f"{r}_p_{label}" for r, labels in READINGS for label in labels)
# Batch columns that are inputs only, never copied to the output rows.
INPUT_ONLY: frozenset[str] = frozenset({"id", "text"})
# A chunk whose valid articles all make the classifier fail (at least this many) stops the run:
# the classifier is broken, not the data.
SYSTEMIC_FAILURES = 5


@runtime_checkable
class ArticleClassifier(Protocol):
    """What the batch scorer needs from a classifier (``inference.load_classifier`` returns one)."""

    name: str

    def classify_many(
        self, texts: list[str], lang: str | list[str | None] | None = None
    ) -> list[list[StanceResult]]: ...


def passthrough_of(batch: dict[str, list[Any]]) -> list[str]:
    """The batch columns copied unchanged to every output row (``lang``, ``date``, ``title``...)."""
    return [name for name in batch if name not in INPUT_ONLY]


def stance_schema(passthrough: Sequence[str]) -> pa.Schema:
    fields = [
        pa.field("country", pa.string()),
        pa.field("mentions", pa.list_(MENTION)),
        pa.field("stance", pa.string()),
        pa.field("detail", pa.string()),
        pa.field("sentiment", pa.string()),
    ]
    return sentence_row_schema(passthrough, fields, PROB_COLUMNS)


def article_schema(passthrough: Sequence[str]) -> pa.Schema:
    fields = [pa.field("id", pa.string(), nullable=False)]
    fields += passthrough_fields(passthrough)
    fields += [
        pa.field("country", pa.string()),
        pa.field("n_sentences", pa.int32()),
        pa.field("n_cooperative", pa.int32()),
        pa.field("n_conflictual", pa.int32()),
        pa.field("n_neutral", pa.int32()),
        pa.field("net", pa.float32()),
    ]
    fields += [pa.field(name, pa.int32()) for name in ARTICLE_DYAD_COLUMNS]  # as source / as target
    return pa.schema(fields)


def reserved_names(passthrough: Sequence[str]) -> list[str]:
    """Pass-through names that would collide with the columns the scorer writes itself."""
    own = set(stance_schema([]).names) | set(article_schema([]).names) | set(dyad_schema([]).names)
    own |= {"text", "date_raw", *LANGUAGE_COLUMNS}
    return sorted(set(passthrough) & own)


def _check_result(result: StanceResult, text: str, article_id: str) -> None:
    if not 0 <= result.start <= result.end <= len(text):
        raise ValueError(
            f"classifier returned sentence offsets [{result.start}, {result.end}) outside article {article_id!r} "
            f"of {len(text)} characters"
        )


def score_batch(
    batch: dict[str, list[Any]], classifier: ArticleClassifier, dyads: dict[str, list[Any]] | None = None
) -> dict[str, list[Any]]:
    """Stance rows (one per article, sentence and country) for a columnar batch of valid records.

    With ``dyads`` (columns of ``batch.dyads.dyad_schema``) and a classifier that reads dyads, the
    dyad rows of the same pass are appended to it.

    ``batch`` needs ``id`` and ``text`` columns and may have ``lang`` (per-article language,
    ``None`` = unknown) and any pass-through columns, which are copied to each row.
    Raises whatever the classifier raises; the engine decides what to do with a failure.
    """
    for name in ("id", "text"):
        if name not in batch:
            raise ValueError(f"batch has no {name!r} column; found columns {sorted(batch)}")
    texts = list(batch["text"])
    extra = passthrough_of(batch)
    schema = stance_schema(extra)
    out: dict[str, list[Any]] = {name: [] for name in schema.names}
    if not texts:
        return out
    langs = batch.get("lang")
    lang = list(langs) if langs is not None else None
    dyad_results = None
    if dyads is not None and reads_dyads(classifier):
        results, dyad_results = classifier.analyse_many(texts, lang=lang)  # type: ignore[attr-defined]
    else:
        results = classifier.classify_many(texts, lang=lang)
    if len(results) != len(texts) or (dyad_results is not None and len(dyad_results) != len(texts)):
        raise RuntimeError(
            f"classifier {getattr(classifier, 'name', classifier)!r} returned {len(results)} results for {len(texts)} texts"
        )
    for i, rows in enumerate(results):
        article_id = batch["id"][i]
        for result in rows:
            _check_result(result, texts[i], article_id)
            out["id"].append(article_id)
            for name in extra:
                out[name].append(batch[name][i])
            out["sentence_index"].append(result.sentence_index)
            out["start"].append(result.start)
            out["end"].append(result.end)
            out["sentence"].append(result.sentence)
            out["country"].append(result.country)
            out["mentions"].append([{"start": int(s), "end": int(e)} for s, e in result.mentions])
            out["stance"].append(result.stance)
            out["detail"].append(result.detail)
            out["sentiment"].append(result.sentiment)
            for reading, labels in READINGS:
                probs = result.scores.get(reading, {})
                for label in labels:
                    value = probs.get(label)
                    out[f"{reading}_p_{label}"].append(None if value is None else float(value))
    if dyad_results is not None and dyads is not None:
        add_dyad_rows(dyads, batch, extra, dyad_results)
    return out


@contextlib.contextmanager
def reading_once(classifier: Any) -> Iterator[None]:
    """While inside, a sentence the classifier read in an earlier call is taken from a fresh
    :class:`~inference.read_cache.ReadCache`, not read again (a classifier without a ``read_cache``
    attribute, such as a test fake, reads as it always does)."""
    if not hasattr(classifier, "read_cache"):
        yield
        return
    saved = classifier.read_cache
    classifier.read_cache = ReadCache()
    try:
        yield
    finally:
        classifier.read_cache = saved


def score_with_retry(
    batch: dict[str, list[Any]],
    classifier: ArticleClassifier,
    batch_size: int,
    keys: Sequence[Any],
    dyads: dict[str, list[Any]] | None = None,
) -> tuple[dict[str, list[Any]], dict[Any, str]]:
    """``score_batch`` over slices of ``batch_size`` rows of one chunk, with per-article retry.

    Returns the stance rows and, per key (``keys[i]`` names row ``i``, e.g. its ``seq``), the
    reason the classifier failed on that article. A failing slice is retried one article at a
    time so that one bad article does not fail the others. Raises RuntimeError when every
    article of a chunk of at least ``SYSTEMIC_FAILURES`` fails (a broken classifier). Both
    engines call this once per chunk, so their classifier calls see the same batches. ``dyads``
    (optional) collects the dyad rows of the articles scored, as ``score_batch`` does. A sentence
    repeated across the chunk's slices is read once (:func:`reading_once`); the cache ends with the
    chunk, the unit a run resumes from, so a resumed run reads each chunk as the first run did.
    """
    n = len(batch["id"])
    if len(keys) != n:
        raise ValueError(f"{len(keys)} keys for a batch of {n} rows")
    rows: dict[str, list[Any]] = {name: [] for name in stance_schema(passthrough_of(batch)).names}
    failures: dict[Any, str] = {}

    def add(start: int, stop: int) -> None:
        part = {name: values[start:stop] for name, values in batch.items()}
        found = empty_dyads(passthrough_of(batch)) if dyads is not None else None
        for name, values in score_batch(part, classifier, found).items():
            rows[name].extend(values)
        for name, values in (found or {}).items():  # only once the slice succeeded
            dyads[name].extend(values)  # type: ignore[index]

    with reading_once(classifier):
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            try:
                add(start, stop)
                continue
            except Exception as err:
                if stop - start == 1:
                    failures[keys[start]] = f"classifier failed: {type(err).__name__}: {err}"[:500]
                    continue
            for i in range(start, stop):
                try:
                    add(i, i + 1)
                except Exception as err:
                    failures[keys[i]] = f"classifier failed: {type(err).__name__}: {err}"[:500]
    if n >= SYSTEMIC_FAILURES and len(failures) == n:
        raise RuntimeError(
            f"the classifier failed on all {n} articles of a chunk; first: {next(iter(failures.values()))}"
        )
    return rows, failures


def aggregate_articles(
    stances: dict[str, list[Any]], passthrough: Sequence[str], dyads: dict[str, list[Any]] | None = None
) -> dict[str, list[Any]]:
    """Per (article, country): sentence counts per stance and ``net = (coop - conf) / n``, and how
    many of the article's ``dyads`` have the country as source and as target (0 without dyads).

    Rows keep the order in which each (article, country) first appears in ``stances``.
    """
    counts: dict[tuple[str, str], list[Any]] = {}
    for i, (article_id, country, stance) in enumerate(
        zip(stances["id"], stances["country"], stances["stance"], strict=True)
    ):
        entry = counts.get((article_id, country))
        if entry is None:
            entry = counts[(article_id, country)] = [i, 0, 0, 0]
        column = {"cooperative": 1, "conflictual": 2}.get(stance, 3)
        entry[column] += 1
    out: dict[str, list[Any]] = {name: [] for name in article_schema(passthrough).names}
    in_dyads = dyad_counts(dyads)
    for (article_id, country), (first, coop, conf, neutral) in counts.items():
        n = coop + conf + neutral
        out["id"].append(article_id)
        for name in passthrough:
            out[name].append(stances[name][first])
        out["country"].append(country)
        out["n_sentences"].append(n)
        out["n_cooperative"].append(coop)
        out["n_conflictual"].append(conf)
        out["n_neutral"].append(neutral)
        out["net"].append((coop - conf) / n)
        as_source, as_target = in_dyads.get((article_id, country), (0, 0))
        out["n_dyads_source"].append(as_source)
        out["n_dyads_target"].append(as_target)
    return out
