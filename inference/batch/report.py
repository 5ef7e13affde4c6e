"""``report.png`` and a self-contained ``report.html`` from the outputs of a scoring run.

Reads ``stances.parquet`` in batches (memory bounded by the number of countries, periods and
pairs, not by the number of rows) into a :class:`Tally`, then draws one small function per
panel (``PANELS``) and one per HTML section (``SECTIONS``); another panel or section is one more
function in those lists. Panels: net stance per country over time (a point per period with its
number of sentences, no line across periods without data), sentences per country and stance,
sentiment and cooperation/conflict detail per country, and the pairs of countries *named in the
same sentence* and both read cooperative (or conflictual), which is co-occurrence, not a
relation between them. The page adds counts, example sentences per country and stance as
evidence, and, when there is nothing to plot, the reason. Where the run has ``dyads.parquet``,
``report_dyads.py`` adds the directed dyads: ``report_dyads.png`` (its own ``DYAD_PANELS`` through
the same builder, ``report_base.draw``) and a section of the page. What the two figures share
(dates, names, periods, the figure of panels, tables) is in ``report_base.py``.
"""

from __future__ import annotations

import base64
import functools
import heapq
import html
import itertools
import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from inference.batch.report_base import (
    country_names,
    draw,
    figure,
    label,
    parse_day,
    period_of,
    periods,
    read_batches,
    save,
    say_none,
    stance_column,
    table,
)
from inference.batch.report_dyads import DyadTally, section_dyads, write_dyad_figure
from inference.batch.writers import write_text_atomic
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, STANCE_LABELS

STANCE_COLORS = {"cooperative": "tab:green", "conflictual": "tab:red", "neutral": "tab:grey"}
SENTIMENT_COLORS = {"negative": "#d62728", "neutral": "#bbbbbb", "positive": "#2ca02c"}
DETAIL_COLORS = {
    "material_cooperation": "#1b7837",
    "verbal_cooperation": "#7fbf7b",
    "neutral": "#cccccc",
    "verbal_conflict": "#f4a582",
    "material_conflict": "#b2182b",
}
EXAMPLES = 3  # example sentences kept per country and stance
FEW = 5  # a period with fewer sentences is drawn hollow: its net stance says little
_COLUMNS = (
    "id",
    "sentence_index",
    "country",
    "stance",
    "detail",
    "sentiment",
    "date",
    "sentence",
    *(f"stance_p_{s}" for s in STANCE_LABELS),
)


@dataclass(order=True)
class Example:
    p: float
    id: str = field(compare=False)
    day: date | None = field(compare=False)
    sentence: str = field(compare=False)


@dataclass
class Tally:
    countries: dict[str, list[int]] = field(default_factory=dict)  # country -> [coop, conf, neutral]
    days: dict[tuple[str, date], list[int]] = field(default_factory=dict)
    pairs: dict[str, Counter[tuple[str, str]]] = field(
        default_factory=lambda: {"cooperative": Counter(), "conflictual": Counter()}
    )
    sentiments: dict[str, Counter[str]] = field(default_factory=dict)
    details: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[tuple[str, str], list[Example]] = field(default_factory=dict)  # min-heaps by p
    rows: int = 0
    undated: int = 0

    def add_sentence(self, stances: dict[str, str]) -> None:
        for stance in ("cooperative", "conflictual"):
            named = sorted(c for c, s in stances.items() if s == stance)
            self.pairs[stance].update(itertools.combinations(named, 2))

    def add_example(self, country: str, stance: str, example: Example) -> None:
        heap = self.examples.setdefault((country, stance), [])
        if any(e.sentence == example.sentence for e in heap):
            return
        if len(heap) < EXAMPLES:
            heapq.heappush(heap, example)
        elif example.p > heap[0].p:
            heapq.heapreplace(heap, example)

    def best_examples(self, country: str, stance: str) -> list[Example]:
        return sorted(self.examples.get((country, stance), []), reverse=True)


def tally(path: Path) -> Tally:
    """Stream ``stances.parquet`` (file or folder) into counts per country, per (country, day) and per pair,
    sentiment and detail counts per country, and the best example sentences per country and stance."""
    result = Tally()
    current: tuple[Any, Any] | None = None
    sentence: dict[str, str] = {}
    for batch in read_batches(path, _COLUMNS):
        data = batch.to_pydict()
        n = batch.num_rows
        empty = [None] * n
        for i in range(n):
            key_id, index, country, stance = (
                data[c][i] for c in ("id", "sentence_index", "country", "stance")
            )
            result.rows += 1
            column = stance_column(stance)
            result.countries.setdefault(country, [0, 0, 0])[column] += 1
            day = parse_day((data.get("date") or empty)[i])
            if day is None:
                result.undated += 1
            else:
                result.days.setdefault((country, day), [0, 0, 0])[column] += 1
            result.sentiments.setdefault(country, Counter())[(data.get("sentiment") or empty)[i]] += 1
            result.details.setdefault(country, Counter())[(data.get("detail") or empty)[i]] += 1
            text = (data.get("sentence") or empty)[i]
            if text and stance in STANCE_LABELS:
                p = (data.get(f"stance_p_{stance}") or empty)[i]
                result.add_example(country, stance, Example(float(p or 0.0), str(key_id), day, text))
            if (key_id, index) != current:
                result.add_sentence(sentence)
                current, sentence = (key_id, index), {}
            sentence[country] = stance
    result.add_sentence(sentence)
    return result


