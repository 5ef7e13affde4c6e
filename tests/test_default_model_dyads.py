"""The shipped default model (real encoder): it loads whatever its format, and reads dyads once it has a pair head."""

from __future__ import annotations

import pytest

from inference.classifier import DEFAULT_MODEL_DIR, load_classifier

pytestmark = pytest.mark.slow
DONE_WHEN = "Britain and France warned Russia over its troop build-up near Ukraine."


def test_default_model_loads_and_reads_dyads_when_it_can() -> None:
    if not (DEFAULT_MODEL_DIR / "config.json").is_file():
        pytest.skip("no default model")
    clf = load_classifier(precision="fp32")
    countries = {r.country for r in clf.classify(DONE_WHEN)}
    assert {"GBR", "FRA", "RUS"} <= countries
    if not clf.has_dyads:  # a model trained before dyads (format 1): stances only, a clear error for dyads
        with pytest.raises(ValueError, match="has no pair head"):
            clf.classify_dyads(DONE_WHEN)
        return
    dyads = {(d.source, d.target): d for d in clf.classify_dyads(DONE_WHEN)}
    for source in ("GBR", "FRA"):
        assert dyads[(source, "RUS")].detail == "verbal_conflict"
    assert ("GBR", "FRA") not in dyads and ("FRA", "GBR") not in dyads
