"""What the written checks under ``data/checks/`` share: their command line, reading their JSONL, reading their
sentences with a model, and counting what it read right.

A written check is a small JSONL of sentences written from the guidelines, never trained on, each with the gold
stance and detail of every country it names (and, for some, the directed dyads): ``benchmarks.weak_cues``,
``benchmarks.plover_events`` and ``benchmarks.reactions`` score one each.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.dev_table import require_model_dirs
from benchmarks.dyad_errors import CLASSES, error_classes, f1
from inference.labels import DETAIL_TO_STANCE


def check_arguments(
    description: str, data: Path, misses: str, argv: list[str] | None = None
) -> argparse.Namespace:
    """The command line of a written check (``data/checks/*.jsonl``): model directories, ``--data`` (default
    ``data``) and ``--misses`` (``misses``: its help), each bad value named through ``parser.error``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("models", nargs="+", type=Path, help="model directories")
    parser.add_argument("--data", type=Path, default=data, help="the check's JSONL")
    parser.add_argument("--misses", action="store_true", help=misses)
    args = parser.parse_args(argv)
    require_model_dirs(parser, args.models)
    if not args.data.is_file():
        parser.error(f"--data {args.data}: no such file")
    return args


def check_records(path: Path, fields: tuple[str, ...]) -> Iterator[tuple[int, dict]]:
    """(line number, record) of a written check's JSONL, blank lines skipped; a line that is not JSON or lacks one
    of ``fields`` raises ValueError naming it."""
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{n}: not JSON ({err})") from None
        missing = [k for k in fields if k not in record]
        if missing:
            raise ValueError(f"{path}:{n}: missing {missing}")
        yield n, record


def rate(hits: list[bool]) -> str:
    """``hits`` as "right/all" (a check's count)."""
    return f"{sum(hits)}/{len(hits)}"


def each_model(models: list[Path], items: list[dict]) -> Iterator[tuple[Path, dict[str, dict]]]:
    """Per model directory, its :func:`read_records` of ``items`` (fp32), after the heading of its tables."""
    from inference.classifier import load_classifier

    languages = len(set(r["lang"] for r in items))
    for model in models:
        read = read_records(load_classifier(model, precision="fp32"), items)
        print(f"\n{model}: {len(items)} sentences, {languages} languages\n")
        yield model, read


def read_records(clf, items: list[dict]) -> dict[str, dict]:
    """Per record id: ``pairs`` (country, gold stance, gold detail, stance read, detail read; None where the
    country was not read), ``dyads`` (the dyad error classes of the sentence, stance level) and ``read_dyads``
    (the (source, target, stance) of every dyad read)."""
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
        out[record["id"]] = {"pairs": pairs, "dyads": error_classes(gold, triples), "read_dyads": triples}
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


def print_table(items: list[dict], read: dict[str, dict], rows: list[tuple[str, dict]]) -> None:
    """A markdown table: per row (name, ``where`` as :func:`counts` takes it) the stance and detail hits, the
    directed dyad F1 and its error classes."""
    print("| rows | stance | detail | dyad F1 | " + " | ".join(CLASSES) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(CLASSES))
    for name, where in rows:
        stance, detail, classes = counts(items, read, **where)
        print(
            f"| {name} | {rate(stance)} | {rate(detail)} | "
            f"{f'{f1(classes):.3f}' if sum(classes.values()) else '-'} | "
            + " | ".join(str(classes[c]) for c in CLASSES)
            + " |"
        )


def print_misses(model: object, items: list[dict], read: dict[str, dict], field: str) -> None:
    """One HTML comment per (sentence, country) and per sentence's dyads read wrong, naming the record's ``field``
    (its event type or kind)."""
    for record in items:
        got = read[record["id"]]
        for country, want, want_detail, seen, seen_detail in got["pairs"]:
            if (want, want_detail) != (seen, seen_detail):
                print(
                    f"<!-- {model} {record['id']} {record[field]} {country}: {want_detail}, "
                    f"read {seen_detail or 'not found'} -->"
                )
        wrong = {c: n for c, n in got["dyads"].items() if c != "right" and n}
        if wrong:
            print(f"<!-- {model} {record['id']} {record[field]} dyads: {wrong} -->")
