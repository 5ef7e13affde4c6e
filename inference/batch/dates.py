"""Publication dates of input records: raw strings in, ``datetime.date`` out.

Understood without help: ISO 8601 (``2025-03-01``, ``2025-03-01T10:00:00Z``, ``2025-03``,
``20250301``, ``2025/03/01``), RFC 2822 (``Sat, 01 Mar 2025 10:00:00 +0000``), month names in
English (``March 3, 2025``, ``3 March 2025``, ``Mar 3 2025``) and day-month-year or
month-day-year numbers when only one reading is a valid date (``31/01/2025``). A numeric date
with two readings (``01/03/2025``) is *ambiguous*: it is kept raw unless ``date_format`` (a
``strptime`` pattern such as ``%d/%m/%Y``, ``--date-format``) says how to read it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

PARSED, UNPARSED, MISSING = "parsed", "unparsed", "missing"

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?\d{2}:?\d{2}(?::?\d{2})?Z?)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH_DAY_YEAR = re.compile(r"^(?:[A-Za-z]+,?\s+)?([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_DAY_MONTH_YEAR = re.compile(
    r"^(?:[A-Za-z]+,?\s+)?(\d{1,2})(?:st|nd|rd|th)?\.?\s+([A-Za-z]+)\.?,?\s+(\d{4})$"
)


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str | None, date_format: str | None = None) -> tuple[date | None, str]:
    """``(date, status)``: status is ``parsed``, ``unparsed`` (kept raw) or ``missing`` (no value)."""
    if value is None or not str(value).strip():
        return None, MISSING
    text = str(value).strip()
    if date_format:
        try:
            return datetime.strptime(text, date_format).date(), PARSED
        except ValueError:
            pass  # fall back to the unambiguous formats below
    found = _parse(text)
    return (found, PARSED) if found is not None else (None, UNPARSED)


def _parse(text: str) -> date | None:
    for pattern in (_ISO, _COMPACT, _YMD):
        m = pattern.match(text)
        if m:
            return _day(int(m[1]), int(m[2]), int(m[3] or 1))
    m = _NUMERIC.match(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        readings = {d for d in (_day(year, b, a), _day(year, a, b)) if d is not None}
        return readings.pop() if len(readings) == 1 else None  # two readings: ambiguous
    m = _MONTH_DAY_YEAR.match(text)
    if m and m[1].lower() in _MONTHS:
        return _day(int(m[3]), _MONTHS[m[1].lower()], int(m[2]))
    m = _DAY_MONTH_YEAR.match(text)
    if m and m[2].lower() in _MONTHS:
        return _day(int(m[3]), _MONTHS[m[2].lower()], int(m[1]))
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def check_date_format(date_format: str | None) -> None:
    """Reject a ``--date-format`` without any ``%`` directive (a likely typo)."""
    if date_format is not None and "%" not in date_format:
        raise ValueError(
            f"date_format {date_format!r} has no strptime directive; use e.g. '%d/%m/%Y' or '%m/%d/%Y'"
        )
