"""A country's reaction to another's measure against, or for, a third, read as the guidelines give it: "Kyiv
welcomed the new American sanctions on Russian banks" makes UKR and USA cooperative (a welcome; the welcomed) and
RUS conflictual (sanctioned), with the dyads UKR -> USA and USA -> RUS and none between UKR and RUS; and (batch 2)
the target answering in kind: "China imposed tariffs on Canadian canola, and Ottawa retaliated with duties on
Chinese steel" makes both material conflict, with the dyads both ways.

``data/checks/reactions.jsonl`` (written from ``../shared/guidelines/stance.md`` and ``dyads.md``, not trained on;
its README says how) gives each sentence a ``kind`` and ``roles`` (reactor, actor, target, and the measure's
detail), from which every label follows (:func:`expected`). This counts, per model, the (sentence, country)
stances and details read as the guidelines give them, per kind, language and role, the directed dyad F1 with its
error classes, and the dyads read between the reactor and the target of a measure, which the sentences never
relate: the reaction leaking onto the target is the error batch 1 was written for; the answer's direction left
unread (``missed``) is batch 2's.

    python -m benchmarks.reactions inference/default_model runs/<candidate> [--misses]
"""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks.written_checks import (
    check_arguments,
    check_records,
    each_model,
    print_misses,
    print_table,
    rate,
)
from inference.labels import DETAIL_TO_STANCE

DATA = Path(__file__).resolve().parents[1] / "data" / "checks" / "reactions.jsonl"
FIELDS = ("id", "lang", "kind", "roles", "text", "gold", "detail", "dyads")
ROLES = ("reactor", "actor", "target")
CONFLICT = frozenset({"material_conflict", "verbal_conflict"})
COOPERATION = frozenset({"material_cooperation", "verbal_cooperation"})
# kind -> (the reaction's detail, or None where the reaction answers in kind with the measure's own detail; the
# measure details the kind allows). The reactor, the actor and the target are three countries, except in the
# target_* kinds, where the target itself reacts: batch 1 with a word, batch 2 (retaliates, reciprocates) with a
# measure of the same detail ("China imposed tariffs on Canadian canola, and Ottawa retaliated with duties on
# Chinese steel")
KINDS: dict[str, tuple[str | None, frozenset[str]]] = {
    "welcome_conflict": ("verbal_cooperation", frozenset({"material_conflict"})),
    "welcome_cooperation": ("verbal_cooperation", frozenset({"material_cooperation"})),
    "condemn_conflict": ("verbal_conflict", frozenset({"material_conflict"})),
    "condemn_cooperation": ("verbal_conflict", frozenset({"material_cooperation"})),
    "target_condemns": ("verbal_conflict", frozenset({"material_conflict"})),
    "target_welcomes": ("verbal_cooperation", frozenset({"material_cooperation"})),
    "target_retaliates": (None, CONFLICT),
    "target_reciprocates": (None, COOPERATION),
}


