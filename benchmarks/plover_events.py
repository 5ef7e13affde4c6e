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
from pathlib import Path

from benchmarks.written_checks import check_arguments, check_records, each_model, print_misses, print_table

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


def main(argv: list[str] | None = None) -> int:
    args = check_arguments(
        __doc__.split("\n\n")[0], DATA, "list each pair and dyad read wrong under its model's table", argv
    )
    items = read_items(args.data)
    events = list(dict.fromkeys(r["event"] for r in items))
    langs = list(dict.fromkeys(r["lang"] for r in items))
    for model, read in each_model(args.models, items):
        rows = (
            [("all", {})] + [(e, {"event": e}) for e in events] + [(lang, {"lang": lang}) for lang in langs]
        )
        rows += [("passive voice", {"voice": "passive"})]
        print_table(items, read, rows)
        if args.misses:
            print_misses(model, items, read, "event")
    return 0


if __name__ == "__main__":
    sys.exit(main())
