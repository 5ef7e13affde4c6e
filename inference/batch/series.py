"""Country and dyad series: what ``diplostance score`` read, counted per period, as event-data users aggregate it.

``series_countries_<unit>.csv``: one row per (period, country) from ``stances.parquet``: sentences naming the
country, how many read cooperative, conflictual and neutral, the net stance ((cooperative - conflictual) / n), and
the sentiment counts. ``series_dyads_<unit>.csv``: one row per (period, source, target) from ``dyads.parquet``
(where the run has it): directed dyads, their stance and five-way detail counts, and the sum and mean of their
PLOVER/Goldstein intensity (-10..+10), the dyad-by-period series of CAMEO/PLOVER event data. Periods are days,
months or quarters (the first day of the period, ISO format); rows whose article has no date, or a date that did
not parse (``date_status: unparsed``), keep ``undated`` as their period, so nothing read is dropped. A stance
outside the three labels counts as neutral, as in the report. Both files stream their input in batches
(``report_base.read_batches``): memory grows with the number of (period, country) and (period, pair) groups, not
with the archive.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import IO

from inference.batch.options import SERIES_UNITS as UNITS
from inference.batch.report_base import parse_day, period_of, read_batches, stance_column
from inference.batch.writers import write_text_atomic
from inference.labels import DETAIL_LABELS as DETAILS
from inference.labels import SENTIMENT_LABELS as SENTIMENTS
from inference.labels import STANCE_LABELS as STANCES

UNDATED = "undated"
COUNTRY_FIELDS = (
    "period",
    "country",
    "n",
    *STANCES,
    "net",
    *(f"sentiment_{s}" for s in SENTIMENTS),
)
DYAD_FIELDS = (
    "period",
    "source",
    "target",
    "n",
    *STANCES,
    *(f"detail_{d}" for d in DETAILS),
    "intensity_sum",
    "intensity_mean",
)


def _period(value: str | date | None, unit: str) -> str:
    day = parse_day(value)
    return period_of(day, unit).isoformat() if day is not None else UNDATED


def _by_period(item: tuple[tuple[str, ...], object]) -> tuple[bool, tuple[str, ...]]:
    """Sort key of a group: by its key, undated periods last."""
    return item[0][0] == UNDATED, item[0]


def _check_unit(unit: str) -> None:
    if unit not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(UNITS)}; pass one of those")


def country_series(path: Path, unit: str = "month") -> list[dict[str, object]]:
    """Rows of ``series_countries``: per (period, country), counts of the (sentence, country) readings in
    ``stances.parquet``, sorted by period (undated last), then country."""
    _check_unit(unit)
    groups: dict[tuple[str, str], list[int]] = {}
    for batch in read_batches(path, ("country", "stance", "sentiment", "date")):
        data = batch.to_pydict()
        empty = [None] * batch.num_rows
        for country, stance, sentiment, when in zip(
            data["country"],
            data["stance"],
            data.get("sentiment") or empty,
            data.get("date") or empty,
            strict=True,
        ):
            counts = groups.setdefault(
                (_period(when, unit), country), [0] * (1 + len(STANCES) + len(SENTIMENTS))
            )
            counts[0] += 1
            counts[1 + stance_column(stance)] += 1
            if sentiment in SENTIMENTS:
                counts[1 + len(STANCES) + SENTIMENTS.index(sentiment)] += 1
    rows = []
    for (period, country), counts in sorted(groups.items(), key=_by_period):
        n, coop, conf, neutral, *sentiment = counts
        rows.append(
            dict(
                zip(
                    COUNTRY_FIELDS,
                    (period, country, n, coop, conf, neutral, round((coop - conf) / n, 4), *sentiment),
                    strict=True,
                )
            )
        )
    return rows


def dyad_series(path: Path, unit: str = "month") -> list[dict[str, object]]:
    """Rows of ``series_dyads``: per (period, source, target), counts of the directed dyads in ``dyads.parquet``
    by stance and detail, and their intensity's sum and mean, sorted by period (undated last), source, target."""
    _check_unit(unit)
    groups: dict[tuple[str, str, str], list[float]] = {}
    width = 1 + len(STANCES) + len(DETAILS) + 1
    for batch in read_batches(
        path, ("source_country", "target_country", "stance", "detail", "intensity", "date")
    ):
        data = batch.to_pydict()
        empty = [None] * batch.num_rows
        for source, target, stance, detail, intensity, when in zip(
            data["source_country"],
            data["target_country"],
            data["stance"],
            data.get("detail") or empty,
            data.get("intensity") or empty,
            data.get("date") or empty,
            strict=True,
        ):
            acc = groups.setdefault((_period(when, unit), source, target), [0.0] * width)
            acc[0] += 1
            acc[1 + stance_column(stance)] += 1
            if detail in DETAILS:
                acc[1 + len(STANCES) + DETAILS.index(detail)] += 1
            acc[-1] += intensity or 0.0
    rows = []
    for (period, source, target), acc in sorted(groups.items(), key=_by_period):
        n, total = int(acc[0]), acc[-1]
        counts = [int(x) for x in acc[1:-1]]
        values = (period, source, target, n, *counts, round(total, 4), round(total / n, 4))
        rows.append(dict(zip(DYAD_FIELDS, values, strict=True)))
    return rows


def _csv(rows: list[dict[str, object]], fields: tuple[str, ...]) -> Callable[[IO[str]], None]:
    def write(fh: IO[str]) -> None:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    return write


def write_series(out_dir: Path, unit: str = "month") -> dict[str, Path]:
    """Write ``series_countries_<unit>.csv`` (and ``series_dyads_<unit>.csv`` where the run has ``dyads.parquet``)
    into ``out_dir``, the output folder of ``diplostance score``; returns their paths."""
    _check_unit(unit)
    stances = out_dir / "stances.parquet"
    if not stances.exists():
        raise FileNotFoundError(
            f"{str(stances)!r} not found; run 'diplostance score ... --out {out_dir}' first"
        )
    paths = {"countries": out_dir / f"series_countries_{unit}.csv"}
    write_text_atomic(paths["countries"], _csv(country_series(stances, unit), COUNTRY_FIELDS))
    dyads = out_dir / "dyads.parquet"
    if dyads.exists():
        paths["dyads"] = out_dir / f"series_dyads_{unit}.csv"
        write_text_atomic(paths["dyads"], _csv(dyad_series(dyads, unit), DYAD_FIELDS))
    return paths
