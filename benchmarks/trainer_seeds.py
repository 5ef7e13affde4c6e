"""Final dev headline of the tiny fixture config over several seeds, for any checkout's trainer.

    python benchmarks/trainer_seeds.py --root /path/to/checkout [--seeds 1 2 3 4 5] [--section.key value ...]

Builds the tests' tiny encoder (tests/conftest.py) and the tiny config of tests/test_training.py (ten CAMEO
rows, four NewsMTSC targets, 20 epochs), runs ``train`` of ``--root`` once per seed, each in its own
process (nothing cached between runs), and prints one JSON line per run plus mean ± sd of the final dev
headline. The tiny model's dev set is its training set, so this measures how well a trainer fits, step
for step; compare two trainers with the same seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def one_run(root: Path, seed: int, overrides: list[str], work: Path) -> dict:
    """Train in this process with ``root``'s ``training`` (called in a child process)."""
    sys.path[:0] = [str(root), str(HERE / "tests")]
    import torch

    torch.set_num_threads(1)
    import yaml
    from conftest import build_tiny_encoder
    from test_training import _config

    from training.cli import parse_overrides
    from training.config import load_config
    from training.trainer import train

    encoder = build_tiny_encoder(work / "encoder")
    raw = _config(work, encoder, seed=seed)
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    out = train(load_config(path, parse_overrides(overrides)), progress=False)
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "seed": seed,
        "headline": metrics["headline"],
        "epoch_headlines": [round(e["headline"], 3) for e in metrics["epoch_dev"]],
        "loss_first_last": metrics["loss_first_last"],
        "steps": metrics["steps"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", type=Path, required=True, help="checkout whose training/ to run")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args()
    root = args.root.resolve()
    if args.one is not None:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(one_run(root, args.one, extra, Path(tmp))))
        return
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    headlines = []
    for seed in args.seeds:
        done = subprocess.run(
            [sys.executable, __file__, "--root", str(root), "--one", str(seed), *extra],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
        )
        if done.returncode:
            sys.exit(f"seed {seed} failed:\n{done.stderr[-3000:]}")
        run = json.loads(done.stdout.strip().splitlines()[-1])
        headlines.append(run["headline"])
        print(json.dumps(run), flush=True)
    sd = statistics.stdev(headlines) if len(headlines) > 1 else 0.0
    print(json.dumps({"root": str(root), "n": len(headlines), "mean": statistics.mean(headlines), "sd": sd}))


if __name__ == "__main__":
    main()
