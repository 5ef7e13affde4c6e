"""``report.png`` and a self-contained ``report.html`` from the outputs of a scoring run.

Reads ``stances.parquet`` in batches (memory bounded by the number of countries, days and
pairs, not by the number of rows): stance toward the most named countries over time (by the
``date`` field; rows without a usable date are counted and left out of the time plot), the
country pairs most often together in cooperative and in conflictual sentences, and counts.
"""

from __future__ import annotations

import base64
import html
import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from inference.batch.writers import atomic_path, write_text_atomic

_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")
_STANCES = ("cooperative", "conflictual", "neutral")


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


@dataclass
class Tally:
    countries: dict[str, list[int]] = field(default_factory=dict)  # country -> [coop, conf, neutral]
    days: dict[tuple[str, date], list[int]] = field(default_factory=dict)
    pairs: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {"cooperative": Counter(), "conflictual": Counter()}
    )
    rows: int = 0
    undated: int = 0

    def add_sentence(self, stances: dict[str, str]) -> None:
        for stance in ("cooperative", "conflictual"):
            named = sorted(c for c, s in stances.items() if s == stance)
            self.pairs[stance].update(itertools.combinations(named, 2))


def _batches(path: Path) -> Iterator[pa.RecordBatch]:
    """Record batches of ``stances.parquet``: one file, or a folder of part files (``--parquet-layout folder``)."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        with pq.ParquetFile(file) as pf:
            names = set(pf.schema_arrow.names)
            columns = [c for c in ("id", "sentence_index", "country", "stance", "date") if c in names]
            yield from pf.iter_batches(batch_size=65536, columns=columns)


def tally(path: Path) -> Tally:
    """Stream ``stances.parquet`` (file or folder) into counts per country, per (country, day) and per pair."""
    result = Tally()
    current: tuple[Any, Any] | None = None
    sentence: dict[str, str] = {}
    for batch in _batches(path):
        data = batch.to_pydict()
        dates = data.get("date") or [None] * batch.num_rows
        for key_id, index, country, stance, when in zip(
            data["id"], data["sentence_index"], data["country"], data["stance"], dates, strict=True
        ):
            result.rows += 1
            column = _STANCES.index(stance) if stance in _STANCES else 2
            result.countries.setdefault(country, [0, 0, 0])[column] += 1
            day = parse_day(when)
            if day is None:
                result.undated += 1
            else:
                result.days.setdefault((country, day), [0, 0, 0])[column] += 1
            if (key_id, index) != current:
                result.add_sentence(sentence)
                current, sentence = (key_id, index), {}
            sentence[country] = stance
    result.add_sentence(sentence)
    return result


def _top_countries(t: Tally, top: int) -> list[str]:
    return sorted(t.countries, key=lambda c: (-sum(t.countries[c]), c))[:top]


def _series(t: Tally, countries: list[str]) -> tuple[str, dict[str, list[tuple[date, float]]]]:
    """Net stance per period for each country; periods are days for short spans, else months."""
    days = [d for (_, d) in t.days]
    if not days:
        return "", {}
    unit = "day" if (max(days) - min(days)).days <= 62 else "month"
    series: dict[str, list[tuple[date, float]]] = {}
    for country in countries:
        periods: dict[date, list[int]] = {}
        for (c, d), counts in t.days.items():
            if c == country:
                key = d if unit == "day" else d.replace(day=1)
                acc = periods.setdefault(key, [0, 0, 0])
                for i in range(3):
                    acc[i] += counts[i]
        series[country] = [(p, (v[0] - v[1]) / sum(v)) for p, v in sorted(periods.items())]
    return unit, series


def _plot(t: Tally, top: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    countries = _top_countries(t, top)
    fig, axes = plt.subplots(2, 2, figsize=(14, 9))
    ax = axes[0][0]
    unit, series = _series(t, countries)
    if series:
        for country, points in series.items():
            if points:
                ax.plot([p for p, _ in points], [v for _, v in points], marker="o", label=country)
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_ylim(-1.05, 1.05)
        ax.set_ylabel("net stance (coop - conf) / n")
        ax.set_title(f"Stance toward the {len(countries)} most named countries, per {unit}")
        ax.legend(fontsize=8)
        ax.tick_params(axis="x", labelrotation=30)
    else:
        ax.text(0.5, 0.5, "no usable dates", ha="center", va="center", transform=ax.transAxes)
        ax.set_title("Stance over time")
    ax = axes[0][1]
    shown = list(reversed(countries))
    left = [0] * len(shown)
    for i, (stance, color) in enumerate(zip(_STANCES, ("tab:green", "tab:red", "tab:grey"), strict=True)):
        values = [t.countries[c][i] for c in shown]
        ax.barh(shown, values, left=left, color=color, label=stance)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_title("Sentences per country and stance")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if shown:
        ax.legend(fontsize=8)
    for ax, stance, color in (
        (axes[1][0], "cooperative", "tab:green"),
        (axes[1][1], "conflictual", "tab:red"),
    ):
        pairs = t.pairs[stance].most_common(top)[::-1]
        ax.barh([f"{a}–{b}" for (a, b), _ in pairs], [n for _, n in pairs], color=color)
        ax.set_title(f"Country pairs most often in {stance} sentences")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if not pairs:
            ax.text(0.5, 0.5, "none", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(t: Tally, top: int, manifest: dict[str, Any], png: bytes) -> str:
    counts = [
        [name, f"{manifest.get(key, 0):,}" if isinstance(manifest.get(key), int) else manifest.get(key, "")]
        for name, key in (
            ("articles read", "read"),
            ("scored", "scored"),
            ("scored, naming no country", "no_country"),
            ("failed (errors.jsonl)", "failed"),
            ("stance rows", "rows"),
            ("model", "model"),
            ("finished", "finished_at"),
        )
    ]
    counts.append(["stance rows without a usable date", f"{t.undated:,}"])
    days = sorted({d for (_, d) in t.days})
    if days:
        counts.append(["dates", f"{days[0]} to {days[-1]}"])
    countries = [
        [c, sum(v), v[0], v[1], v[2], f"{(v[0] - v[1]) / sum(v):+.2f}"]
        for c in _top_countries(t, max(top, 20))
        for v in [t.countries[c]]
    ]
    pairs = {s: [[f"{a}–{b}", n] for (a, b), n in t.pairs[s].most_common(max(top, 20))] for s in t.pairs}
    image = base64.b64encode(png).decode("ascii")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>diplostance report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left}}img{{max-width:100%}}
.cols{{display:flex;gap:3em;flex-wrap:wrap}}</style></head>
<body><h1>diplostance report</h1>
<h2>Counts</h2>{_table(["", "value"], counts)}
<img alt="stance over time, country counts and pairs" src="data:image/png;base64,{image}">
<h2>Most named countries</h2>
{_table(["country", "sentences", "cooperative", "conflictual", "neutral", "net"], countries)}
<div class="cols"><div><h2>Cooperative pairs</h2>{_table(["pair", "sentences"], pairs["cooperative"])}</div>
<div><h2>Conflictual pairs</h2>{_table(["pair", "sentences"], pairs["conflictual"])}</div></div>
</body></html>
"""


def write_report(out_dir: Path, *, top: int = 8) -> dict[str, Path]:
    """Write ``report.png`` and ``report.html`` into ``out_dir``; returns their paths."""
    stances = out_dir / "stances.parquet"
    if not stances.exists():
        raise FileNotFoundError(
            f"{str(stances)!r} not found; run 'diplostance score ... --out {out_dir}' first"
        )
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    t = tally(stances)
    png_path, html_path = out_dir / "report.png", out_dir / "report.html"
    _plot(t, top, png_path)
    page = _html(t, top, manifest, png_path.read_bytes())
    write_text_atomic(html_path, lambda fh: fh.write(page))
    return {"png": png_path, "html": html_path}
