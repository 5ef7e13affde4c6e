"""A relation stated last in agenda talk, at growing lengths: how surely each model still reads it.

The slow behavioural test (``tests/test_windows.py``) reads "while China protested loudly to France over the
strikes." at the end of a 755- and a 930-character sentence and of a 5,000-word unpunctuated record, and passes
or fails. This gives the same sentence cut to other lengths, with the top stance and its probability for China
and France, so that models can be compared by margin rather than by pass or fail (docs/ablations.md §16).
Sentences up to 128 tokens (about 550 characters here) are read whole, longer ones through windows.

    python -m benchmarks.late_relation inference/default_model runs/v11 [--lengths 120 250 755 930 2000]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from benchmarks.dev_table import require_model_dirs

FILLER = "the delegates discussed the agenda for the next session and the committee reviewed the budget "
RELATION = "while China protested loudly to France over the strikes."
COUNTRIES = ("CHN", "FRA")
WANT = "conflictual"  # ../shared/guidelines/stance.md: a protest is verbal conflict, for both sides
LENGTHS = (120, 250, 400, 550, 650, 755, 930, 1200, 2000)


AGENDA = FILLER.replace("session and", "session, and")  # the filler with a clause comma


def late_text(filler: str, relation: str, chars: int) -> str:
    """``filler`` repeated, then ``relation``: ``chars`` characters at most."""
    body = (filler * (chars // len(filler) + 1))[: chars - len(relation) - 1].rstrip()
    return f"{body} {relation}"


def long_sentence(chars: int, commas: bool = True) -> str:
    """Agenda talk (with clause commas unless ``commas`` is False), then :data:`RELATION`, ``chars`` long."""
    return late_text(AGENDA if commas else FILLER, RELATION, chars)


def unpunctuated(words: int = 5000) -> str:
    """``words`` words without punctuation; 'China' ends just before the old 1,000-character cut."""
    base = "the delegates discussed the agenda and the committee reviewed the budget figures " * (
        words // 12 + 1
    )
    head = base[: base.rindex(" ", 0, 980) + 1]
    while len(head) < 988:
        head += "a "
    return " ".join((head + "China protested to France over the strikes " + base).split()[:words])


def readings(clf, texts: Sequence[tuple[str, str]]) -> list[tuple[str, dict[str, tuple[str | None, float]]]]:
    """Per (name, text): each of :data:`COUNTRIES`'s top stance and its probability (None, 0.0 if not found)."""
    out = []
    for name, text in texts:
        found = {r.country: r for r in clf.classify(text)}
        out.append((name, {c: top_reading(found.get(c)) for c in COUNTRIES}))
    return out


def top_reading(result) -> tuple[str | None, float]:
    """A result's stance and its probability; (None, 0.0) for a country not found."""
    return (None, 0.0) if result is None else (result.stance, max(result.scores["stance"].values()))


def summary(rows: list[tuple[str, dict[str, tuple[str | None, float]]]]) -> str:
    """'k/n read conflictual for both; lowest p(conflictual reading) x' over the rows."""
    right = [r for _, r in rows if all(stance == WANT for stance, _ in r.values())]
    low = min((p for _, r in rows for stance, p in r.values() if stance == WANT), default=0.0)
    return f"{len(right)}/{len(rows)} read {WANT} for both {' and '.join(COUNTRIES)}; lowest such probability {low:.2f}"


def _cell(reading: dict[str, tuple[str | None, float]]) -> str:
    return " / ".join(f"{(stance or 'missing')[:4]} {p:.2f}" for stance, p in reading.values())


def parse_models_and_lengths(
    argv: list[str] | None, description: str, lengths: Sequence[int], relation_chars: int
) -> argparse.Namespace:
    """``models`` (model directories, checked) and ``--lengths`` (each longer than ``relation_chars``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("models", nargs="+", type=Path, help="model directories")
    parser.add_argument(
        "--lengths", nargs="+", type=int, default=list(lengths), help="text lengths (characters)"
    )
    args = parser.parse_args(argv)
    require_model_dirs(parser, args.models)
    short = [n for n in args.lengths if n <= relation_chars]
    if short:
        parser.error(
            f"--lengths {short}: each must exceed {relation_chars} characters, the relation's own length"
        )
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_models_and_lengths(argv, __doc__.split("\n\n")[0], LENGTHS, len(RELATION) + 1)
    from inference.classifier import load_classifier

    texts = [(f"{n} chars", long_sentence(n)) for n in args.lengths] + [("5,000 words", unpunctuated())]
    header = "| model | " + " | ".join(name for name, _ in texts) + " |"
    lines, notes = [header, "|---" * (len(texts) + 1) + "|"], []
    for model in args.models:
        rows = readings(load_classifier(model, precision="fp32"), texts)
        lines.append(f"| {model} | " + " | ".join(_cell(r) for _, r in rows) + " |")
        notes.append(f"{model}: {summary(rows)}")
    print(f"top stance (conf, coop, neut) and its probability, {' / '.join(COUNTRIES)}; fp32:")
    print("\n".join(lines + [""] + notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