def _top_countries(t: Tally, top: int) -> list[str]:
    return sorted(t.countries, key=lambda c: (-sum(t.countries[c]), c))[:top]


def _unit(t: Tally, countries: list[str], days: list[date]) -> str:
    """Days for spans up to 62 days; else months, or quarters when a month of the most named
    country holds fewer than ``FEW`` sentences on average (a net stance of 1 or 2 says little)."""
    if (max(days) - min(days)).days <= 62:
        return "day"
    top = countries[0] if countries else None
    months = Counter()
    for (c, d), counts in t.days.items():
        if c == top:
            months[period_of(d, "month")] += sum(counts)
    mean = sum(months.values()) / len(months) if months else 0
    return "month" if mean >= FEW else "quarter"


def series(t: Tally, countries: list[str]) -> tuple[str, dict[str, list[tuple[date, float | None, int]]]]:
    """Per country, ``(period, net stance, n sentences)`` for *every* period from the first to the
    last date (``None`` where the country has no sentence: the line breaks there). Periods are
    days, months or quarters (:func:`_unit`)."""
    days = [d for (_, d) in t.days]
    if not days:
        return "", {}
    unit = _unit(t, countries, days)
    every = periods(min(days), max(days), unit)
    out: dict[str, list[tuple[date, float | None, int]]] = {}
    for country in countries:
        acc: dict[date, list[int]] = {}
        for (c, d), counts in t.days.items():
            if c == country:
                v = acc.setdefault(period_of(d, unit), [0, 0, 0])
                for i in range(3):
                    v[i] += counts[i]
        out[country] = [
            (p, (v[0] - v[1]) / sum(v), sum(v)) if (v := acc.get(p)) else (p, None, 0) for p in every
        ]
    return unit, out


# ------------------------------------------------------------------ panels (one function each)
Panel = Callable[[Any, Tally, list[str]], None]


def panel_time(ax: Any, t: Tally, countries: list[str]) -> None:
    unit, data = series(t, countries[:4])
    if not data:
        say_none(ax, f"no usable dates ({t.undated:,} stance rows without one)")
        ax.set_title("Net stance over time")
        return
    for country, points in data.items():
        xs = [p for p, _, _ in points]
        ys = [math.nan if v is None else v for _, v, _ in points]
        (line,) = ax.plot(xs, ys, linewidth=1.2, label=label(country))
        for p, v, n in points:
            if v is None:
                continue
            hollow = n < FEW
            ax.scatter(
                [p],
                [v],
                s=12 + 6 * math.sqrt(n),
                facecolors="white" if hollow else line.get_color(),
                edgecolors=line.get_color(),
                zorder=3,
            )
            ax.annotate(f"{n}", (p, v), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=6)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_ylim(-1.15, 1.15)
    ax.set_ylabel("net stance (coop − conf) / n")
    ax.set_title(
        f"Net stance per {unit} (n sentences on each point; hollow: n < {FEW}; gaps: no sentence)", fontsize=9
    )
    ax.legend(fontsize=7)
    ax.tick_params(axis="x", labelrotation=30)


def _stacked(ax: Any, countries: list[str], parts: dict[str, list[int]], colors: dict[str, str]) -> None:
    from matplotlib.ticker import MaxNLocator

    shown = list(reversed(countries))
    left = [0] * len(shown)
    for name, values in parts.items():
        ordered = list(reversed(values))
        ax.barh([label(c) for c in shown], ordered, left=left, color=colors.get(name), label=name)
        left = [a + b for a, b in zip(left, ordered, strict=True)]
    for y, total in enumerate(left):
        ax.text(total, y, f" {total:,}", va="center", fontsize=7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=8)
    if shown:
        ax.legend(fontsize=7, loc="lower right")
    else:
        say_none(ax, "no country named")


def panel_stance(ax: Any, t: Tally, countries: list[str]) -> None:
    _stacked(
        ax,
        countries,
        {s: [t.countries[c][i] for c in countries] for i, s in enumerate(STANCE_LABELS)},
        STANCE_COLORS,
    )
    ax.set_title("Sentences per country and stance", fontsize=9)


