"""The dyad panel of the report: ``report_dyads.png`` and an HTML section, from ``dyads.parquet``.

Streams the file in batches (memory bounded by the number of ordered pairs and periods): a directed
source x target matrix of the most active countries (colour: mean intensity on the PLOVER/Goldstein
scale; number: dyads) and, for the most active ordered pairs, the mean intensity per day or month.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from inference.batch.writers import atomic_path

_STANCES = ("cooperative", "conflictual", "neutral")


@dataclass
class DyadTally:
    pairs: dict[tuple[str, str], list[float]] = field(default_factory=dict)  # [coop, conf, neutral, sum]
    periods: dict[tuple[str, str, date], list[float]] = field(default_factory=dict)  # [n, intensity sum]
    rows: int = 0

    def top_pairs(self, top: int) -> list[tuple[str, str]]:
        return sorted(self.pairs, key=lambda p: (-sum(self.pairs[p][:3]), p))[:top]

    def top_countries(self, top: int) -> list[str]:
        activity: dict[str, float] = {}
        for (s, t), v in self.pairs.items():
            n = sum(v[:3])
            activity[s] = activity.get(s, 0) + n
            activity[t] = activity.get(t, 0) + n
        return sorted(activity, key=lambda c: (-activity[c], c))[:top]


def _batches(path: Path) -> Iterator[pa.RecordBatch]:
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    for file in files:
        with pq.ParquetFile(file) as pf:
            names = set(pf.schema_arrow.names)
            columns = [c for c in ("source", "target", "stance", "intensity", "date") if c in names]
            yield from pf.iter_batches(batch_size=65536, columns=columns)


def tally_dyads(path: Path) -> DyadTally:
    """Counts per ordered pair and stance, and intensity per (pair, day), from ``dyads.parquet``."""
    from inference.batch.report import parse_day

    t = DyadTally()
    for batch in _batches(path):
        data = batch.to_pydict()
        dates = data.get("date") or [None] * batch.num_rows
        for source, target, stance, intensity, when in zip(
            data["source"], data["target"], data["stance"], data["intensity"], dates, strict=True
        ):
            t.rows += 1
            entry = t.pairs.setdefault((source, target), [0, 0, 0, 0.0])
            entry[_STANCES.index(stance) if stance in _STANCES else 2] += 1
            entry[3] += intensity or 0.0
            day = parse_day(when)
            if day is not None:
                acc = t.periods.setdefault((source, target, day), [0, 0.0])
                acc[0] += 1
                acc[1] += intensity or 0.0
    return t


def _series(t: DyadTally, pairs: list[tuple[str, str]]) -> tuple[str, dict[tuple[str, str], list]]:
    days = [d for (_, _, d) in t.periods]
    if not days:
        return "", {}
    unit = "day" if (max(days) - min(days)).days <= 62 else "month"
    out: dict[tuple[str, str], list] = {}
    for pair in pairs:
        grouped: dict[date, list[float]] = {}
        for (s, tg, d), (n, total) in t.periods.items():
            if (s, tg) == pair:
                acc = grouped.setdefault(d if unit == "day" else d.replace(day=1), [0, 0.0])
                acc[0] += n
                acc[1] += total
        out[pair] = [(p, v[1] / v[0]) for p, v in sorted(grouped.items())]
    return unit, out


def plot_dyads(t: DyadTally, top: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    countries = t.top_countries(max(top, 2))
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6))
    n = len(countries)
    matrix = [[float("nan")] * n for _ in range(n)]
    for i, s in enumerate(countries):
        for j, tg in enumerate(countries):
            v = t.pairs.get((s, tg))
            if v:
                matrix[i][j] = v[3] / sum(v[:3])
                left.text(j, i, str(int(sum(v[:3]))), ha="center", va="center", fontsize=8)
    left.set_title("Directed dyads: mean intensity (colour), number of dyads")
    if countries:
        image = left.imshow(matrix, cmap="RdYlGn", vmin=-10, vmax=10)
        left.set_xticks(range(n), countries, rotation=45)
        left.set_yticks(range(n), countries)
        left.set_xlabel("target")
        left.set_ylabel("source")
        fig.colorbar(image, ax=left, label="mean intensity (Goldstein, -10..+10)")
    else:
        left.text(0.5, 0.5, "no dyads", ha="center", va="center", transform=left.transAxes)
    unit, series = _series(t, t.top_pairs(min(top, 6)))
    if series:
        for (s, tg), points in series.items():
            right.plot([p for p, _ in points], [v for _, v in points], marker="o", label=f"{s} → {tg}")
        right.axhline(0, color="grey", linewidth=0.8)
        right.set_ylim(-10.5, 10.5)
        right.set_ylabel("mean intensity")
        right.set_title(f"The most active directed pairs, per {unit}")
        right.legend(fontsize=8)
        right.tick_params(axis="x", labelrotation=30)
    else:
        right.text(0.5, 0.5, "no dated dyads", ha="center", va="center", transform=right.transAxes)
        right.set_title("Dyads over time")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def dyads_section(t: DyadTally, top: int, png: bytes) -> str:
    """The report's HTML section: the figure and the most active ordered pairs."""
    rows = []
    for s, tg in t.top_pairs(max(top, 20)):
        v = t.pairs[(s, tg)]
        n = int(sum(v[:3]))
        cells = [f"{s} → {tg}", n, int(v[0]), int(v[1]), int(v[2]), f"{v[3] / n:+.1f}"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("source → target", "dyads", "cooperative", "conflictual", "neutral", "intensity")
    )
    image = base64.b64encode(png).decode("ascii")
    return (
        f"<h2>Directed dyads ({t.rows:,})</h2>"
        f'<img alt="directed source x target matrix and dyads over time" src="data:image/png;base64,{image}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def write_dyad_panel(out_dir: Path, top: int) -> tuple[Path, str] | None:
    """``report_dyads.png`` and its HTML section, or None when the run has no ``dyads.parquet``."""
    path = out_dir / "dyads.parquet"
    if not path.exists():
        return None
    t = tally_dyads(path)
    png = out_dir / "report_dyads.png"
    plot_dyads(t, top, png)
    return png, dyads_section(t, top, png.read_bytes())
