"""``diplostance evaluate``: score a model directory on the dev splits named by a config."""

from __future__ import annotations

import json
from pathlib import Path

from inference.classifier import DEFAULT_MODEL_DIR, load_classifier

from .config import ConfigError, load_config
from .data import load_sources
from .dyad_metrics import format_dyad_table
from .evaluation import evaluate, format_table, table_rows
from .model_card import write_model_card
from .trainer import dev_sets


def run_evaluation(
    model_dir: Path | None,
    config_path: Path,
    names: list[str] | None = None,
    out: Path | None = None,
    overrides: dict[str, str] | None = None,
    *,
    precision: str = "auto",
) -> dict:
    """Evaluate, print the table (ours next to the published figures), write metrics.json; return the results."""
    config = load_config(config_path, overrides)
    if names:
        known = [s.name for s in config.data.sources]
        missing = sorted(set(names) - set(known))
        if missing:
            raise ConfigError(f"--data names unknown source(s) {missing}; the config has {known}")
        config.data.sources = [s for s in config.data.sources if s.name in names]
    classifier = load_classifier(model_dir, batch_size=config.train.eval_batch_size, precision=precision)
    results = evaluate(classifier, dev_sets(load_sources(config)))
    print(format_table(table_rows(results)))
    dyads = format_dyad_table(results)
    if dyads:
        print("\nDirected dyads over (source, target, stance) triples (micro P/R/F1):\n" + dyads)
    target_dir = out or model_dir or DEFAULT_MODEL_DIR
    target_dir.mkdir(parents=True, exist_ok=True)
    metrics_file = target_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    metrics[f"evaluation_{classifier.precision}"] = {"config": str(config_path), "results": results}
    metrics_file.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    cfg_file = target_dir / "training_config.yaml"
    if out is None and cfg_file.is_file() and "dev" in metrics:
        import yaml

        write_model_card(target_dir, yaml.safe_load(cfg_file.read_text()), metrics)
    return results
