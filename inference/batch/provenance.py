"""Provenance of a run's outputs: which model (name, version, hash of its weights) wrote them.

``model_provenance`` reads what the classifier tells about itself (``inference.load_classifier``
sets ``classifier.provenance``; another classifier gives at least its ``name``);
``parquet_metadata`` is the key-value metadata added to ``stances.parquet``,
``articles.parquet`` and ``dyads.parquet`` by both engines (key ``diplostance``, a JSON object),
so a table copied away from its ``manifest.json`` still says where it came from.
"""

from __future__ import annotations

import json
from typing import Any

METADATA_KEY = "diplostance"


def model_provenance(classifier: Any) -> dict[str, Any]:
    info = getattr(classifier, "provenance", None)
    result = dict(info) if isinstance(info, dict) else {}
    result.setdefault("name", str(getattr(classifier, "name", type(classifier).__name__)))
    return result


def parquet_metadata(model: dict[str, Any], options: dict[str, Any]) -> dict[str, str]:
    return {METADATA_KEY: json.dumps({"model": model, "options": options}, ensure_ascii=False, default=str)}


def read_parquet_provenance(path: Any) -> dict[str, Any]:
    """The ``diplostance`` metadata of a Parquet file written by ``score`` (``{}`` if none)."""
    import pyarrow.parquet as pq

    metadata = pq.read_schema(path).metadata or {}
    raw = metadata.get(METADATA_KEY.encode())
    return json.loads(raw) if raw else {}
