"""Score ``find_countries`` against gold JSONL files (the set of countries per sentence).

Each line: ``{"id", "lang", "text", "gold": {ISO3: stance, ...}}``. A sentence contributes
``|found & gold|`` true positives, ``|found - gold|`` false positives and
``|gold - found|`` false negatives; precision and recall are micro-averaged per language
and overall. ``lang`` from the file is passed as the hint unless ``use_lang=False``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from . import find_countries


def _read(path: Path) -> Iterable[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{lineno}: invalid JSON ({err.msg})") from err
            missing = [k for k in ("text", "gold") if k not in row]
            if missing:
                raise ValueError(f"{path}:{lineno}: missing keys {missing}; expected id, lang, text, gold")
            if not isinstance(row["gold"], dict):
                raise ValueError(f"{path}:{lineno}: gold must be an object of ISO3 -> stance")
            yield row


def _ratio(num: int, den: int) -> float:
    return num / den if den else 1.0


def evaluate(paths: Sequence[str | Path], use_lang: bool = True) -> dict[str, Any]:
    """Per-language and overall counts, precision, recall and F1, plus the errors.

    Returns ``{"languages": {lang: {...}}, "overall": {...}, "errors": [...]}`` where each
    score dict has ``sentences tp fp fn precision recall f1``.
    """
    counts: dict[str, list[int]] = {}
    errors: list[dict[str, Any]] = []
    for path in paths:
        for row in _read(Path(path)):
            lang = row.get("lang") or "?"
            found = {
                m.country for m in find_countries(row["text"], lang if use_lang and lang != "?" else None)
            }
            gold = set(row["gold"])
            c = counts.setdefault(lang, [0, 0, 0, 0])
            c[0] += 1
            c[1] += len(found & gold)
            c[2] += len(found - gold)
            c[3] += len(gold - found)
            if found != gold:
                errors.append(
                    {
                        "id": row.get("id"),
                        "lang": lang,
                        "text": row["text"],
                        "missed": sorted(gold - found),
                        "extra": sorted(found - gold),
                    }
                )
    languages = {lang: _scores(*c) for lang, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(4)]
    return {"languages": languages, "overall": _scores(*total), "errors": errors}


def _scores(sentences: int, tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"sentences": sentences, "tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def print_report(result: dict[str, Any], out: TextIO, show_errors: bool = False) -> None:
    """A fixed-width table, one line per language and one overall."""
    out.write(f"{'lang':<8}{'n':>5}{'tp':>6}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}{'f1':>8}\n")
    rows = [*result["languages"].items(), ("overall", result["overall"])]
    for lang, s in rows:
        out.write(
            f"{lang:<8}{s['sentences']:>5}{s['tp']:>6}{s['fp']:>5}{s['fn']:>5}"
            f"{s['precision']:>11.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}\n"
        )
    if show_errors:
        for err in result["errors"]:
            out.write(f"{err['id']}: missed={err['missed']} extra={err['extra']} | {err['text']}\n")