def expected(kind: str, roles: dict[str, str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Every country's detail and the dyads that ``kind`` and ``roles`` give: the reactor and the actor take the
    reaction (the actor is the one welcomed or condemned in the main clause), the target the measure; the dyads are
    reactor -> actor (the reaction) and actor -> target (the measure), none between reactor and target. A target
    that answers in kind gives both countries the measure's detail and the dyads both ways. ValueError names a
    kind, role or measure that does not fit."""
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r} is not one of {sorted(KINDS)}")
    if set(roles) != {*ROLES, "measure"}:
        raise ValueError(f"roles {sorted(roles)} must be exactly {sorted([*ROLES, 'measure'])}")
    reaction, measures = KINDS[kind]
    reactor, actor, target = (roles[r] for r in ROLES)
    measure = roles["measure"]
    if measure not in measures:
        raise ValueError(f"kind {kind!r} needs a measure in {sorted(measures)}, not {measure!r}")
    reaction = reaction or measure
    if kind.startswith("target_"):
        if reactor != target or actor == target:
            raise ValueError(
                f"kind {kind!r}: the reactor must be the target and the actor another country, got reactor "
                f"{reactor}, actor {actor}, target {target}"
            )
        detail = {actor: reaction, target: reaction}
    else:
        if len({reactor, actor, target}) != 3:
            raise ValueError(
                f"kind {kind!r}: reactor, actor and target must be three different countries, got {reactor}, "
                f"{actor}, {target}"
            )
        detail = {reactor: reaction, actor: reaction, target: measure}
    dyads = [
        {"source": reactor, "target": actor, "detail": reaction},
        {"source": actor, "target": target, "detail": measure},
    ]
    return detail, dyads


def read_items(path: Path) -> list[dict]:
    """The check's records; a missing field, or labels other than :func:`expected` gives, names the line."""
    items = []
    for n, record in check_records(path, FIELDS):
        try:
            detail, dyads = expected(record["kind"], record["roles"])
        except ValueError as err:
            raise ValueError(f"{path}:{n}: {err}") from None
        gold = {c: DETAIL_TO_STANCE[d] for c, d in detail.items()}
        if (record["detail"], record["gold"]) != (detail, gold) or sorted(
            record["dyads"], key=lambda d: (d["source"], d["target"])
        ) != sorted(dyads, key=lambda d: (d["source"], d["target"])):
            raise ValueError(
                f"{path}:{n}: labels differ from what kind {record['kind']!r} and roles {record['roles']} give: "
                f"detail {detail}, dyads {[(d['source'], d['target'], d['detail']) for d in dyads]}"
            )
        record.setdefault("batch", 1)  # batch 1 predates the field
        items.append(record)
    return items


def three_countries(record: dict) -> bool:
    """Whether ``record`` names a reactor, an actor and a target (every kind but the target_* ones)."""
    return not record["kind"].startswith("target_")


def role_counts(items: list[dict], read: dict[str, dict], role: str) -> tuple[list[bool], list[bool]]:
    """Stance and detail hits of the ``role`` country in the records with three countries."""
    stance: list[bool] = []
    detail: list[bool] = []
    for record in filter(three_countries, items):
        country = record["roles"][role]
        for c, want, want_detail, seen, seen_detail in read[record["id"]]["pairs"]:
            if c == country:
                stance.append(want == seen)
                detail.append(want_detail == seen_detail)
    return stance, detail


def leaks(items: list[dict], read: dict[str, dict]) -> int:
    """Three-country records in which a dyad was read between the reactor and the target of the measure (either
    direction): a relation the sentences never report."""
    n = 0
    for record in filter(three_countries, items):
        pair = {record["roles"]["reactor"], record["roles"]["target"]}
        n += any({s, t} == pair for s, t, _ in read[record["id"]]["read_dyads"])
    return n


def main(argv: list[str] | None = None) -> int:
    args = check_arguments(
        __doc__.split("\n\n")[0], DATA, "list each pair and dyad read wrong under its model's table", argv
    )
    items = read_items(args.data)
    kinds = list(dict.fromkeys(r["kind"] for r in items))
    batches = sorted({r["batch"] for r in items})
    langs = list(dict.fromkeys(r["lang"] for r in items))
    three = sum(map(three_countries, items))
    for model, read in each_model(args.models, items):
        rows = [("all", {})] + [(f"batch {b}", {"batch": b}) for b in batches if len(batches) > 1]
        rows += [(k, {"kind": k}) for k in kinds] + [(lang, {"lang": lang}) for lang in langs]
        print_table(items, read, rows)
        print("\n| role (three-country records) | stance | detail |\n|---|---:|---:|")
        for role in ROLES:
            stance, detail = role_counts(items, read, role)
            print(f"| {role} | {rate(stance)} | {rate(detail)} |")
        print(
            f"\nRecords with a dyad read between the reactor and the target of its measure: "
            f"{leaks(items, read)} of {three}"
        )
        if args.misses:
            print_misses(model, items, read, "kind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
