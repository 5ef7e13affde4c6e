"""Write ``inference/int8_calibration.txt``: the sentences an int8 encoder is calibrated on.

Drawn from this project's own training sentences (``data/stance/train``, ``data/dyads/train``; never
their dev splits), round-robin over the language files so every language and script is in, in a fixed
order (seeded shuffle per file). Rebuild it with ``python -m training.int8_calibration``; a changed
file gives every model a new int8 cache key, so the caches calibrate again.
"""

from __future__ import annotations

import argparse
import json
import random
from itertools import zip_longest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "data" / "stance" / "train", ROOT / "data" / "dyads" / "train")
OUTPUT = ROOT / "inference" / "int8_calibration.txt"


def calibration_sentences(n: int = 512, seed: int = 0) -> list[str]:
    """``n`` training sentences, taken in turn from each language file (each file shuffled with ``seed``)."""
    per_file = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.jsonl")):
            texts = [
                " ".join(json.loads(line)["text"].split())
                for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip()
            ]
            random.Random(f"{seed}:{path.name}").shuffle(texts)
            per_file.append(texts)
    seen: set[str] = set()
    out: list[str] = []
    for row in zip_longest(*per_file):
        for text in row:
            if text and text not in seen and len(out) < n:
                seen.add(text)
                out.append(text)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="sentences (default 512)")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    sentences = calibration_sentences(args.n)
    args.out.write_text("\n".join(sentences) + "\n", encoding="utf-8")
    print(f"wrote {len(sentences)} sentences to {args.out}")


if __name__ == "__main__":
    main()
