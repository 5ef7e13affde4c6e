"""Where a model's directed dyads go wrong on the dyads dev set, plain and read inside other sentences, and whether
the per-country readings could settle a related pair's stance.

Every labelled ordered pair of a dev sentence falls in one class (``training.dyad_metrics`` counts the F1 over
the same (source, target, stance) triples):

- ``right``: read related with the gold stance;
- ``wrong stance``: read related, gold related the same way round, another stance;
- ``reversed``: read related, only the other direction is gold (a one-way relation read backwards);
- ``spurious``: read related, neither direction is gold;
- ``missed``: gold related, read unrelated.

The second table tries a product of experts for the stance of each related pair:
``argmax_s log m(s) + alpha * (log p_source(s) + log p_target(s))``, with ``m`` the pair head's stance mass and
``p_*`` the target head's calibrated stance of each country (alpha 0 is the shipped decoding). The guidelines give
both countries of a one-relation sentence the relation's stance, so the target head might fix a pair head's
stance; which pairs are related is left as it is.

    python -m benchmarks.dyad_errors inference/default_model runs/v11l13 [--alphas 0 0.5 1] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.dev_table import require_model_dirs

CLASSES = ("right", "wrong stance", "reversed", "spurious", "missed")
Triple = tuple[str, str, str]


def error_classes(gold: Sequence[Triple], predicted: Sequence[Triple]) -> Counter[str]:
    """Count one sentence's ordered pairs by the classes above, from its gold and predicted related triples."""
    gold_stance = {(a, b): s for a, b, s in gold}
    read = {(a, b): s for a, b, s in predicted}
    out: Counter[str] = Counter()
    for pair, stance in read.items():
        if pair in gold_stance:
            out["right" if gold_stance[pair] == stance else "wrong stance"] += 1
        else:
            out["reversed" if pair[::-1] in gold_stance else "spurious"] += 1
    out["missed"] += sum(1 for pair in gold_stance if pair not in read)
    return out


def joint_stance(
    pair_stance: Mapping[str, float],
    source: Mapping[str, float],
    target: Mapping[str, float],
    alpha: float,
) -> str:
    """The stance maximising ``log pair_stance + alpha * (log source + log target)`` (ties: the first stance of
    ``pair_stance``, as the shipped decoding breaks them)."""

    def score(stance: str) -> float:
        floor = 1e-9
        own = math.log(max(source[stance], floor)) + math.log(max(target[stance], floor))
        return math.log(max(pair_stance[stance], floor)) + alpha * own

    return max(pair_stance, key=score)


def f1(counts: Counter[str]) -> float:
    """Directed dyad F1 from error classes: precision over every pair read related, recall over every gold pair."""
    tp = counts["right"]
    predicted = tp + counts["wrong stance"] + counts["reversed"] + counts["spurious"]
    gold = tp + counts["wrong stance"] + counts["missed"]
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def read_set(classifier, examples: Sequence, alphas: Sequence[float]) -> dict[float, Counter[str]]:
    """Error classes summed over ``examples``, per alpha (the stance of related pairs decoded jointly)."""
    import torch

    from inference.dyads import decode_pairs
    from inference.encoding import EncodedItem
    from training.dyad_metrics import gold_triples, predicted_triples

    items = [
        EncodedItem(e.text, [t.spans for t in e.targets], [(p.source, p.target) for p in e.pairs])
        for e in examples
    ]
    counts = {alpha: Counter() for alpha in alphas}
    for example, probs in zip(examples, classifier._forward(items), strict=True):
        if not probs.pairs:
            continue
        readings = classifier._target_results(
            probs.targets, [classifier.item_language(example.text)] * len(probs.targets)
        )
        country_stance = [reading.scores["stance"] for reading, _ in readings]
        pairs = decode_pairs(torch.stack([q["pair"] for q in probs.pairs]))
        gold = gold_triples(example)
        for alpha in alphas:
            joint = [
                replace(
                    r,
                    stance=joint_stance(
                        r.scores["stance"], country_stance[p.source], country_stance[p.target], alpha
                    ),
                )
                for p, r in zip(example.pairs, pairs, strict=True)
            ]
            counts[alpha] += error_classes(gold, predicted_triples(example, joint))
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="+", type=Path, help="model directories")
    parser.add_argument("--config", type=Path, default=Path("configs/default.yaml"))
    parser.add_argument("--alphas", nargs="+", type=float, default=[0.0, 0.25, 0.5, 1.0])
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the filler draw for the in-context copies"
    )
    args = parser.parse_args(argv)
    require_model_dirs(parser, args.models)
    bad = [a for a in args.alphas if a < 0]
    if bad:
        parser.error(f"--alphas {bad}: a weight must be 0 or more (0 is the shipped decoding)")
    alphas = list(dict.fromkeys([0.0, *args.alphas]))

    from inference.classifier import load_classifier
    from training.config import load_config
    from training.context import with_context
    from training.data import load_sources

    data = load_sources(load_config(args.config))
    if "dyads" not in data:
        parser.error(f"{args.config} has no source named dyads")
    dev = {"dyads": data["dyads"].dev}
    placed, _ = with_context(dev, {"dyads": 1.0}, args.seed)
    sets = {"plain": dev["dyads"], "in context": placed["dyads"]}

    errors = ["| model | dev | F1 | " + " | ".join(CLASSES) + " |", "|---|---|---:|" + "---:|" * len(CLASSES)]
    joint = [
        "| model | dev | " + " | ".join(f"alpha {a:g}" for a in alphas) + " |",
        "|---|---|" + "---:|" * len(alphas),
    ]
    for model in args.models:
        classifier = load_classifier(model)
        for name, examples in sets.items():
            counts = read_set(classifier, examples, alphas)
            shipped = counts[0.0]
            errors.append(
                f"| {model} | {name} | {f1(shipped):.3f} | "
                + " | ".join(str(shipped[c]) for c in CLASSES)
                + " |"
            )
            joint.append(f"| {model} | {name} | " + " | ".join(f"{f1(counts[a]):.3f}" for a in alphas) + " |")
    print("\n".join(errors))
    print()
    print("Directed dyad F1 with the stance of related pairs decoded jointly with the per-country stance:\n")
    print("\n".join(joint))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
