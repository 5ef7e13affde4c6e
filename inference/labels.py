"""The label schema of the task (see ../shared/guidelines/stance.md).

Label *order* is fixed here, never derived from data: heads index into these tuples.
"""

from __future__ import annotations

DETAIL_LABELS: tuple[str, ...] = (
    "neutral",
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)
STANCE_LABELS: tuple[str, ...] = ("cooperative", "conflictual", "neutral")
SENTIMENT_LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

DETAIL_TO_STANCE: dict[str, str] = {
    "neutral": "neutral",
    "verbal_cooperation": "cooperative",
    "material_cooperation": "cooperative",
    "verbal_conflict": "conflictual",
    "material_conflict": "conflictual",
}


def stance_of(detail: str) -> str:
    """Collapse a five-way detail label to its three-way stance."""
    try:
        return DETAIL_TO_STANCE[detail]
    except KeyError:
        raise ValueError(f"unknown detail label {detail!r}; expected one of {list(DETAIL_LABELS)}") from None


def check_label(value: str, allowed: tuple[str, ...], what: str) -> str:
    """Return ``value`` if it is one of ``allowed``; otherwise raise a ValueError naming both."""
    if value not in allowed:
        raise ValueError(f"unknown {what} label {value!r}; expected one of {list(allowed)}")
    return value
