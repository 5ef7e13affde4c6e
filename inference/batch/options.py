"""The typed options of a scoring run, shared by the engines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inference.batch.core import reserved_names
from inference.batch.dates import check_date_format
from inference.batch.html_text import check_text_format
from inference.batch.languages import LANGUAGE_COLUMNS, language_fields
from inference.batch.readers import ReadOptions
from inference.batch.records import ValidateOptions

ENGINES: tuple[str, ...] = ("local", "ray")
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")  # inference.devices.DEVICES (no torch import here)
PARQUET_LAYOUTS: tuple[str, ...] = ("file", "folder")
# inference.classifier.PRECISIONS (CPU) and inference.devices.PRECISIONS (accelerators), without importing torch
PRECISIONS: tuple[str, ...] = ("auto", "fp32", "bf16", "fp16", "int8")
# the periods of ``report --series`` (inference/batch/series.py) and the files it may write
SERIES_UNITS: tuple[str, ...] = ("day", "month", "quarter")
SERIES_FILES: tuple[str, ...] = tuple(
    f"series_{k}_{u}.csv" for k in ("countries", "dyads") for u in SERIES_UNITS
)


@dataclass(frozen=True)
class ScoreOptions:
    inputs: tuple[Path, ...]
    out_dir: Path
    model: str | None = None
    lang: str | None = None  # language of records without a ``lang`` field (None: let the model tell)
    text_field: str = "text"
    id_field: str = "id"
    passthrough: tuple[str, ...] = ("lang", "date", "title")
    date_format: str | None = None  # strptime pattern for ambiguous dates (--date-format)
    text_format: str = "auto"  # "text" | "html" | "auto": HTML when it obviously is (html_text.py)
    engine: str = "local"
    overwrite: bool = False
    chunk_size: int = 250  # records per committed chunk (the unit of resume)
    chunk_chars: int = 50_000_000  # a chunk also ends once its texts reach this many characters
    batch_size: int = 32  # articles per classifier call
    max_chars: int = 5_000_000  # longer texts are an error row "text too long"
    progress: bool | None = None  # None: a bar on a TTY, log lines otherwise; False: silent
    log_every_s: float = 30.0
    # Ray engine only (None: the engine's defaults; see inference/batch/ray_engine.py).
    address: str | None = None  # Ray cluster to join; None: start a local Ray instance
    num_workers: int | None = None  # scoring actors; None: one per CPU of the instance
    parquet_layout: str = "file"  # "folder": stances.parquet/ and articles.parquet/ are folders of parts
    device: str = "auto"  # where the classifier runs (inference.devices); Ray: see worker_device
    precision: str = "auto"  # the classifier's arithmetic (inference.load_classifier's precision)
    gpus_per_worker: float | None = (
        None  # Ray only: GPUs each scoring actor reserves (None: none, CPU actors)
    )

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; expected one of {list(PRECISIONS)}")
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; expected one of {list(ENGINES)}")
        if self.parquet_layout not in PARQUET_LAYOUTS:
            raise ValueError(
                f"unknown parquet_layout {self.parquet_layout!r}; expected one of {list(PARQUET_LAYOUTS)}"
            )
        if self.engine != "ray":
            given = [
                flag
                for flag, value, default in (
                    ("address (--address)", self.address, None),
                    ("num_workers (--num-workers)", self.num_workers, None),
                    ("parquet_layout (--parquet-layout)", self.parquet_layout, "file"),
                    ("gpus_per_worker (--gpus-per-worker)", self.gpus_per_worker, None),
                )
                if value != default
            ]
            if given:
                raise ValueError(
                    f"{', '.join(given)} need engine='ray' (--engine ray); engine is {self.engine!r}"
                )
        if self.device not in DEVICES:
            raise ValueError(f"unknown device {self.device!r}; expected one of {list(DEVICES)}")
        if self.gpus_per_worker is not None:
            if isinstance(self.gpus_per_worker, bool) or not (
                isinstance(self.gpus_per_worker, int | float) and self.gpus_per_worker > 0
            ):
                raise ValueError(
                    f"gpus_per_worker must be a positive number (e.g. 1, or 0.5 for two workers per GPU), "
                    f"got {self.gpus_per_worker!r}"
                )
            if self.device not in ("auto", "cuda"):
                raise ValueError(
                    f"gpus_per_worker reserves CUDA GPUs, but device is {self.device!r}; use device 'cuda' or 'auto'"
                )
        elif self.engine == "ray" and self.device == "cuda":
            raise ValueError(
                "device 'cuda' with engine 'ray' needs gpus_per_worker (--gpus-per-worker 1): Ray gives GPUs "
                "only to the workers that reserve them"
            )
        if self.num_workers is not None and (not isinstance(self.num_workers, int) or self.num_workers < 1):
            raise ValueError(f"num_workers must be a positive integer, got {self.num_workers!r}")
        for name in ("chunk_size", "chunk_chars", "batch_size", "max_chars"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not self.text_field or not self.id_field or self.text_field == self.id_field:
            raise ValueError(
                f"text_field {self.text_field!r} and id_field {self.id_field!r} must be two different non-empty names"
            )
        if self.lang is not None:
            try:
                language_fields("", self.lang)
            except (TypeError, ValueError) as err:
                raise ValueError(f"lang (--lang) {self.lang!r}: {err}") from None
        check_date_format(self.date_format)
        check_text_format(self.text_format)
        reserved = reserved_names(self.passthrough)
        if reserved:
            raise ValueError(
                f"pass-through fields {reserved} are names of output columns; leave them out of keep (--keep)"
            )
        clash = {self.text_field, self.id_field} & set(self.passthrough)
        if clash:
            raise ValueError(
                f"pass-through fields {sorted(clash)} are the id or text field; remove them from passthrough"
            )

    @property
    def output_fields(self) -> tuple[str, ...]:
        """Pass-through columns of the outputs: ``lang`` (the record's hint, else ``--lang``) first,
        ``language`` and ``language_covered`` (the language the finder assumed, ``languages.py``),
        then the others (``date`` followed by ``date_raw``, the text of dates that did not parse)."""
        fields = ["lang", *LANGUAGE_COLUMNS]
        for name in self.passthrough:
            if name != "lang":
                fields += [name, "date_raw"] if name == "date" else [name]
        return tuple(fields)

    @property
    def worker_device(self) -> str:
        """The classifier's device: Ray actors that reserve no GPU run on the CPU."""
        if self.engine == "ray" and self.gpus_per_worker is None and self.device == "auto":
            return "cpu"
        return self.device

    @property
    def read_options(self) -> ReadOptions:
        # A JSON line may escape every character (\\uXXXX: 6 bytes), plus room for the other fields.
        return ReadOptions(self.id_field, self.text_field, self.passthrough, 6 * self.max_chars + 2**20)

    @property
    def validate_options(self) -> ValidateOptions:
        return ValidateOptions(
            self.id_field,
            self.text_field,
            self.passthrough,
            self.lang,
            self.max_chars,
            self.date_format,
            self.text_format,
        )

    def fingerprint_options(self) -> dict[str, Any]:
        """The options that change the output rows (a resume must use the same)."""
        return {
            "text_field": self.text_field,
            "id_field": self.id_field,
            "lang": self.lang,
            "passthrough": list(self.passthrough),
            "max_chars": self.max_chars,
            "date_format": self.date_format,
            "text_format": self.text_format,
            # only when chosen, so runs started before the option existed still resume
            **({"precision": self.precision} if self.precision != "auto" else {}),
        }
