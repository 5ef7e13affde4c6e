"""Positive/negative macro-F1 of a model's sentiment against a neutral shift, per RuSentNE-format dev set.

The shift is added to the calibrated neutral log-probability (the model's temperature applied, none of its
own thresholds): what a per-language threshold could reach, and what it would cost the other sets
(docs/ablations.md §9).

    python -m benchmarks.sentiment_shift_curve --config configs/default.yaml --model runs/v7 runs/v8d
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from inference.classifier import load_classifier
from inference.labels import SENTIMENT_LABELS
from training.calibration import _pn_macro_f1, collect_logits
from training.config import load_config
from training.data import load_sources

SHIFTS = (0.0, -0.5, -1.0, -1.5, -2.0, -2.5, -3.0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--model", type=Path, nargs="+", required=True)
    args = parser.parse_args()
    data = load_sources(load_config(args.config))
    polar = (SENTIMENT_LABELS.index("negative"), SENTIMENT_LABELS.index("positive"))
    neutral = SENTIMENT_LABELS.index("neutral")
    print("model  source  " + "  ".join(f"{s:+.1f}" for s in SHIFTS))
    for path in args.model:
        classifier = load_classifier(path)
        temperature = classifier.settings.temperatures.get("sentiment", 1.0)
        for name, sd in data.items():
            if sd.config.kind != "rusentne" or not sd.dev:
                continue
            logits, labels, _ = collect_logits(
                classifier.model, classifier.tokenizer, sd.dev, bf16=classifier.precision == "bf16"
            )["sentiment"]
            logp = torch.log_softmax(logits / temperature, -1)
            figs = []
            for shift in SHIFTS:
                moved = logp.clone()
                moved[:, neutral] += shift
                figs.append(_pn_macro_f1(moved.argmax(-1), labels, polar))
            print(f"{path.name}  {name}  " + "  ".join(f"{f:.3f}" for f in figs), flush=True)


if __name__ == "__main__":
    main()
