"""The seed spread of one config: its dev figures as mean ± sd over runs that differ only in the seed.

``diplostance spread RUN RUN ... --into MODEL_DIR`` reads finished runs (each ``diplostance train`` output
folder: ``metrics.json``, ``training_config.yaml``, ``data.json``), refuses runs that differ in anything but
``train.seed`` and ``output.dir`` or that read other data files, and writes ``seed_spread.json`` into the model
directory, whose card then shows the spread next to the model's own figures (docs/evaluation-protocol.md: a
single run's figure is one draw from this spread).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from .config import CALIBRATION_KEYS, RUNTIME_KEYS, Config, ConfigError, build, saved_calibration
from .protocol import summarise

SPREAD_FILE = "seed_spread.json"
# Config keys that may differ between the runs of one spread (and between them and the model directory).
FREE_KEYS = ("train.seed", "output.dir", *RUNTIME_KEYS)


def _read(run: Path, name: str) -> Any:
    path = run / name
    if not path.is_file():
        raise ConfigError(f"{path} not found: pass finished run directories (diplostance train --output.dir)")
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text) if name.endswith(".yaml") else json.loads(text)


def run_config(run: Path) -> dict[str, Any]:
    """The run's training config with every default filled in, so configs saved by older versions compare, and
    the dev split's seed spelled out."""
    try:
        config = build(Config, _read(run, "training_config.yaml"))
    except ConfigError as err:
        raise ConfigError(f"{run / 'training_config.yaml'}: {err}") from None
    config.data.split_seed = config.split_seed()  # null means "the training seed": compare the split itself
    return config.to_dict()


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            out.update(_flat(inner, f"{prefix}{key}."))
        return out
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out = {}
        for i, inner in enumerate(value):
            out.update(_flat(inner, f"{prefix}{i}."))
        out[f"{prefix}len"] = len(value)
        return out
    return {prefix.rstrip("."): value}


def config_differences(a: dict[str, Any], b: dict[str, Any], free: Sequence[str] = FREE_KEYS) -> list[str]:
    """``key: a-value != b-value`` for every dotted config key (but ``free``, by default :data:`FREE_KEYS`)
    where ``a`` and ``b`` differ."""
    fa, fb = _flat(a), _flat(b)
    return [
        f"{key}: {fa.get(key)!r} != {fb.get(key)!r}"
        for key in sorted(set(fa) | set(fb))
        if key not in free and fa.get(key) != fb.get(key)
    ]


def shown_differences(differences: Sequence[str], limit: int = 4) -> str:
    """The first ``limit`` of :func:`config_differences`' lines for an error message, and how many more."""
    more = len(differences) - limit
    return "; ".join(differences[:limit]) + (f"; and {more} more" if more > 0 else "")


def data_files(run: Path) -> dict[str, dict[str, str]]:
    """source -> {file: sha256} that the run read (its ``data.json``)."""
    return {name: entry.get("files", {}) for name, entry in _read(run, "data.json").items()}


def data_differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    """The sources whose files differ between two records of source -> files (two runs' ``data.json``: names or
    contents)."""
    return [name for name in sorted(set(a) | set(b)) if a.get(name) != b.get(name)]


def _check_same(
    reference: Path, other: Path, what: str, configs: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    """Raise :class:`ConfigError` when ``other`` differs from ``reference`` in config (``configs``: theirs, as
    :func:`run_config` reads them) or in the data files it read."""
    differences = config_differences(*configs)
    if differences:
        refit_keys = tuple(f"train.{key}" for key in CALIBRATION_KEYS)
        hint = (
            ""
            if config_differences(*configs, free=(*FREE_KEYS, *refit_keys))
            else " (only what calibration fits differs: refit the other side alike with diplostance calibrate RUN "
            "--config CONFIG, weights untouched)"
        )
        raise ConfigError(
            f"{other} differs from {reference} in {shown_differences(differences)}. {what} must share one config and differ only in "
            f"train.seed and output.dir (and where they ran: {', '.join(RUNTIME_KEYS)}){hint}"
        )
    data = data_differences(data_files(reference), data_files(other))
    if data:
        raise ConfigError(
            f"{other} read other data than {reference} (sources {', '.join(data)}: files or their contents "
            f"differ, see data.json). {what} must be trained on the same data"
        )


def seed_spread(runs: Sequence[str | Path]) -> dict[str, Any]:
    """Mean ± sd over ``runs`` of every dev figure (``training.protocol.summarise``), with the runs and seeds.

    Raises :class:`ConfigError` naming the offending run when fewer than two runs are given, a run is not
    finished, two runs share a seed, or runs differ in config (but the seed and output folder) or data."""
    paths = [Path(r) for r in runs]
    if len(paths) < 2:
        raise ConfigError(
            f"got {len(paths)} run(s); a seed spread needs at least 2 (3 or more to rank configs)"
        )
    configs = [run_config(path) for path in paths]
    seeds: dict[int, Path] = {}
    for path, config in zip(paths, configs, strict=True):
        seed = config["train"]["seed"]
        if seed in seeds:
            raise ConfigError(
                f"{path} and {seeds[seed]} both have train.seed {seed}; a spread needs other seeds"
            )
        seeds[seed] = path
    for path, config in zip(paths[1:], configs[1:], strict=True):
        _check_same(paths[0], path, "The runs of a spread", (configs[0], config))
    return {
        "runs": [{"dir": str(path), "seed": seed} for seed, path in seeds.items()],
        # what the runs' thresholds were fitted with; a model refitted since (diplostance calibrate) may differ
        "calibration": saved_calibration(configs[0]),
        "dev": summarise([_read(path, "metrics.json")["dev"] for path in paths]),
    }


def write_spread(model_dir: str | Path, spread: dict[str, Any], runs: Sequence[str | Path]) -> Path:
    """Write ``spread`` as ``model_dir/seed_spread.json`` and regenerate the model card.

    The model directory must hold a run of the same config and data (it is usually one of ``runs``, copied)."""
    from .model_card import write_model_card

    model_dir = Path(model_dir)
    reference = Path(runs[0])
    _check_same(
        reference,
        model_dir,
        "The model directory and the runs",
        (run_config(reference), run_config(model_dir)),
    )
    path = model_dir / SPREAD_FILE
    path.write_text(json.dumps(spread, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_model_card(model_dir, _read(model_dir, "training_config.yaml"), _read(model_dir, "metrics.json"))
    return path


def read_spread(model_dir: str | Path) -> dict[str, Any] | None:
    """The model directory's seed spread, or None when it has none."""
    path = Path(model_dir) / SPREAD_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
