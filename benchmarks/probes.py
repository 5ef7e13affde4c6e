"""Read a fixed list of probe sentences with one or more models, side by side: per-country stance/detail
(top score) and, where the model has a pair head, the directed dyads. For before/after notes:

    python benchmarks/probes.py inference/default_model runs/v5
"""

from __future__ import annotations

import argparse
from pathlib import Path

from inference.classifier import load_classifier

PROBES = [
    # the readings issue 13 found wrong with near-certain scores
    ("India and Pakistan exchanged fire.", "en"),
    ("Russia did not attack Ukraine.", "en"),
    ("The talks between Serbia and Kosovo collapsed.", "en"),
    ("Israel recalled its ambassador from Turkey.", "en"),
    # issue 12's done-when sentence, and the same in languages the authors do not all read
    ("Britain and France warned Russia over its troop build-up near Ukraine.", "en"),
    ("Великобритания и Франция предупредили Россию о наращивании войск у границ Украины.", "ru"),
    ("Birleşik Krallık ve Fransa, Ukrayna sınırındaki asker yığınağı nedeniyle Rusya'yı uyardı.", "tr"),
    ("英国和法国就俄罗斯在乌克兰附近集结军队一事向俄罗斯发出警告。", "zh"),
    # one-way relations, passives, reported speech, third parties
    ("Ukraine was shelled by Russia overnight.", "en"),
    ("Japan said China had violated its airspace.", "en"),
    ("Germany will send tanks to Poland.", "en"),
    ("Egypt mediated a ceasefire between Israel and Hamas.", "en"),
]


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
    args = parser.parse_args()
    classifiers = [(m, load_classifier(m, precision="fp32")) for m in args.models]
    for text, lang in PROBES:
        print(f"\n{text}")
        for name, clf in classifiers:
            print(f"  {str(name):<24} stance: {_stances(clf, text, lang)}")
            print(f"  {'':<24} dyads:  {_dyads(clf, text, lang)}")


if __name__ == "__main__":
    main()
