"""Batch scoring of news archives: ``score(inputs, out_dir)``, ``report(out_dir)`` and ``series(out_dir, unit)``.

The engine-free core is split so that other engines (Ray Data) can reuse it:
``readers`` (raw records with source and line) -> ``records.validate`` (valid record or
error row) -> ``core.score_batch`` (columnar batch -> stance rows) -> ``writers`` / ``local``.
"""

from __future__ import annotations

from inference.batch.api import load_classifier, report, score, series
from inference.batch.core import ArticleClassifier, aggregate_articles, score_batch
from inference.batch.manifest import Manifest

__all__ = [
    "ArticleClassifier",
    "Manifest",
    "aggregate_articles",
    "load_classifier",
    "report",
    "score",
    "score_batch",
    "series",
]
