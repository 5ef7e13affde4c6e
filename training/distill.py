"""Distillation targets: what an ensemble of trained models (the teachers) reads in every training example.

Two seeds of the default config disagree by up to 5 points on a dev set, and their average reads every
public dev set better than either (docs/ablations.md §9). ``train.distill_from`` trains one model (the
student) on the teachers' mean probabilities as well as on the gold labels, so the shipped model keeps one
model's cost. The loss of a labelled item becomes ``(1 - a) * CE(gold) + a * CE(teachers)`` with
``a = train.distill_weight`` (:func:`training.losses.compute_loss`).

Each teacher contributes its *calibrated* distribution (its logits over its own dev-fitted temperature,
without decision thresholds): an uncalibrated model is sure of nearly every training example it has fitted,
and a one-hot target teaches nothing the gold label does not.

The targets are computed once per run (a progress bar over the training examples) and cached in
``<output.dir>/teacher_probs.safetensors`` under a fingerprint of the teachers' weights and the examples:
``--resume`` reads them back instead of running the teachers again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from inference.encoding import EncodedItem
from inference.heads import HEADS

from .examples import Example

logger = logging.getLogger(__name__)
CACHE = "teacher_probs.safetensors"
SoftTargets = dict[
    str, list[list[list[float]]]
]  # head -> per example -> per item (sentence/target/pair) -> probs


def soft_column(head: str) -> str:
    """The training-table column (and collated tensor) holding ``head``'s teacher probabilities."""
    return f"soft_{head}"


def check_teachers(paths: Sequence[Path], heads: Sequence[str]) -> None:
    """Every teacher is a model directory with every head the student trains; ValueError naming the
    directory and the fix otherwise (before any teacher is loaded)."""
    for path in paths:
        config = path / "config.json"
        if not config.is_file():
            raise ValueError(
                f"train.distill_from: {path} is not a model directory (no config.json); train the teachers "
                "first (e.g. 'diplostance train CONFIG --train.seed 14 --output.dir runs/teacher-14')"
            )
        settings = json.loads(config.read_text(encoding="utf-8")).get("diplostance", {})
        missing = sorted(set(heads) - set(settings.get("heads", [])))
        if missing:
            raise ValueError(
                f"train.distill_from: {path} has no head(s) {missing}, which this config trains; distil from "
                "models trained with the same heads, or set those heads' loss weight to 0"
            )


def _fingerprint(paths: Sequence[Path], examples: Sequence[Example]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        for name in sorted(p.relative_to(path).as_posix() for p in path.rglob("*.safetensors")):
            digest.update(name.encode())
            digest.update((path / name).read_bytes())
        digest.update((path / "config.json").read_bytes())
    for e in examples:
        digest.update(
            json.dumps(
                [e.id, e.text, [t.spans for t in e.targets], [(p.source, p.target) for p in e.pairs]]
            ).encode()
        )
    return digest.hexdigest()


def _items(examples: Sequence[Example], heads: Sequence[str]) -> list[EncodedItem]:
    with_pairs = any(HEADS[h].arity == "pair" for h in heads)
    return [
        EncodedItem(
            e.text,
            [t.spans for t in e.targets],
            [(p.source, p.target) for p in e.pairs] if with_pairs else [],
        )
        for e in examples
    ]


def _one_teacher(
    path: Path, items: Sequence[EncodedItem], heads: Sequence[str], show: bool
) -> dict[str, list]:
    """One teacher's calibrated probabilities (no decision shifts): head -> per item -> list of rows."""
    from inference.classifier import load_classifier

    teacher = load_classifier(path)
    teacher.settings = dataclasses.replace(teacher.settings, logit_shift={}, lang_logit_shift={})
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc=f"teacher {path.name}", unit="ex")
        teacher.progress_hook = bar.update
    try:
        probs = teacher._forward(items)
    finally:
        if bar is not None:
            bar.close()
    out: dict[str, list] = {}
    for head in heads:
        arity = HEADS[head].arity
        if arity == "sentence":
            out[head] = [[p.sentence[head]] for p in probs]
        elif arity == "target":
            out[head] = [[t[head] for t in p.targets] for p in probs]
        else:
            out[head] = [[q[head] for q in p.pairs] for p in probs]
    return out


