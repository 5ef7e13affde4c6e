"""What every figure and page of the report shares: dates, country names, period arithmetic, the
figure of panels (one ``ax`` per small panel function), and HTML tables. ``report.py`` (stances) and
``report_dyads.py`` (directed dyads) build on it."""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from inference.batch.writers import atomic_path
from inference.labels import STANCE_LABELS

_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def read_batches(path: Path, wanted: Sequence[str]) -> Iterator[pa.RecordBatch]:
    """Record batches of a ``score`` output (``stances.parquet``, ``dyads.parquet``): one file, or a folder of part
    files (``--parquet-layout folder``), with those of the ``wanted`` columns the files have."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        with pq.ParquetFile(file) as pf:
            names = set(pf.schema_arrow.names)
            yield from pf.iter_batches(batch_size=65536, columns=[c for c in wanted if c in names])


def stance_column(stance: str | None) -> int:
    """The index of ``stance`` in ``STANCE_LABELS`` (cooperative, conflictual, neutral); neutral for a value outside
    them, which every report and series counts that way."""
    return STANCE_LABELS.index(stance) if stance in STANCE_LABELS else STANCE_LABELS.index("neutral")


def parse_day(value: str | date | None) -> date | None:
    """The day of a ``date`` column value, or of an ISO-like date string (``2024-03-05``,
    ``2024-03-05T10:00Z``, ``2024-03``: outputs of older runs), else None."""
    if isinstance(value, date):
        return value
    if not value:
        return None
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3] or 1))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO alpha-3 code -> English name (CLDR), from the country table of ``inference.countries``."""
    path = Path(__file__).resolve().parents[1] / "countries" / "aliases.tsv"
    names: dict[str, str] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 6 and parts[1] == "en" and parts[5] == "cldr:territory:en":
                    names.setdefault(parts[0], parts[2])
    except OSError:
        return {}
    return names


def label(code: str) -> str:
    """``"FRA France"``: the code with its name (the code alone when the name is unknown)."""
    name = country_names().get(code)
    return f"{code} {name}" if name else code


def period_of(d: date, unit: str) -> date:
    if unit == "day":
        return d
    if unit == "quarter":
        return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)
    return d.replace(day=1)


def periods(first: date, last: date, unit: str) -> list[date]:
    if unit == "day":
        return [date.fromordinal(d) for d in range(first.toordinal(), last.toordinal() + 1)]
    step = 3 if unit == "quarter" else 1
    out, y, m = [], first.year, period_of(first, unit).month
    while (y, m) <= (last.year, last.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, m + step - 12) if m + step > 12 else (y, m + step)
    return out


def say_none(ax: Any, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, wrap=True)


def figure(panels: int) -> tuple[Any, list[Any]]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = max(math.ceil(panels / 2), 1)
    fig, axes = plt.subplots(rows, 2, figsize=(14, 4.6 * rows), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[panels:]:
        ax.axis("off")
    return fig, flat


def save(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=90)
    plt.close(fig)


def draw(path: Path, panels: Sequence[Callable[[Any], None]]) -> None:
    """One figure, two panels a row: each of ``panels`` draws into its own ``ax``; saved to ``path``."""
    fig, axes = figure(len(panels))
    for ax, panel in zip(axes, panels, strict=False):
        panel(ax)
    save(fig, path)


def table(headers: list[str], rows: list[list[Any]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
