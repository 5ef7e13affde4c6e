"""NewsMTSC (Hamborg & Donnay, EACL 2021): target-dependent sentiment in English political news.

JSONL (``train.jsonl``, ``dev_rw.jsonl``, ``dev_mt.jsonl``): per line ``primary_gid``,
``sentence_normalized`` and ``targets`` (``from``, ``to``, ``mention``, ``polarity``). One Target per
target, on its primary mention only (``further_mentions`` are ignored). A target that cannot be read
is reported and the sentence keeps its other targets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.examples import BadRow, Example, ReadResult, Target
from training.readers._common import iter_lines, parse_int, relocate, require_path

SOURCE = "newsmtsc"
POLARITY: dict[float, str] = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def read(path: str | Path) -> ReadResult:
    """Read one NewsMTSC JSONL file."""
    p = require_path(path, SOURCE)
    bad: list[BadRow] = []
    examples: list[Example] = []
    seen: dict[str, int] = {}

    def reject(number: int, reason: str) -> None:
        bad.append(BadRow(SOURCE, str(p), number, reason))

    for number, line in iter_lines(p, SOURCE, bad):
        if not line.strip():
            reject(number, "empty line")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            reject(number, f"invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            reject(number, f"expected a JSON object, got {type(record).__name__}")
            continue
        gid, text, raw_targets = (
            record.get("primary_gid"),
            record.get("sentence_normalized"),
            record.get("targets"),
        )
        if not isinstance(gid, str) or not gid:
            reject(number, "missing or empty primary_gid")
        elif gid in seen:
            reject(number, f"duplicate primary_gid {gid!r} (first at line {seen[gid]})")
        elif not isinstance(text, str) or not text.strip():
            reject(number, "missing or empty sentence_normalized")
        elif not isinstance(raw_targets, list) or not raw_targets:
            reject(number, "missing or empty targets")
        else:
            seen[gid] = number
            targets: list[Target] = []
            for k, raw in enumerate(raw_targets):
                target, reason = _target(text, raw)
                if target is None:
                    reject(number, f"target {k}: {reason}")
                else:
                    targets.append(target)
            if targets:
                ex_id = f"{SOURCE}:{gid}"
                examples.append(
                    Example(id=ex_id, source=SOURCE, lang="en", text=text, targets=targets, group=ex_id)
                )
    return ReadResult(examples, bad)


def _target(text: str, raw: Any) -> tuple[Target | None, str]:
    if not isinstance(raw, dict):
        return None, f"expected an object, got {type(raw).__name__}"
    polarity = raw.get("polarity")
    if isinstance(polarity, bool) or not isinstance(polarity, int | float) or float(polarity) not in POLARITY:
        return None, f"unknown polarity {polarity!r}; expected one of {sorted(POLARITY)}"
    start, end, mention = parse_int(raw.get("from")), parse_int(raw.get("to")), raw.get("mention")
    if start is None or end is None:
        return None, f"from/to are not integers ({raw.get('from')!r}, {raw.get('to')!r})"
    if not isinstance(mention, str) or not mention.strip():
        return None, "missing or empty mention"
    if text[start:end] != mention or not 0 <= start < end:
        moved = relocate(text, mention, start)
        if moved is None:
            return (
                None,
                f"mention {mention!r} is not at [{start}, {end}) (found {text[start:end]!r}) nor nearby",
            )
        start, end = moved, moved + len(mention)
    return Target(spans=[(start, end)], sentiment=POLARITY[float(polarity)]), ""