def teacher_probs(
    paths: Sequence[Path],
    examples: Sequence[Example],
    heads: Sequence[str],
    *,
    cache: Path | None = None,
    show: bool = False,
) -> SoftTargets:
    """Per head, per example, the teachers' mean probability rows, in the order the label tensors use
    (:func:`training.batching.labelled_items`: the sentence, each target, each pair). ``cache``: a file
    reused when it holds the same teachers' targets for the same examples, written otherwise."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("teacher_probs needs at least one teacher directory")
    check_teachers(paths, heads)
    key = _fingerprint(paths, examples)
    if cache is not None and cache.is_file():
        with safe_open(str(cache), "pt") as fh:
            meta = fh.metadata() or {}
        if meta.get("fingerprint") == key and set(json.loads(meta.get("heads", "[]"))) == set(heads):
            logger.info("teacher probabilities read from %s", cache)
            return _unflatten(load_file(str(cache)), heads)
    items = _items(examples, heads)
    runs = []
    for path in paths:
        logger.info("distillation: running teacher %s over %d training examples", path, len(items))
        runs.append(_one_teacher(path, items, heads, show))
    mean = {  # head -> example -> item: the teachers' rows averaged
        head: [
            [(sum(rows) / len(runs)).tolist() for rows in zip(*per_teacher, strict=True)]
            for per_teacher in zip(*(run[head] for run in runs), strict=True)
        ]
        for head in heads
    }
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        meta = {
            "fingerprint": key,
            "heads": json.dumps(list(heads)),
            "teachers": json.dumps([str(p) for p in paths]),
        }
        save_file(_flatten(mean), str(cache), metadata=meta)
    return mean


def _flatten(soft: SoftTargets) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for head, per_example in soft.items():
        width = len(HEADS[head].labels)
        rows = [row for rows in per_example for row in rows]
        out[f"{head}.probs"] = torch.tensor(rows, dtype=torch.float32).reshape(len(rows), width)
        out[f"{head}.count"] = torch.tensor([len(rows) for rows in per_example], dtype=torch.int64)
    return out


def _unflatten(tensors: dict[str, torch.Tensor], heads: Sequence[str]) -> SoftTargets:
    out: SoftTargets = {}
    for head in heads:
        probs, counts = tensors[f"{head}.probs"].tolist(), tensors[f"{head}.count"].tolist()
        per_example, start = [], 0
        for n in counts:
            per_example.append(probs[start : start + n])
            start += n
        out[head] = per_example
    return out


def gold_targets(examples: Sequence[Example], heads: Sequence[str]) -> SoftTargets:
    """Targets that teach exactly what the gold labels do: one-hot where an item is labelled, uniform
    where it is not (the loss reads labelled items only). For sources kept out of distillation
    (``data.sources[*].distill: false``): their loss is the gold cross-entropy whatever ``distill_weight``."""
    from .batching import labelled_items

    out: SoftTargets = {}
    for head in heads:
        labels = HEADS[head].labels
        rows = {label: [float(x == label) for x in labels] for label in labels}
        uniform = [1.0 / len(labels)] * len(labels)
        out[head] = [
            [rows[label] if label else uniform for _, label in labelled_items(HEADS[head], [e])]
            for e in examples
        ]
    return out


def add_soft_columns(table, soft: SoftTargets):
    """``table`` (a training ``datasets.Dataset``, rows in the examples' order) with a ``soft_<head>``
    column per head: per row, a list of probability rows."""
    from datasets import List, Value

    for head, column in soft.items():
        if len(column) != len(table):
            raise ValueError(f"{len(column)} teacher rows for {len(table)} training rows (head {head!r})")
        table = table.add_column(soft_column(head), column, feature=List(List(Value("float32"))))
    return table
