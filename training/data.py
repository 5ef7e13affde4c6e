"""Read the configured sources, split them into train/dev by group, and fingerprint the files."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, SourceConfig
from .examples import BadRow, Example
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


def load_source(config: Config, source: SourceConfig) -> SourceData:
    path = config.resolve_path(source.path)
    result = read_source(source.kind, path, **source.options)
    files = fingerprint(path)
    bad = list(result.bad_rows)
    examples = result.examples
    if source.dev_path:
        dev_path = config.resolve_path(source.dev_path)
        dev_result = read_source(source.kind, dev_path, **source.options)
        bad += dev_result.bad_rows
        files.update(fingerprint(dev_path))
        train, dev = examples, dev_result.examples
    else:
        seed = config.train.seed
        train = [e for e in examples if not in_dev(e.group, source.dev_fraction, seed)]
        dev = [e for e in examples if in_dev(e.group, source.dev_fraction, seed)]
    if source.max_examples is not None:
        train = train[: source.max_examples]
    for example in (*train, *dev):
        example.source = source.name  # the config's name, which keys per-source settings
        example.sentence_head = source.sentence_head
    if bad:
        logger.warning("%s: %d bad row(s), e.g. %s", source.name, len(bad), bad[0])
    return SourceData(source, train, dev, bad, files)


def load_sources(config: Config) -> dict[str, SourceData]:
    """Every source of ``config.data.sources``; groups shared across sources (UN translations) split alike."""
    return {source.name: load_source(config, source) for source in config.data.sources}
