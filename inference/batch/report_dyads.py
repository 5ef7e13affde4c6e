"""The dyad part of the report, from ``dyads.parquet``: panels of ``report_dyads.png`` and an HTML section.

Streams the file in batches (memory bounded by the number of ordered pairs and periods) into a
:class:`DyadTally`; then, like the stance figure of ``report.py``, one small function per panel
(``DYAD_PANELS``) drawn by the shared builder (``report_base.draw``): a directed source x target
matrix of the most active countries (colour: mean intensity on the PLOVER/Goldstein scale; number:
dyads) and, for the most active ordered pairs, the mean intensity per day or month with the number of
dyads on every point and gaps where a period has none. The dyads get a figure of their own,
``report_dyads.png`` (a run of a model without a pair head keeps the stance figure unchanged);
the page shows it in its own section (:func:`section_dyads`, one of ``report.SECTIONS``).
"""

from __future__ import annotations

import base64
import functools
import html
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inference.batch.report_base import (
    draw,
    label,
    parse_day,
    period_of,
    periods,
    read_batches,
    say_none,
    stance_column,
    table,
)

if TYPE_CHECKING:
    from inference.batch.report import Page

_DYAD_COLUMNS = ("source_country", "target_country", "stance", "intensity", "date")
TIME_PAIRS = 6  # ordered pairs drawn over time at most


@dataclass
class DyadTally:
    pairs: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # [coop, conf, neutral, sum]
    periods: dict[tuple[str, str, date], list[float]] = field(default_factory=dict)  # [n, intensity sum]
    rows: int = 0
    # What an empty matrix says: a model without a pair head (known from the manifest) reads none.
    empty_reason: str = "no sentence read as one country acting toward another"

    def top_pairs(self, top: int) -> list[tuple[str, str]]:
        return sorted(self.pairs, key=lambda p: (-sum(self.pairs[p][:3]), p))[:top]

    def top_countries(self, top: int) -> list[str]:
        activity: dict[str, float] = {}
        for (s, t), v in self.pairs.items():
            n = sum(v[:3])
            activity[s] = activity.get(s, 0) + n
            activity[t] = activity.get(t, 0) + n
        return sorted(activity, key=lambda c: (-activity[c], c))[:top]


def tally_dyads(path: Path) -> DyadTally:
    """Counts per ordered pair and stance, and intensity per (pair, day), from ``dyads.parquet``."""
    t = DyadTally()
    for batch in read_batches(path, _DYAD_COLUMNS):
        data = batch.to_pydict()
        dates = data.get("date") or [None] * batch.num_rows
        for source, target, stance, intensity, when in zip(
            data["source_country"],
            data["target_country"],
            data["stance"],
            data["intensity"],
            dates,
            strict=True,
        ):
            t.rows += 1
            entry = t.pairs.setdefault((source, target), [0, 0, 0, 0.0])
            entry[stance_column(stance)] += 1
            entry[3] += intensity or 0.0
            day = parse_day(when)
            if day is not None:
                acc = t.periods.setdefault((source, target, day), [0, 0.0])
                acc[0] += 1
                acc[1] += intensity or 0.0
    return t


def _series(
    t: DyadTally, pairs: list[tuple[str, str]]
) -> tuple[str, dict[tuple[str, str], list[tuple[date, float | None, int]]]]:
    """Per ordered pair, ``(period, mean intensity, n dyads)`` for every day (spans up to 62 days) or
    month from the first to the last dated dyad (``None``, 0 where the pair has none)."""
    days = [d for (_, _, d) in t.periods]
    if not days:
        return "", {}
    unit = "day" if (max(days) - min(days)).days <= 62 else "month"
    every = periods(min(days), max(days), unit)
    out: dict[tuple[str, str], list[tuple[date, float | None, int]]] = {}
    for pair in pairs:
        grouped: dict[date, list[float]] = {}
        for (s, tg, d), (n, total) in t.periods.items():
            if (s, tg) == pair:
                acc = grouped.setdefault(period_of(d, unit), [0, 0.0])
                acc[0] += n
                acc[1] += total
        out[pair] = [(p, v[1] / v[0], int(v[0])) if (v := grouped.get(p)) else (p, None, 0) for p in every]
    return unit, out


