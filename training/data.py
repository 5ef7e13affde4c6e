"""Read the configured sources, split them into train/dev by group, and fingerprint the files."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, ConfigError, SourceConfig
from .examples import BadRow, Example
from .grouping import merge_near_duplicates
from .readers import read_source

logger = logging.getLogger(__name__)


@dataclass
class SourceData:
    config: SourceConfig
    train: list[Example]
    dev: list[Example]
    bad_rows: list[BadRow] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256


def in_dev(group: str, fraction: float, seed: int) -> bool:
    """Deterministic split by group: the same group is always on the same side."""
    digest = hashlib.sha1(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def fingerprint(path: Path) -> dict[str, str]:
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    out = {}
    for f in files:
        h = hashlib.sha256()
        with open(f, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
        out[str(f)] = h.hexdigest()
    return out


def in_fold(group: str, folds: int, fold: int) -> bool:
    """Fold ``fold`` of a ``folds``-way partition of the groups (fixed across seeds, unlike :func:`in_dev`)."""
    digest = hashlib.sha1(f"fold:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % folds == fold


@dataclass
class _Read:
    source: SourceConfig
    examples: list[Example]
    dev: list[Example] | None  # from dev_path, else None (split by group)
    bad_rows: list[BadRow]
    files: dict[str, str]
    dev_is_train: bool = False  # dev_path names the training file itself: dev measures fit, by request


def source_files(config: Config, source: SourceConfig) -> dict[str, str]:
    """path -> sha256 of every file ``source`` reads (``path``, and ``dev_path`` if set), as ``data.json`` records them."""
    files = fingerprint(config.resolve_path(source.path))
    if source.dev_path:
        files.update(fingerprint(config.resolve_path(source.dev_path)))
    return files


def _read(config: Config, source: SourceConfig) -> _Read:
    path = config.resolve_path(source.path)
    result = read_source(source.kind, path, **source.options)
    files = source_files(config, source)
    bad = list(result.bad_rows)
    dev = None
    dev_is_train = False
    if source.dev_path:
        dev_path = config.resolve_path(source.dev_path)
        dev_is_train = dev_path.resolve() == path.resolve()
        if dev_is_train:
            logger.warning(
                "%s: dev_path is the training file; its dev figures measure fit, not generalisation",
                source.name,
            )
        dev_result = read_source(source.kind, dev_path, **source.options)
        bad += dev_result.bad_rows
        dev = dev_result.examples
    for example in (*result.examples, *(dev or ())):
        example.source = source.name  # the config's name, which keys per-source settings
        example.sentence_head = source.sentence_head
    if bad:
        logger.warning("%s: %d bad row(s), e.g. %s", source.name, len(bad), bad[0])
    return _Read(source, result.examples, dev, bad, files, dev_is_train)


def _is_dev(config: Config, source: SourceConfig, group: str) -> bool:
    if config.data.folds:
        return in_fold(group, config.data.folds, config.data.fold)
    return in_dev(group, source.dev_fraction, config.split_seed())


def load_sources(config: Config) -> dict[str, SourceData]:
    """Every source of ``config.data.sources``, split so that no group straddles train and dev.

    Groups come from the readers (a UN row and its translations share one) and, with
    ``data.group_similarity`` > 0, from near-duplicate text across all sources of a language
    (:mod:`training.grouping`). A source with ``dev_path`` keeps that file as dev; any other is split by
    group (``dev_fraction``, or fold ``data.fold`` of ``data.folds``). Finally every training example whose
    group is on the dev side of *any* source is dropped from training, so a sentence seen in one source's
    dev set is never trained on through another (a source whose ``dev_path`` is its own training file,
    a fit check, is left out of that rule).
    """
    reads = [_read(config, source) for source in config.data.sources]
    if config.data.group_similarity > 0:
        everything = [e for r in reads for e in (*r.examples, *(r.dev or ()))]
        merged = merge_near_duplicates(everything, config.data.group_similarity)
        logger.info(
            "grouping: %d near-duplicate merge(s) at 3-gram containment >= %s",
            merged,
            config.data.group_similarity,
        )
    splits: dict[str, tuple[list[Example], list[Example]]] = {}
    for r in reads:
        if r.dev is not None:
            splits[r.source.name] = (r.examples, r.dev)
        else:
            dev_side = [_is_dev(config, r.source, e.group) for e in r.examples]
            splits[r.source.name] = (
                [e for e, d in zip(r.examples, dev_side, strict=True) if not d],
                [e for e, d in zip(r.examples, dev_side, strict=True) if d],
            )
    dev_groups = {e.group for r in reads if not r.dev_is_train for e in splits[r.source.name][1]}
    out: dict[str, SourceData] = {}
    for r in reads:
        train, dev = splits[r.source.name]
        kept = [e for e in train if e.group not in dev_groups]
        if len(kept) < len(train):
            logger.info(
                "%s: %d training example(s) share a group with a dev example; dropped",
                r.source.name,
                len(train) - len(kept),
            )
        if r.source.train and not kept:
            raise ConfigError(
                f"data source {r.source.name!r}: no training example is left after the dev split "
                f"({len(r.examples)} read, {len(dev)} on the dev side, {len(train) - len(kept)} dropped as sharing "
                "a group with a dev example); give it more data, fewer data.folds or a smaller dev_fraction, "
                "or set train: false to evaluate on it only"
            )
        if r.source.max_examples is not None:
            kept = kept[: r.source.max_examples]
        out[r.source.name] = SourceData(r.source, kept, dev, r.bad_rows, r.files)
    return out
