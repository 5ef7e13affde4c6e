"""Which late relations a model loses in long sentences: verbs, recipients and fillers crossed.

``benchmarks/late_relation.py`` reads one relation ("China protested loudly to France") after agenda talk. This
crosses the relation's verb (a protest, a condemnation, a threat: conflictual; aid: cooperative, per
``../shared/guidelines/stance.md``), its recipient (France, Germany) and the text before it (agenda talk as in the
slow test, or routine news), at several lengths, and counts per model the cells where both countries read as the
guidelines give them. A loss confined to one verb points at that cue, one spread over all at the length itself
(docs/ablations.md §21).

    python -m benchmarks.late_relation_grid inference/default_model runs/v11 [--lengths 250 550 930 1200]
"""

from __future__ import annotations

import sys

from benchmarks.late_relation import AGENDA, late_text, parse_models_and_lengths, top_reading

FILLERS = {
    "agenda": AGENDA,
    "news": "the ministry said the figures for the quarter were in line with forecasts and the agency published "
    "its annual report on regional transport while local officials reviewed the plans ",
}
# name -> (relation with {to} for the recipient's name, the stance both countries should get)
VERBS = {
    "protest": ("while China protested loudly to {to} over the strikes.", "conflictual"),
    "condemn": ("while China condemned {to} over the strikes.", "conflictual"),
    "threaten": ("while China threatened {to} with sanctions over the strikes.", "conflictual"),
    "aid": ("while China sent emergency aid to {to} after the strikes.", "cooperative"),
}
RECIPIENTS = {"France": "FRA", "Germany": "DEU"}
LENGTHS = (250, 550, 930, 1200)


def grid(clf, lengths: list[int]) -> list[tuple[str, str, str, int, bool, str]]:
    """Per (filler, verb, recipient, length): whether CHN and the recipient both read as wanted, and the cell."""
    rows = []
    for fname, filler in FILLERS.items():
        for verb, (relation, want) in VERBS.items():
            for name, code in RECIPIENTS.items():
                for chars in lengths:
                    found = {
                        r.country: r for r in clf.classify(late_text(filler, relation.format(to=name), chars))
                    }
                    readings = [top_reading(found.get(c)) for c in ("CHN", code)]
                    ok = all(stance == want for stance, _ in readings)
                    cell = " / ".join(
                        "missing" if stance is None else f"{stance[:4]} {p:.2f}" for stance, p in readings
                    )
                    rows.append((fname, verb, code, chars, ok, cell))
    return rows


def main(argv: list[str] | None = None) -> int:
    longest = max(len(r.format(to=max(RECIPIENTS, key=len))) for r, _ in VERBS.values()) + 1
    args = parse_models_and_lengths(argv, __doc__.split("\n\n")[0], LENGTHS, longest)
    from inference.classifier import load_classifier

    for model in args.models:
        rows = grid(load_classifier(model, precision="fp32"), args.lengths)
        print(f"\n{model}: top stance and its probability, CHN / recipient; fp32")
        print("| filler | verb | recipient | " + " | ".join(f"{n} chars" for n in args.lengths) + " |")
        print("|---|---|---|" + "---|" * len(args.lengths))
        for start in range(0, len(rows), len(args.lengths)):
            cells = rows[start : start + len(args.lengths)]
            fname, verb, code = cells[0][:3]
            print(
                f"| {fname} | {verb} | {code} | "
                + " | ".join(c[5] + ("" if c[4] else " ✗") for c in cells)
                + " |"
            )
        per_verb = {
            verb: f"{sum(r[4] for r in rows if r[1] == verb)}/{sum(r[1] == verb for r in rows)}"
            for verb in VERBS
        }
        right = sum(r[4] for r in rows)
        print(f"{model}: {right}/{len(rows)} cells as the guidelines give them; per verb {per_verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
