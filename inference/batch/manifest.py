"""The manifest of a run (``manifest.json``) and the fingerprint that guards resuming."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from inference.batch.readers import InputSpec

MANIFEST_VERSION = 1


def describe_inputs(specs: list[InputSpec]) -> list[dict[str, Any]]:
    """Per input as named: path (absolute), kind, format, file count, bytes and a digest of
    every file's name, size and modification time (what a resume must find unchanged)."""
    described = []
    for spec in specs:
        digest = hashlib.sha256()
        total = 0
        for item in spec.files:
            stat = item.path.stat()
            total += stat.st_size
            digest.update(
                f"{item.path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode(
                    "utf-8", "surrogateescape"
                )
            )
        formats = sorted({f.format + (f".{f.compression}" if f.compression else "") for f in spec.files})
        described.append(
            {
                "path": str(spec.path.resolve()),
                "kind": spec.kind,
                "format": ",".join(formats),
                "files": len(spec.files),
                "bytes": total,
                "digest": digest.hexdigest()[:16],
            }
        )
    return described


def fingerprint_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Human-readable differences between two fingerprints (empty when they match)."""
    diffs = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key == "inputs":
            old_inputs, new_inputs = old.get(key) or [], new.get(key) or []
            if [i["path"] for i in old_inputs] != [i["path"] for i in new_inputs]:
                diffs.append(
                    f"inputs were {[i['path'] for i in old_inputs]}, now {[i['path'] for i in new_inputs]}"
                )
            else:
                changed = [n["path"] for o, n in zip(old_inputs, new_inputs, strict=True) if o != n]
                diffs.append(
                    f"input files changed since the first run (size or modification time): {changed}"
                )
        else:
            diffs.append(f"{key} was {old.get(key)!r}, now {new.get(key)!r}")
    return diffs


@dataclass
class Manifest:
    """What a run read, scored and wrote. ``read == scored + failed`` always holds."""

    read: int = 0
    scored: int = 0
    failed: int = 0
    rows: int = 0  # stance rows (article, sentence, country)
    article_rows: int = 0  # rows of articles.parquet (article, country)
    no_country: int = 0  # scored articles that name no country (no stance rows)
    model: str = ""
    model_info: dict[str, Any] = field(default_factory=dict)  # name, version, weights_sha256 (provenance)
    dates: dict[str, int] = field(default_factory=dict)  # records whose date parsed/unparsed/missing
    languages: dict[str, int] = field(default_factory=dict)  # articles per assumed language (languages.py)
    uncovered_languages: dict[str, int] = field(default_factory=dict)  # of those, languages without a table
    engine: str = "local"
    inputs: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    started_at: str = ""  # first run of this output folder (UTC, ISO 8601)
    finished_at: str = ""
    elapsed_s: float = 0.0  # from started_at to finished_at, pauses between runs included
    runs: int = 1  # 1 + number of resumes
    last_run: dict[str, Any] = field(default_factory=dict)  # records, scored, elapsed_s of the final run
    complete: bool = False
    version: int = MANIFEST_VERSION

    def fingerprint(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "options": self.options, "model": self.model}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        data = json.loads(path.read_text(encoding="utf-8"))
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def summary_table(self) -> str:
        run = self.last_run or {}
        elapsed = float(run.get("elapsed_s", 0.0))
        rate = (run.get("records", 0) / elapsed) if elapsed > 0 else 0.0
        this_run = [
            ("articles/s (this run)", f"{rate:,.1f}"),
            ("elapsed (this run)", f"{elapsed:,.1f} s"),
        ]
        if self.complete and not run.get("records"):
            this_run = [("this run", "nothing to do (already complete)")]
        dates = [
            (f"dates {status}", f"{self.dates[status]:,}")
            for status in ("parsed", "unparsed", "missing")
            if self.dates.get(status)
        ]
        languages = []
        if self.languages:
            languages.append(("languages (articles)", _top(self.languages)))
        if self.uncovered_languages:
            languages.append(("  without a country table", _top(self.uncovered_languages)))
        version = self.model_info.get("version")
        digest = self.model_info.get("weights_sha256")
        model = self.model + (f" {version}" if version else "") + (f" sha256:{digest[:12]}" if digest else "")
        rows = [
            ("read", f"{self.read:,}"),
            ("scored", f"{self.scored:,}"),
            ("  naming no country", f"{self.no_country:,}"),
            ("failed (errors.jsonl)", f"{self.failed:,}"),
            ("stance rows", f"{self.rows:,}"),
            ("article-country rows", f"{self.article_rows:,}"),
            *dates,
            *languages,
            *this_run,
            ("runs", f"{self.runs}"),
            ("model", model),
        ]
        width = max(len(k) for k, _ in rows)
        value_width = max(len(v) for _, v in rows)
        line = "-" * (width + value_width + 3)
        body = "\n".join(f"{k.ljust(width)} | {v.rjust(value_width)}" for k, v in rows)
        return f"{line}\n{body}\n{line}"


def _top(counts: dict[str, int], shown: int = 4) -> str:
    """``en 30, fr 12, +3 more``: the most frequent keys of ``counts``."""
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v:,}" for k, v in ordered[:shown])
    return text + (f", +{len(ordered) - shown} more" if len(ordered) > shown else "")
