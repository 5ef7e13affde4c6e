"""diplostance inference: find countries in articles and classify stance toward each.

Public API (imported lazily, so ``find_countries`` never loads torch)::

    from inference import load_classifier, classify, find_countries
    load_classifier().classify_dyads(text)  # directed dyads: who acts toward whom (DyadResult)

It also registers the model directory with transformers (``inference.hf_register``): after
``import inference``, ``AutoConfig`` / ``AutoModel.from_pretrained(dir)`` and
``pipeline("country-stance", model=dir)`` work without ``trust_remote_code``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import hf_register

__all__ = [
    "CountryMention",
    "DyadResult",
    "SentenceResult",
    "StanceResult",
    "TargetResult",
    "classify",
    "find_countries",
    "language_of",
    "load_classifier",
    "resolve_encoder",
]

_EXPORTS = {
    "CountryMention": "inference.results",
    "DyadResult": "inference.results",
    "SentenceResult": "inference.results",
    "StanceResult": "inference.results",
    "TargetResult": "inference.results",
    "find_countries": "inference.countries",
    "language_of": "inference.countries",
    "load_classifier": "inference.classifier",
    "classify": "inference.classifier",
    "resolve_encoder": "inference.encoder",
}

if TYPE_CHECKING:  # pragma: no cover
    from .classifier import classify, load_classifier
    from .countries import find_countries, language_of
    from .encoder import resolve_encoder
    from .results import CountryMention, DyadResult, SentenceResult, StanceResult, TargetResult


hf_register.install()  # imports nothing now; registers when transformers' Auto classes are imported


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'inference' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
