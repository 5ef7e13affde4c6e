"""CPU time per optimizer step of ``train(config)``, for comparing trainers (e.g. before/after a change).

    python benchmarks/train_step_time.py --root /path/to/checkout CONFIG [--section.key value ...]

Imports ``training`` from ``--root`` (a checkout of any version), wraps ``torch.optim.AdamW.step`` (what
every version steps) and reports the median process CPU time between consecutive steps, skipping the
first two and any step that contains a dev evaluation. Process time, not wall time: a loaded machine
slows the wall clock of both runs alike but not their CPU time (use ``--train.threads 1``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, required=True, help="checkout whose training/ to time")
    parser.add_argument("config", type=Path)
    args, extra = parser.parse_known_args()
    sys.path.insert(0, str(args.root.resolve()))
    import torch

    from training.cli import parse_overrides
    from training.config import load_config

    stamps: list[float] = []
    step = torch.optim.AdamW.step

    def timed_step(self, *a, **kw):
        out = step(self, *a, **kw)
        stamps.append(time.process_time())
        return out

    torch.optim.AdamW.step = timed_step
    config = load_config(args.config, parse_overrides(extra))
    import training.trainer as trainer

    evaluations: list[int] = []
    evaluate = trainer.evaluate

    def counted(*a, **kw):
        evaluations.append(len(stamps))
        return evaluate(*a, **kw)

    trainer.evaluate = counted
    if hasattr(trainer, "StanceTrainer"):  # the Trainer version evaluates from hf_trainer
        import training.hf_trainer as hf

        hf.evaluate = counted
    started = time.process_time()
    trainer.train(config, progress=False)
    gaps = [
        b - a
        for i, (a, b) in enumerate(zip(stamps, stamps[1:], strict=False), start=1)
        if i >= 2 and i not in evaluations
    ]
    print(
        json.dumps(
            {
                "root": str(args.root),
                "steps": len(stamps),
                "median_step_cpu_s": round(statistics.median(gaps), 4),
                "mean_step_cpu_s": round(statistics.fmean(gaps), 4),
                "total_cpu_s": round(time.process_time() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