def panel_sentiment(ax: Any, t: Tally, countries: list[str]) -> None:
    parts = {s: [t.sentiments.get(c, Counter())[s] for c in countries] for s in SENTIMENT_LABELS}
    _stacked(ax, countries, parts, SENTIMENT_COLORS)
    ax.set_title("Sentiment toward each country (sentences)", fontsize=9)


def panel_detail(ax: Any, t: Tally, countries: list[str]) -> None:
    order = ("material_cooperation", "verbal_cooperation", "neutral", "verbal_conflict", "material_conflict")
    parts = {d: [t.details.get(c, Counter())[d] for c in countries] for d in order if d in DETAIL_LABELS}
    _stacked(ax, countries, parts, DETAIL_COLORS)
    ax.set_title("Verbal or material cooperation and conflict (sentences)", fontsize=9)


def _pairs(ax: Any, t: Tally, stance: str, top: int) -> None:
    from matplotlib.ticker import MaxNLocator

    pairs = t.pairs[stance].most_common(top)[::-1]
    ax.barh([f"{a}–{b}" for (a, b), _ in pairs], [n for _, n in pairs], color=STANCE_COLORS[stance])
    for y, (_, n) in enumerate(pairs):
        ax.text(n, y, f" {n}", va="center", fontsize=7)
    ax.set_title(
        f"Pairs named in the same sentence, both read {stance}\n(co-occurrence, not a relation between them)",
        fontsize=9,
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if not pairs:
        say_none(ax, "no sentence names two such countries")


def panel_pairs_cooperative(ax: Any, t: Tally, countries: list[str]) -> None:
    _pairs(ax, t, "cooperative", len(countries) or 8)


def panel_pairs_conflictual(ax: Any, t: Tally, countries: list[str]) -> None:
    _pairs(ax, t, "conflictual", len(countries) or 8)


PANELS: list[Panel] = [
    panel_time,
    panel_stance,
    panel_sentiment,
    panel_detail,
    panel_pairs_cooperative,
    panel_pairs_conflictual,
]


def plot(t: Tally, top: int, path: Path, reason: str | None = None) -> None:
    """Draw the ``PANELS`` (or, when there is nothing to plot, the ``reason``) into ``path``."""
    if reason is not None:
        fig, axes = figure(1)
        axes[0].axis("off")
        axes[1].axis("off")
        fig.set_size_inches(10, 2.5)
        fig.text(0.5, 0.5, f"Nothing to plot: {reason}", ha="center", va="center", wrap=True, fontsize=11)
        save(fig, path)
        return
    countries = _top_countries(t, top)
    draw(path, [functools.partial(panel, t=t, countries=countries) for panel in PANELS])


# ------------------------------------------------------------------ the page
def nothing_reason(t: Tally, manifest: dict[str, Any], out_dir: Path) -> str | None:
    """Why there is nothing to plot (``None`` when there is something)."""
    if t.rows:
        return None
    read, scored, failed = (int(manifest.get(k) or 0) for k in ("read", "scored", "failed"))
    if manifest and read == 0:
        return "the run read no records"
    if manifest and scored == 0:
        reasons = Counter()
        errors = out_dir / "errors.jsonl"
        if errors.exists():
            with open(errors, encoding="utf-8") as fh:
                for line in fh:
                    reasons[str(json.loads(line).get("reason", ""))[:100]] += 1
        common = "; ".join(f"{r!r} ({n:,})" for r, n in reasons.most_common(3))
        return f"all {failed:,} records failed (errors.jsonl)" + (
            f"; most common: {common}" if common else ""
        )
    if manifest:
        return f"none of the {scored:,} scored articles names a country ({failed:,} records failed)"
    return "stances.parquet has no rows"


@dataclass
class Page:
    """What the HTML sections read: the stance tally, the figure, and the dyads when the run has them."""

    t: Tally
    top: int
    manifest: dict[str, Any]
    png: bytes
    reason: str | None
    dyads: DyadTally | None = None
    dyads_png: bytes = b""


Section = Callable[[Page], str]


def section_counts(page: Page) -> str:
    m, t = page.manifest, page.t
    info = m.get("model_info") or {}
    model = " ".join(
        str(v)
        for v in (m.get("model", ""), info.get("version"), info.get("weights_sha256", "")[:12] or None)
        if v
    )
    rows = [
        [name, f"{m[key]:,}" if isinstance(m.get(key), int) else m.get(key, "")]
        for name, key in (
            ("articles read", "read"),
            ("scored", "scored"),
            ("scored, naming no country", "no_country"),
            ("failed (errors.jsonl)", "failed"),
            ("stance rows", "rows"),
            ("finished", "finished_at"),
        )
    ]
    rows.append(["model", model])
    dates = m.get("dates") or {}
    for status in ("parsed", "unparsed", "missing"):
        if dates.get(status):
            rows.append([f"records with a date {status}", f"{dates[status]:,}"])
    languages = m.get("languages") or {}
    if languages:
        ordered = sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(["articles per language", ", ".join(f"{k} {v:,}" for k, v in ordered)])
        uncovered = m.get("uncovered_languages") or {}
        rows.append(
            [
                "in languages without a country table",
                ", ".join(f"{k} {v:,}" for k, v in sorted(uncovered.items())) or "none",
            ]
        )
    rows.append(["stance rows without a usable date", f"{t.undated:,}"])
    days = sorted({d for (_, d) in t.days})
    if days:
        rows.append(["dates", f"{days[0]} to {days[-1]}"])
    return f"<h2>Counts</h2>{table(['', 'value'], rows)}"


def section_reason(page: Page) -> str:
    if page.reason is None:
        return ""
    return f'<p class="reason"><b>Nothing to plot:</b> {html.escape(page.reason)}</p>'


def section_figure(page: Page) -> str:
    image = base64.b64encode(page.png).decode("ascii")
    return f'<img alt="net stance over time, stance, sentiment and detail per country, pairs" src="data:image/png;base64,{image}">'


def section_countries(page: Page) -> str:
    t = page.t
    if not t.countries:
        return ""
    rows = []
    for c in _top_countries(t, max(page.top, 20)):
        v = t.countries[c]
        s = t.sentiments.get(c, Counter())
        rows.append(
            [c, country_names().get(c, ""), sum(v), v[0], v[1], v[2], f"{(v[0] - v[1]) / sum(v):+.2f}"]
            + [s[x] for x in SENTIMENT_LABELS]
        )
    headers = ["code", "country", "sentences", "cooperative", "conflictual", "neutral", "net"]
    return (
        f"<h2>Most named countries</h2>{table(headers + [f'sentiment {x}' for x in SENTIMENT_LABELS], rows)}"
    )


def section_evidence(page: Page) -> str:
    t = page.t
    rows = []
    for c in _top_countries(t, page.top):
        for stance in ("cooperative", "conflictual"):
            for e in t.best_examples(c, stance):
                rows.append([label(c), stance, f"{e.p:.2f}", e.id, e.day or "", e.sentence[:400]])
    if not rows:
        return ""
    headers = ["country", "stance", "p", "article id", "date", "sentence"]
    return (
        "<h2>Evidence: example sentences per country and stance</h2>"
        f"<p>The {EXAMPLES} sentences read most confidently as each stance, for the most named countries.</p>"
        + table(headers, rows, "evidence")
    )


def section_pairs(page: Page) -> str:
    t = page.t
    if not any(t.pairs.values()):
        return ""
    blocks = []
    for stance in ("cooperative", "conflictual"):
        rows = [
            [f"{label(a)} – {label(b)}", n] for (a, b), n in t.pairs[stance].most_common(max(page.top, 20))
        ]
        blocks.append(
            f"<div><h2>Named together, both {stance}</h2>{table(['pair', 'sentences'], rows)}</div>"
        )
    return (
        '<div class="cols">' + "".join(blocks) + "</div><p>Pairs of countries named in the same sentence "
        "and both read with that stance: they co-occur; the model does not say how they relate to each other.</p>"
    )


SECTIONS: list[Section] = [
    section_reason,
    section_counts,
    section_figure,
    section_countries,
    section_evidence,
    section_pairs,
    section_dyads,
]


def render(page: Page) -> str:
    body = "\n".join(part for part in (section(page) for section in SECTIONS) if part)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>diplostance report</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}}img{{max-width:100%}}
.cols{{display:flex;gap:3em;flex-wrap:wrap}}.evidence td:last-child{{max-width:60em}}.evidence td:nth-child(5){{white-space:nowrap}}
.reason{{background:#fff3cd;border:1px solid #e0c36b;padding:.8em}}</style></head>
<body><h1>diplostance report</h1>
{body}
</body></html>
"""


def write_report(out_dir: Path, *, top: int = 8) -> dict[str, Path]:
    """Write ``report.png`` and ``report.html`` (and ``report_dyads.png`` where the run has
    ``dyads.parquet``) into ``out_dir``; returns their paths."""
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
    reason = nothing_reason(t, manifest, out_dir)
    png_path, html_path = out_dir / "report.png", out_dir / "report.html"
    plot(t, top, png_path, reason)
    paths = {"png": png_path, "html": html_path}
    page = Page(t, top, manifest, png_path.read_bytes(), reason)
    dyads = write_dyad_figure(out_dir, top, manifest)
    if dyads is not None:
        paths["dyads_png"], page.dyads = dyads
        page.dyads_png = paths["dyads_png"].read_bytes()
    write_text_atomic(html_path, lambda fh: fh.write(render(page)))
    return paths
