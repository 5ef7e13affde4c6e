"""Weak verbal cues (a formal protest, criticism, a warning, a rejection, a summoned ambassador, praise), each stated
once in a short sentence and once at the end of a long sentence of neutral talk, in 12 languages (batch 1: en,
ru, de, fr; batch 2: es, it, pt, pl, uk, tr, ar, zh).

``data/checks/weak_cues.jsonl`` (written from ``../shared/guidelines/stance.md``, not from any model's errors; its
README says how) gives both countries of each relation their stance. This counts, per model, the (sentence,
country) pairs read as the guidelines give them, short and long apart, per batch, cue and language, so that a
candidate's long-sentence reading is a rate over several cues and languages rather than the one sentence of the
slow test (docs/ablations.md §21).

    python -m benchmarks.weak_cues inference/default_model runs/v11 [--data data/checks/weak_cues.jsonl]
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.written_checks import check_arguments, check_records, rate

DATA = Path(__file__).resolve().parents[1] / "data" / "checks" / "weak_cues.jsonl"
FORMS = ("short", "long")


def read_items(path: Path) -> list[dict]:
    """The check's records; a missing field names the line."""
    items = []
    for n, record in check_records(path, ("id", "lang", "cue", "form", "text", "gold")):
        if record["form"] not in FORMS:
            raise ValueError(f"{path}:{n}: form {record['form']!r} not in {list(FORMS)}")
        record.setdefault("batch", 1)  # batch 1 predates the field
        items.append(record)
    return items


def read_pairs(clf, items: list[dict]) -> dict[str, list[tuple[str, str, str | None]]]:
    """Per record id: (country, gold stance, stance read or None where the country was not read) per gold pair."""
    results = clf.classify_many([r["text"] for r in items], lang=[r["lang"] for r in items])
    out: dict[str, list[tuple[str, str, str | None]]] = {}
    for record, found in zip(items, results, strict=True):
        stances = {r.country: r.stance for r in found}
        out[record["id"]] = [
            (country, want, stances.get(country)) for country, want in record["gold"].items()
        ]
    return out


def hits(read: dict[str, list[tuple[str, str, str | None]]]) -> dict[str, list[bool]]:
    """Per record id: one bool per gold pair of :func:`read_pairs`, True where the stance read is the gold one."""
    return {rid: [want == got for _, want, got in pairs] for rid, pairs in read.items()}


def select(items: list[dict], by_id: dict[str, list[bool]], **where: object) -> list[bool]:
    """The pairs' bools of the records whose fields equal ``where`` (e.g. ``form="long", cue="protest"``)."""
    return [v for r in items if all(r[k] == w for k, w in where.items()) for v in by_id[r["id"]]]


def main(argv: list[str] | None = None) -> int:
    args = check_arguments(
        __doc__.split("\n\n")[0], DATA, "list each pair read wrong under its model's row", argv
    )
    items = read_items(args.data)
    cues = list(dict.fromkeys(r["cue"] for r in items))
    langs = list(dict.fromkeys(r["lang"] for r in items))
    batches = sorted({r["batch"] for r in items})
    from inference.classifier import load_classifier

    columns = ["short", "long"] + [f"long, batch {b}" for b in batches] + [f"{c}, long" for c in cues]
    columns += [f"{lang}, long" for lang in langs]
    print("| model | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for model in args.models:
        read = read_pairs(load_classifier(model, precision="fp32"), items)
        by_id = hits(read)
        cells = [select(items, by_id, form="short"), select(items, by_id, form="long")]
        cells += [select(items, by_id, form="long", batch=b) for b in batches]
        cells += [select(items, by_id, form="long", cue=c) for c in cues]
        cells += [select(items, by_id, form="long", lang=lang) for lang in langs]
        print(f"| {model} | " + " | ".join(rate(c) for c in cells) + " |")
        if args.misses:
            for rid, pairs in read.items():
                for country, want, got in pairs:
                    if want != got:
                        print(f"<!-- {model} {rid} {country}: {want}, read {got or 'not found'} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
