"""The project's own labelled data (``data/stance/...``, format in ``data/README.md``).

A JSONL file, or a directory whose ``*.jsonl`` files are read in name order. Per line: ``id``,
``lang``, ``text``, ``gold`` (country -> stance), optional ``detail`` (-> five-way detail) and
``sentiment``. One Target per gold country whose spans are every mention the country finder reports
for it. A gold country the finder does not find is reported (the sentence keeps its other targets);
countries found but not in gold are ignored.

Optional ``dyads`` (``data/dyads/``, ../shared/guidelines/dyads.md): a list of
``{"source", "target", "detail"[, "intensity"]}`` naming every related *ordered* pair of gold countries.
When the field is present, every ordered pair of the sentence's targets becomes a ``Pair``: its listed
detail, or ``none`` (no relation) when the pair is not listed. Without the field, no pair is labelled.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from inference.heads import NO_RELATION
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, STANCE_LABELS, stance_of
from training.examples import BadRow, Example, Pair, ReadResult, Target
from training.readers._common import Finder, default_finder, iter_lines, require_path

SOURCE = "own"
_CODE = re.compile(r"[A-Z]{3}")


def read(path: str | Path, *, finder: Finder | None = None) -> ReadResult:
    """Read a JSONL file or a directory of them; ``finder`` defaults to ``inference.countries.find_countries``."""
    p = require_path(path, SOURCE)
    files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
    if not files:
        raise FileNotFoundError(f"no *.jsonl files in {p}; check the data.sources[*].path setting")
    find = finder or default_finder()
    bad: list[BadRow] = []
    examples: list[Example] = []
    seen: dict[str, str] = {}
    for file in files:
        for number, line in iter_lines(file, SOURCE, bad):
            where = f"{file}:{number}"
            try:
                example, misses = _example(line, find)
            except ValueError as exc:
                bad.append(BadRow(SOURCE, str(file), number, str(exc)))
                continue
            if example.id in seen:
                bad.append(
                    BadRow(
                        SOURCE,
                        str(file),
                        number,
                        f"duplicate id {example.id!r} (first at {seen[example.id]})",
                    )
                )
                continue
            seen[example.id] = where
            bad.extend(BadRow(SOURCE, str(file), number, reason) for reason in misses)
            examples.append(example)
    return ReadResult(examples, bad)


def _labels(
    record: dict[str, Any], key: str, allowed: tuple[str, ...], codes: set[str]
) -> dict[str, str] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be an object (country -> label), got {type(value).__name__}")
    if set(value) != codes:
        raise ValueError(f"{key} has countries {sorted(value)} but gold has {sorted(codes)}")
    for country, label in value.items():
        if label not in allowed:
            raise ValueError(f"{key}[{country}] = {label!r}; expected one of {list(allowed)}")
    return value


def _example(line: str, find: Finder) -> tuple[Example, list[str]]:
    """The example and the reasons for its missing targets; ValueError if the line is invalid."""
    if not line.strip():
        raise ValueError("empty line")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    rid, lang, text, gold = record.get("id"), record.get("lang"), record.get("text"), record.get("gold")
    for name, value in (("id", rid), ("lang", lang), ("text", text)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"missing or empty {name}")
    if not isinstance(gold, dict):
        raise ValueError(f"{rid}: gold must be an object (country -> stance)")
    for country in gold:
        if not _CODE.fullmatch(country):
            raise ValueError(f"{rid}: {country!r} is not an ISO 3166-1 alpha-3 code")
    codes = set(gold)
    _labels(record, "gold", STANCE_LABELS, codes)
    detail = _labels(record, "detail", DETAIL_LABELS, codes)
    sentiment = _labels(record, "sentiment", SENTIMENT_LABELS, codes)
    if detail is not None:
        for country, d in detail.items():
            if stance_of(d) != gold[country]:
                raise ValueError(
                    f"{rid}: detail[{country}] = {d!r} collapses to {stance_of(d)!r}, not gold {gold[country]!r}"
                )

    spans: dict[str, set[tuple[int, int]]] = {}
    for m in find(text, lang=lang):
        spans.setdefault(m.country, set()).add((m.start, m.end))
    targets: list[Target] = []
    misses: list[str] = []
    for country in gold:  # gold order: deterministic
        if country not in spans:
            misses.append(
                f"{rid}: gold country {country} not found in the text by the country finder; target skipped"
            )
            continue
        targets.append(
            Target(
                spans=sorted(spans[country]),
                country=country,
                detail=None if detail is None else detail[country],
                sentiment=None if sentiment is None else sentiment[country],
            )
        )
    pairs: list[Pair] = []
    if "dyads" in record:
        listed = _dyads(record["dyads"], codes, rid)
        for a, source in enumerate(targets):  # every ordered pair, in target order
            for b, target in enumerate(targets):
                if a != b:
                    label, intensity = listed.get((source.country, target.country), (NO_RELATION, None))
                    pairs.append(Pair(a, b, label, intensity))
    ex_id = f"{SOURCE}:{rid}"
    example = Example(
        id=ex_id, source=SOURCE, lang=lang, text=text, targets=targets, group=ex_id, pairs=pairs
    )
    return example, misses


def _dyads(value: Any, codes: set[str], rid: str) -> dict[tuple[str, str], tuple[str, float | None]]:
    """The listed dyads, checked: (source, target) -> (detail, intensity or None)."""
    if not isinstance(value, list):
        raise ValueError(f"{rid}: dyads must be a list of objects, got {type(value).__name__}")
    out: dict[tuple[str, str], tuple[str, float | None]] = {}
    for i, dyad in enumerate(value):
        where = f"{rid}: dyads[{i}]"
        if not isinstance(dyad, dict):
            raise ValueError(f"{where} must be an object with source, target and detail")
        unknown = sorted(set(dyad) - {"source", "target", "detail", "intensity"})
        if unknown:
            raise ValueError(
                f"{where} has unknown key(s) {unknown}; expected source, target, detail, intensity"
            )
        source, target, detail = dyad.get("source"), dyad.get("target"), dyad.get("detail")
        for name, code in (("source", source), ("target", target)):
            if code not in codes:
                raise ValueError(f"{where}.{name} = {code!r} is not a country of gold {sorted(codes)}")
        if source == target:
            raise ValueError(f"{where}: source and target are both {source!r}; a dyad needs two countries")
        if detail not in DETAIL_LABELS:
            raise ValueError(f"{where}.detail = {detail!r}; expected one of {list(DETAIL_LABELS)}")
        intensity = dyad.get("intensity")
        if intensity is not None and (
            isinstance(intensity, bool)
            or not isinstance(intensity, int | float)
            or not -10 <= intensity <= 10
        ):
            raise ValueError(f"{where}.intensity = {intensity!r}; expected a number from -10 to 10")
        if (source, target) in out:
            raise ValueError(f"{where}: {source} -> {target} is listed twice")
        out[(source, target)] = (detail, None if intensity is None else float(intensity))
    return out
