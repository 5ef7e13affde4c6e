"""One news sentence per PLOVER event type (agree, consult, ... sanction, mobilize, coerce, assault) and
language, read as an event-data analyst reads it: each country's stance and detail, and the directed dyad.

``data/checks/plover_events.jsonl`` (written from ``../shared/guidelines/stance.md`` and ``dyads.md`` and the
PLOVER event types, not from any model's errors; its README says how) gives one actor and one target per
sentence, in 16 event types: their per-country stance and detail, and the dyads (actor -> target; both ways for
the symmetric agree, consult and cooperate; none for the neutral record). This counts, per model, the (sentence,
country) stances and details read as the guidelines give them, per event type and language, and the directed
dyad F1 with its error classes (``benchmarks.dyad_errors``): the actor and the target swapped is ``reversed``.

    python -m benchmarks.plover_events inference/default_model runs/<candidate> [--misses]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from benchmarks.dev_table import check_arguments, check_records, rate
from benchmarks.dyad_errors import CLASSES, error_classes, f1
from inference.labels import DETAIL_TO_STANCE

DATA = Path(__file__).resolve().parents[1] / "data" / "checks" / "plover_events.jsonl"
FIELDS = ("id", "lang", "event", "voice", "text", "gold", "detail", "dyads")
# the PLOVER event types of the check and the detail the guidelines give both countries of each
EVENT_DETAIL = {
    "AGREE": "verbal_cooperation",
    "CONSULT": "verbal_cooperation",
    "SUPPORT": "verbal_cooperation",
    "REQUEST": "verbal_cooperation",
    "CONCEDE": "material_cooperation",
    "COOPERATE": "material_cooperation",
    "AID": "material_cooperation",
    "ACCUSE": "verbal_conflict",
    "REJECT": "verbal_conflict",
    "THREATEN": "verbal_conflict",
    "PROTEST": "verbal_conflict",
    "SANCTION": "material_conflict",
    "MOBILIZE": "material_conflict",
    "COERCE": "material_conflict",
    "ASSAULT": "material_conflict",
    "NEUTRAL": "neutral",
}
SYMMETRIC = frozenset({"AGREE", "CONSULT", "COOPERATE"})  # dyads both ways


def read_items(path: Path) -> list[dict]:
    """The check's records; a missing field or a dyad between countries the record does not label names the line."""
    items = []
    for n, record in check_records(path, FIELDS):
        strays = [d for d in record["dyads"] if {d["source"], d["target"]} - set(record["gold"])]
        if strays or set(record["detail"]) != set(record["gold"]):
            raise ValueError(
                f"{path}:{n}: dyads {strays} or detail {sorted(record['detail'])} name countries other "
                f"than gold {sorted(record['gold'])}"
            )
        items.append(record)
    return items


def read_records(clf, items: list[dict]) -> dict[str, dict]:
    """Per record id: ``pairs`` (country, gold stance, gold detail, stance read, detail read; None where the
    country was not read) and ``dyads`` (the dyad error classes of the sentence, stance level)."""
    stances, dyads = clf.analyse_many([r["text"] for r in items], [r["lang"] for r in items])
    out: dict[str, dict] = {}
    for record, found, related in zip(items, stances, dyads, strict=True):
        read = {r.country: (r.stance, r.detail) for r in found}
        pairs = [
            (country, want, record["detail"][country], *read.get(country, (None, None)))
            for country, want in record["gold"].items()
        ]
        gold = [(d["source"], d["target"], DETAIL_TO_STANCE[d["detail"]]) for d in record["dyads"]]
        triples = [(d.source, d.target, d.stance) for d in related]
        out[record["id"]] = {"pairs": pairs, "dyads": error_classes(gold, triples)}
    return out


def counts(
    items: list[dict], read: dict[str, dict], **where: object
) -> tuple[list[bool], list[bool], Counter]:
    """Stance hits, detail hits (one bool per gold pair) and summed dyad classes of the records whose fields
    equal ``where`` (e.g. ``event="SANCTION"``)."""
    stance: list[bool] = []
    detail: list[bool] = []
    classes: Counter[str] = Counter()
    for record in items:
        if all(record[k] == w for k, w in where.items()):
            got = read[record["id"]]
            stance += [want == seen for _, want, _, seen, _ in got["pairs"]]
            detail += [want == seen for _, _, want, _, seen in got["pairs"]]
            classes += got["dyads"]
    return stance, detail, classes


def main(argv: list[str] | None = None) -> int:
    args = check_arguments(
        __doc__.split("\n\n")[0], DATA, "list each pair and dyad read wrong under its model's table", argv
    )
    items = read_items(args.data)
    events = list(dict.fromkeys(r["event"] for r in items))
    langs = list(dict.fromkeys(r["lang"] for r in items))
    from inference.classifier import load_classifier

    for model in args.models:
        read = read_records(load_classifier(model, precision="fp32"), items)
        print(f"\n{model}: {len(items)} sentences, {len(langs)} languages\n")
        print("| rows | stance | detail | dyad F1 | " + " | ".join(CLASSES) + " |")
        print("|---|---:|---:|---:|" + "---:|" * len(CLASSES))
        rows = (
            [("all", {})] + [(e, {"event": e}) for e in events] + [(lang, {"lang": lang}) for lang in langs]
        )
        rows += [("passive voice", {"voice": "passive"})]
        for name, where in rows:
            stance, detail, classes = counts(items, read, **where)
            print(
                f"| {name} | {rate(stance)} | {rate(detail)} | "
                f"{f'{f1(classes):.3f}' if sum(classes.values()) else '-'} | "
                + " | ".join(str(classes[c]) for c in CLASSES)
                + " |"
            )
        if args.misses:
            for record in items:
                got = read[record["id"]]
                for country, want, want_detail, seen, seen_detail in got["pairs"]:
                    if (want, want_detail) != (seen, seen_detail):
                        print(
                            f"<!-- {model} {record['id']} {record['event']} {country}: {want_detail}, "
                            f"read {seen_detail or 'not found'} -->"
                        )
                wrong = {c: n for c, n in got["dyads"].items() if c != "right" and n}
                if wrong:
                    print(f"<!-- {model} {record['id']} {record['event']} dyads: {wrong} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
