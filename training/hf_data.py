"""Training examples as ``datasets`` tables: declared features, one ``DatasetDict`` (train/dev) per source.

The readers yield :class:`~training.examples.Example` objects; :func:`example_row` turns one into a row of
:data:`FEATURES` (labels as ``ClassLabel``, a missing label as ``None``) and :func:`row_example` turns it back,
so the table is a lossless record of what a config trains and evaluates on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from inference.heads import PAIR_LABELS
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS

from .examples import Example, Pair, Target


def _require_datasets():
    try:
        import datasets
    except ModuleNotFoundError as err:  # the `train` extra
        raise ModuleNotFoundError(
            "training needs the 'datasets' package: pip install 'diplostance[train]'"
        ) from err
    return datasets


def features():
    """The declared schema of a training row."""
    ds = _require_datasets()
    detail = ds.ClassLabel(names=list(DETAIL_LABELS))
    return ds.Features(
        {
            "id": ds.Value("string"),
            "source": ds.Value("string"),
            "lang": ds.Value("string"),
            "text": ds.Value("string"),
            "group": ds.Value("string"),
            "sentence_head": ds.Value("string"),
            "sentence_detail": detail,
            "targets": ds.List(
                {
                    "spans": ds.List(ds.List(ds.Value("int32"))),
                    "country": ds.Value("string"),
                    "detail": detail,
                    "sentiment": ds.ClassLabel(names=list(SENTIMENT_LABELS)),
                }
            ),
            "pairs": ds.List(
                {
                    "source": ds.Value("int32"),
                    "target": ds.Value("int32"),
                    "label": ds.ClassLabel(names=list(PAIR_LABELS)),
                    "intensity": ds.Value("float32"),
                }
            ),
        }
    )


def _index(labels: tuple[str, ...], label: str | None) -> int | None:
    return None if label is None else labels.index(label)


def _name(labels: tuple[str, ...], index: int | None) -> str | None:
    return None if index is None or index < 0 else labels[index]


def example_row(e: Example) -> dict[str, Any]:
    """One :data:`features` row (label indices) for ``e``."""
    return {
        "id": e.id,
        "source": e.source,
        "lang": e.lang,
        "text": e.text,
        "group": e.group,
        "sentence_head": e.sentence_head,
        "sentence_detail": _index(DETAIL_LABELS, e.sentence_detail),
        "targets": [
            {
                "spans": [list(s) for s in t.spans],
                "country": t.country,
                "detail": _index(DETAIL_LABELS, t.detail),
                "sentiment": _index(SENTIMENT_LABELS, t.sentiment),
            }
            for t in e.targets
        ],
        "pairs": [
            {
                "source": p.source,
                "target": p.target,
                "label": PAIR_LABELS.index(p.label),
                "intensity": p.intensity,
            }
            for p in e.pairs
        ],
    }


def row_example(row: Mapping[str, Any]) -> Example:
    """The :class:`Example` a row of :func:`features` records (inverse of :func:`example_row`)."""
    return Example(
        id=row["id"],
        source=row["source"],
        lang=row["lang"],
        text=row["text"],
        group=row["group"],
        sentence_head=row["sentence_head"],
        sentence_detail=_name(DETAIL_LABELS, row["sentence_detail"]),
        targets=[
            Target(
                spans=[(int(a), int(b)) for a, b in t["spans"]],
                country=t["country"],
                detail=_name(DETAIL_LABELS, t["detail"]),
                sentiment=_name(SENTIMENT_LABELS, t["sentiment"]),
            )
            for t in row["targets"]
        ],
        pairs=[Pair(p["source"], p["target"], PAIR_LABELS[p["label"]], p["intensity"]) for p in row["pairs"]],
    )


def examples_dataset(examples: Iterable[Example]):
    """A ``datasets.Dataset`` of :func:`features` rows."""
    ds = _require_datasets()
    return ds.Dataset.from_list([example_row(e) for e in examples], features=features())


def source_datasets(data: Mapping[str, Any]) -> dict[str, Any]:
    """Per source name, a ``DatasetDict`` with its ``train`` and ``dev`` splits (``data``: from
    :func:`training.data.load_sources`)."""
    ds = _require_datasets()
    return {
        name: ds.DatasetDict({"train": examples_dataset(sd.train), "dev": examples_dataset(sd.dev)})
        for name, sd in data.items()
    }


def save_sources(data: Mapping[str, Any], out: Path) -> dict[str, dict[str, int]]:
    """``save_to_disk`` each source's ``DatasetDict`` under ``out/<name>``; rows per split."""
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, dd in source_datasets(data).items():
        dd.save_to_disk(str(out / name))
        sizes[name] = {split: len(d) for split, d in dd.items()}
    return sizes