# ------------------------------------------------------------------ panels (one function each)
DyadPanel = Callable[[Any, DyadTally, int], None]


def panel_dyad_matrix(ax: Any, t: DyadTally, top: int) -> None:
    countries = t.top_countries(max(top, 2))
    n = len(countries)
    ax.set_title("Directed dyads: mean intensity (colour), number of dyads", fontsize=9)
    if not countries:
        say_none(ax, f"no dyads: {t.empty_reason}")
        return
    matrix = [[math.nan] * n for _ in range(n)]
    for i, s in enumerate(countries):
        for j, tg in enumerate(countries):
            v = t.pairs.get((s, tg))
            if v:
                matrix[i][j] = v[3] / sum(v[:3])
                ax.text(j, i, str(int(sum(v[:3]))), ha="center", va="center", fontsize=8)
    image = ax.imshow(matrix, cmap="RdYlGn", vmin=-10, vmax=10)
    ax.set_xticks(range(n), countries, rotation=45)
    ax.set_yticks(range(n), [label(c) for c in countries], fontsize=8)
    ax.set_xlabel("target")
    ax.set_ylabel("source")
    ax.figure.colorbar(image, ax=ax, label="mean intensity (Goldstein, -10..+10)")


def panel_dyad_time(ax: Any, t: DyadTally, top: int) -> None:
    unit, series = _series(t, t.top_pairs(min(top, TIME_PAIRS)))
    if not series:
        say_none(ax, "no dated dyads")
        ax.set_title("Dyads over time", fontsize=9)
        return
    for (s, tg), points in series.items():
        xs = [p for p, _, _ in points]
        ys = [math.nan if v is None else v for _, v, _ in points]
        (line,) = ax.plot(xs, ys, marker="o", markersize=3, linewidth=1.2, label=f"{s} → {tg}")
        for p, v, n in points:
            if v is not None:
                ax.annotate(
                    f"{n}", (p, v), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=6
                )
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylim(-10.5, 10.5)
    ax.set_ylabel("mean intensity")
    ax.set_title(
        f"The most active directed pairs, per {unit} (n dyads on each point; gaps: none)", fontsize=9
    )
    ax.legend(fontsize=7)
    ax.tick_params(axis="x", labelrotation=30)


DYAD_PANELS: list[DyadPanel] = [panel_dyad_matrix, panel_dyad_time]


def write_dyad_figure(
    out_dir: Path, top: int, manifest: dict[str, Any] | None = None
) -> tuple[Path, DyadTally] | None:
    """Draw ``DYAD_PANELS`` into ``report_dyads.png``; None when the run has no ``dyads.parquet``."""
    path = out_dir / "dyads.parquet"
    if not path.exists():
        return None
    t = tally_dyads(path)
    heads = ((manifest or {}).get("model_info") or {}).get("heads")
    if isinstance(heads, list) and "pair" not in heads:
        t.empty_reason = "the model has no pair head, so it reads no dyads"
    png = out_dir / "report_dyads.png"
    draw(png, [functools.partial(panel, t=t, top=top) for panel in DYAD_PANELS])
    return png, t


# ------------------------------------------------------------------ the page
def section_dyads(page: Page) -> str:
    """The figure and the most active ordered pairs; nothing for a run without ``dyads.parquet``."""
    t = page.dyads
    if t is None:
        return ""
    rows = []
    for s, tg in t.top_pairs(max(page.top, 20)):
        v = t.pairs[(s, tg)]
        n = int(sum(v[:3]))
        rows.append([f"{label(s)} → {label(tg)}", n, int(v[0]), int(v[1]), int(v[2]), f"{v[3] / n:+.1f}"])
    image = base64.b64encode(page.dyads_png).decode("ascii")
    headers = ["source → target", "dyads", "cooperative", "conflictual", "neutral", "intensity"]
    note = f" None here: {t.empty_reason}." if not t.rows else ""
    return (
        f"<h2>Directed dyads ({t.rows:,})</h2>"
        "<p>Sentences the model reads as one country acting toward another (source → target), "
        f"unlike the pairs above, which are only named together.{html.escape(note)}</p>"
        f'<img alt="directed source x target matrix and dyads over time" src="data:image/png;base64,{image}">'
        + table(headers, rows)
    )
