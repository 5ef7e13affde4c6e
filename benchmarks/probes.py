"""Read a fixed list of probe sentences with one or more models, side by side: per-country stance/detail
(top score) and, where the model has a pair head, the directed dyads. For before/after notes:

    python benchmarks/probes.py inference/default_model runs/v5
    python benchmarks/probes.py --check inference/default_model runs/v9   # stances against the guidelines
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inference.classifier import load_classifier

# (text, lang, the per-country stance ../shared/guidelines/stance.md gives it)
CONFLICT_BRITAIN_FRANCE_RUSSIA = {
    "GBR": "conflictual",
    "FRA": "conflictual",
    "RUS": "conflictual",
    "UKR": "neutral",
}
PROBES = [
    # the readings issue 13 found wrong with near-certain scores
    ("India and Pakistan exchanged fire.", "en", {"IND": "conflictual", "PAK": "conflictual"}),
    ("Russia did not attack Ukraine.", "en", {"RUS": "neutral", "UKR": "neutral"}),  # a negated relation
    ("The talks between Serbia and Kosovo collapsed.", "en", {"SRB": "conflictual", "XKX": "conflictual"}),
    ("Israel recalled its ambassador from Turkey.", "en", {"ISR": "conflictual", "TUR": "conflictual"}),
    # issue 12's done-when sentence, and the same in languages the authors do not all read
    (
        "Britain and France warned Russia over its troop build-up near Ukraine.",
        "en",
        CONFLICT_BRITAIN_FRANCE_RUSSIA,
    ),
    (
        "Великобритания и Франция предупредили Россию о наращивании войск у границ Украины.",
        "ru",
        CONFLICT_BRITAIN_FRANCE_RUSSIA,
    ),
    (
        "Birleşik Krallık ve Fransa, Ukrayna sınırındaki asker yığınağı nedeniyle Rusya'yı uyardı.",
        "tr",
        CONFLICT_BRITAIN_FRANCE_RUSSIA,
    ),
    ("英国和法国就俄罗斯在乌克兰附近集结军队一事向俄罗斯发出警告。", "zh", CONFLICT_BRITAIN_FRANCE_RUSSIA),
    # one-way relations, passives, reported speech, third parties
    ("Ukraine was shelled by Russia overnight.", "en", {"UKR": "conflictual", "RUS": "conflictual"}),
    ("Japan said China had violated its airspace.", "en", {"JPN": "conflictual", "CHN": "conflictual"}),
    ("Germany will send tanks to Poland.", "en", {"DEU": "cooperative", "POL": "cooperative"}),
    (
        "Egypt mediated a ceasefire between Israel and Hamas.",
        "en",
        {"EGY": "cooperative", "ISR": "cooperative"},
    ),
]


def misreadings(clf, probes=PROBES) -> list[str]:
    """Each (probe, country) whose stance differs from the guideline's, as 'TEXT: CTRY got X, want Y'."""
    wrong = []
    for text, lang, want in probes:
        got = {r.country: r.stance for r in clf.classify(text, lang=lang)}
        for country, stance in want.items():
            if got.get(country) != stance:
                wrong.append(f"{text[:50]}: {country} got {got.get(country)}, want {stance}")
    return wrong


def _stances(clf, text: str, lang: str) -> str:
    return ", ".join(
        f"{r.country} {r.detail} {max(r.scores['detail'].values()):.2f}"
        for r in clf.classify(text, lang=lang)
    )


def _dyads(clf, text: str, lang: str) -> str:
    if not clf.has_dyads:
        return "(no pair head)"
    found = clf.classify_dyads(text, lang=lang)
    return ", ".join(f"{d.source}->{d.target} {d.detail} {d.intensity:+.1f}" for d in found) or "(none)"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument(
        "--check",
        action="store_true",
        help="only count each model's stances that differ from the guideline's; exit 1 if any does",
    )
    args = parser.parse_args()
    classifiers = [(m, load_classifier(m, precision="fp32")) for m in args.models]
    if args.check:
        total = sum(len(want) for _, _, want in PROBES)
        failed = False
        for name, clf in classifiers:
            wrong = misreadings(clf)
            failed = failed or bool(wrong)
            print(f"{name}: {total - len(wrong)}/{total} probe stances as the guidelines give them")
            for line in wrong:
                print(f"  {line}")
        raise SystemExit(1 if failed else 0)
    for text, lang, _ in PROBES:
        print(f"\n{text}")
        for name, clf in classifiers:
            print(f"  {str(name):<24} stance: {_stances(clf, text, lang)}")
            print(f"  {'':<24} dyads:  {_dyads(clf, text, lang)}")


if __name__ == "__main__":
    main()
