"""``diplostance calibrate``: refit a trained model's temperatures and decision shifts on a config's dev splits.

What ``train.calibrate`` does at the end of training, for a model directory that already exists (trained
before a calibration option was added, or to refit on other dev data): fit, write the result into the
directory's ``config.json`` (``diplostance.temperatures`` / ``logit_shift``), score dev again and update
``metrics.json``, the calibration keys of ``training_config.yaml`` (:data:`training.config.CALIBRATION_KEYS`) and the model card.
The weights are not touched.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from inference.classifier import load_classifier
from inference.modeling import StanceModel, read_model_config

from .config import ConfigError, load_config
from .data import load_sources
from .evaluation import evaluate, format_table, headline, table_rows
from .model_card import write_model_card
from .trainer import calibrate_for_config, dev_sets


def recalibrate(model_dir: Path, config_path: Path, overrides: dict[str, str] | None = None) -> dict:
    """Refit per ``config``'s ``train.calibrate`` / ``polarity_source`` / ``fit_relation`` /
    ``fit_sentiment_shift``; return the report."""
    config = load_config(config_path, overrides)
    if not config.train.calibrate:
        raise ConfigError(f"{config_path}: train.calibrate is false; nothing to fit (set it to true)")
    read_model_config(model_dir)  # a clear error before the slow part when this is not a model directory
    data = load_sources(config)
    model, tokenizer = StanceModel.from_pretrained(model_dir)
    model.eval()
    report = calibrate_for_config(model, tokenizer, config, data)
    config_file = model_dir / "config.json"
    saved = json.loads(config_file.read_text())
    saved["diplostance"]["temperatures"] = model.settings.temperatures
    saved["diplostance"]["logit_shift"] = model.settings.logit_shift
    saved["diplostance"]["lang_logit_shift"] = model.settings.lang_logit_shift
    config_file.write_text(json.dumps(saved, indent=2, ensure_ascii=False) + "\n")

    classifier = load_classifier(model_dir, batch_size=config.train.eval_batch_size)
    results = evaluate(classifier, dev_sets(data))
    print(format_table(table_rows(results)))
    metrics_file = model_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    metrics.update({"dev": results, "headline": headline(results), "calibration": report})
    metrics_file.write_text(json.dumps(metrics, indent=2, ensure_ascii=False) + "\n")
    cfg_file = model_dir / "training_config.yaml"
    if cfg_file.is_file():
        trained = yaml.safe_load(cfg_file.read_text())
        # the record says how the directory was made: its calibration keys are now this config's
        trained.setdefault("train", {}).update(config.calibration())
        cfg_file.write_text(yaml.safe_dump(trained, sort_keys=False, allow_unicode=True))
        write_model_card(model_dir, trained, metrics)
    return report
