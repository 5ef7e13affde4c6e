"""Generate the model card (README.md in the model directory) from the run's config and metrics."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import yaml

from inference.heads import HEADS, LEGACY_HEADS

from .calibration import GLOBAL_SCOPE, format_shifts
from .config import CALIBRATION_KEYS, saved_calibration
from .evaluation import table_rows
from .protocol import summary_rows
from .seed_spread import read_spread

_TEMPLATE = """---
language: [{languages}]
license: mit
library_name: diplostance
tags: [stance, sentiment, international-relations, cameo, plover, multilingual]
base_model: {encoder}
{model_index}---

# diplostance stance model

Stance (cooperative / conflictual / neutral), five-way CAMEO/PLOVER detail and sentiment toward
countries (or any target span) in news sentences, plus the five-way detail of a whole sentence.

- Base encoder: `{encoder}` ({adapter}){layers}, max length {max_length} tokens, prefix `{prefix}`.
- A target is read as {pooling}; {encoding}.
- Trained {steps} steps ({epochs} epochs) in {minutes:.1f} min; peak memory {rss:.0f} MB.{distilled}
- Load it with `inference.load_classifier("path/to/{name}")`; the model shipped in the package loads with
  `inference.load_classifier()`.

## Heads

| head | reads | labels |
|---|---|---|
{head_rows}

The `pair` head reads every ordered pair of different countries in a sentence (source -> target);
`none` is its explicit "unrelated" class, and a pair is reported when `p(none) < 0.5`
(`inference/dyads.py`, which also gives the intensity formula).

## Training data

| source | kind | train | dev |
|---|---|---:|---:|
{data_rows}

## Dev-split results (macro-F1; dyads: micro P/R/F1 over (source, target, stance) triples)

| data set | lang | metric | this model | published (dyads: co-occurrence baseline) |
|---|---|---|---:|---|
{metric_rows}

{spread}{calibration}
Published figures are on the sets' official test splits (see ../shared/data/README.md); ours are on
held-out dev splits of the training files, so they are indicative, not a like-for-like comparison.

## Intended use and limits

Analysis of news about international relations in many languages. Labels follow
`shared/guidelines/stance.md`. Countries are found by a rule-based multilingual gazetteer; the model is
small (multilingual-e5-small) and trained on a CPU. Expect lower quality on languages with little
training data and on long, multi-clause sentences.
"""


_ENCODING = {
    "shared": "the sentence is encoded once for all its targets",
    "marked": "each target gets its own encoder pass with its mentions marked (`[ Russia ]`)",
}
_POOLING = {
    "mean": "the mean of its mention tokens next to the sentence mean",
    "attention": (
        "the mean of its mention tokens, a target-queried attention over the sentence (biased by "
        "distance to the mention) and the sentence mean"
    ),
}


# How the sources' metrics combine in the sentiment shift's fit (train.sentiment_shift_votes), for the card.
_VOTES_TEXT = {
    "equal": "averaged",
    "sqrt": "averaged with weights by the square root of each source's dev targets",
    "items": "averaged with weights by each source's dev targets",
}


def _calibration_section(report: dict[str, Any] | None) -> str:
    """The temperatures and expected calibration error before/after (empty when not calibrated)."""
    if not report:
        return ""
    rows = "\n".join(
        f"| {head} | {r['temperature']:.2f} | {r['ece_before']:.3f} | {r['ece_after']:.3f} | {r['n']} |"
        for head, r in report.items()
        if "temperature" in r
    )
    polarity = report.get("sentiment_polarity")
    polarity_text = (
        ""
        if not polarity
        else (
            f"The sentiment head's neutral logit is shifted by {polarity['neutral_shift']:+.2f} (fitted on "
            f"{polarity['n']} dev targets of the polarity source to maximise positive/negative macro-F1: "
            f"{polarity['pn_f1_before']:.3f} without, {polarity['pn_f1_after']:.3f} with, cross-fitted).\n\n"
        )
    )
    shifts = report.get("sentiment_shift")
    if shifts:
        langs = ", ".join(f"{lang} {v:+.2f}" for lang, v in shifts["per_language"].items()) or "none"
        rows_s = "\n".join(
            f"| {name} | {r['metric']} | {r['before']:.3f} | {r['after']:.3f} | {r['n']} |"
            for name, r in shifts["sources"].items()
        )
        polarity_text += (
            f"The sentiment head's neutral logit is shifted by {shifts['neutral_shift']:+.2f}, and per language "
            f"with at least {shifts['min_items']} dev targets by its own shift ({langs}); the language is the "
            "`lang` hint or, without one, the identified language. Fitted on the dev sentiment of every "
            f"source (each source's metric, {_VOTES_TEXT.get(shifts.get('votes', 'equal'), 'averaged')}); per "
            "source, without and with the shifts (cross-fitted on halves of dev):\n\n"
            "| source | metric | without | with | n |\n|---|---|---:|---:|---:|\n"
            f"{rows_s}\n\n"
        )
        halves = shifts.get("halves")
        if halves:
            fits = [format_shifts(h) for h in halves]
            polarity_text += (
                f"Fitted on each half of dev alone (how firm the fit is): {fits[0]}; {fits[1]}.\n\n"
            )
        dropped = [
            ("global (languages without their own)" if k == GLOBAL_SCOPE else k)
            for k, v in shifts.get("kept", {}).items()
            if not v
        ]
        if dropped:
            polarity_text += (
                f"Shifts set to 0 because they lost out of sample (cross-fitted): {'; '.join(dropped)}.\n\n"
            )
    relation = report.get("pair_relation")
    if relation:
        threshold = 1 / (1 + math.exp(relation["none_shift"]))
        polarity_text += (
            f"The pair head's `none` logit is shifted by {relation['none_shift']:+.2f}, i.e. a pair is related "
            f"when its calibrated p(none) < {threshold:.2f} before the shift (fitted on {relation['n']} dev "
            f"pairs to maximise directed dyad F1: {relation['dyad_f1_before']:.3f} without, "
            f"{relation['dyad_f1_after']:.3f} with, cross-fitted).\n\n"
        )
    return (
        "## Calibration\n\n"
        "Each head's logits are divided by a temperature fitted on the dev splits, so `scores` read as\n"
        "probabilities. Expected calibration error (15 bins) on dev, after = cross-fitted on halves of dev:\n\n"
        "| head | temperature | ECE before | ECE after | n |\n|---|---:|---:|---:|---:|\n"
        f"{rows}\n\n{polarity_text}"
    )


def _refit_note(spread: dict[str, Any], config: dict[str, Any]) -> str:
    """A sentence when this model's thresholds were fitted with other calibration keys than the spread's runs
    (it was refitted with ``diplostance calibrate`` after the spread was written); empty otherwise, and for a
    spread written before it recorded them."""
    fitted = spread.get("calibration")
    if not fitted:
        return ""
    ours = saved_calibration(config)
    differences = [
        f"`train.{key}` {fitted[key]!r} for the runs, {ours[key]!r} for this model"
        for key in CALIBRATION_KEYS
        if key in fitted and fitted[key] != ours[key]
    ]
    if not differences:
        return ""
    return (
        f" This model's thresholds were refitted after the runs' ({'; '.join(differences)}; "
        "`diplostance calibrate`, weights untouched), so its figures that rest on them (sentiment, directed dyads) "
        "and the spread's were not read with one fit."
    )


def _spread_section(out_dir: Path, dev: dict[str, Any], config: dict[str, Any]) -> str:
    """The seed spread (``seed_spread.json``, written by ``diplostance spread``) next to this model's figures:
    every data set over all languages, and per language where the sentiment thresholds differ by language."""
    spread = read_spread(out_dir)
    if not spread:
        return ""
    ours = {(r["data"], r["lang"], r["metric"]): r["ours"] for r in table_rows(dev)}
    lines = []
    for r in summary_rows(spread["dev"]):
        if r["lang"] != "all" and spread["dev"][r["data"]]["kind"] != "rusentne":
            continue
        model = ours.get((r["data"], r["lang"], r["metric"]))
        lines.append(
            f"| {r['data']} | {r['lang']} | {r['metric']} | {'—' if model is None else f'{model:.3f}'} | "
            f"{r['ours']:.3f} ± {r['sd']:.3f} | {min(r['values']):.3f}–{max(r['values']):.3f} |"
        )
    seeds = ", ".join(str(run["seed"]) for run in spread["runs"])
    return (
        f"## Seed spread\n\nThe same config and data trained at {len(spread['runs'])} seeds ({seeds}), each with its "
        "own calibration; mean ± sd (and range) of the dev figures over those runs. This model is one draw "
        "from it: a difference between two configs smaller than the sd is no evidence (docs/evaluation-protocol.md)."
        f"{_refit_note(spread, config)}\n\n"
        "| data set | lang | metric | this model | mean ± sd | range |\n|---|---|---|---:|---:|---:|\n"
        + "\n".join(lines)
        + "\n\n"
    )


# metric key (training.evaluation.METRICS) -> the Hub's metric type
_METRIC_TYPES = {"dyad_p": "precision", "dyad_r": "recall"}


def model_index(name: str, dev: dict[str, Any]) -> list[dict[str, Any]]:
    """The Hub's ``model-index``: one result per (data set, language) of the dev figures, each metric named.

    Figures are on held-out dev splits of the training files (``dataset.split: dev``), as in the card's table.
    """
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table_rows(dev):
        if row["lang"] == "all" and len(dev[row["data"]]["by_lang"]) <= 2:
            continue  # one language: its "all" row repeats it
        key = (row["data"], row["lang"])
        if key not in results:
            results[key] = {
                "task": {"type": "text-classification", "name": "Stance and sentiment toward countries"},
                "dataset": {
                    "name": f"{row['data']} (dev split)",
                    "type": dev[row["data"]]["kind"],
                    "config": row["lang"],
                    "split": "dev",
                },
                "metrics": [],
            }
        results[key]["metrics"].append(
            {
                "type": _METRIC_TYPES.get(row["metric"], "f1"),
                "value": round(float(row["ours"]), 4),
                "name": f"{row['metric']} ({row['lang']})",
            }
        )
    return [{"name": name, "results": list(results.values())}]


def model_index_yaml(name: str, dev: dict[str, Any]) -> str:
    """``model-index:`` as YAML lines for the card's front matter (empty without dev figures)."""
    if not dev:
        return ""
    return yaml.safe_dump({"model-index": model_index(name, dev)}, sort_keys=False, allow_unicode=True)


def _head_rows(out_dir: Path) -> str:
    """One row per head the saved model has (its config.json), described by the registry."""
    config_file = out_dir / "config.json"
    saved = json.loads(config_file.read_text()) if config_file.is_file() else {}
    names = saved.get("diplostance", {}).get("heads", list(LEGACY_HEADS))
    return "\n".join(
        f"| {spec.name} | {spec.arity}: {spec.description} | {', '.join(spec.labels)} |"
        for spec in HEADS.values()
        if spec.name in names
    )


def _distilled_line(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    teachers = metrics.get("distilled_from") or []
    if not teachers:
        return ""
    weight = config["train"].get("distill_weight", 0.5)
    seeds = metrics.get("teacher_seeds") or []
    heads = config["train"].get("distill_heads") or []
    trained = f", this config at seeds {', '.join(map(str, seeds))}, trained by the same run" if seeds else ""
    return (
        f"\n- Distilled from {len(teachers)} teacher model(s) ({', '.join(Path(t).name for t in teachers)}{trained}): each "
        f"labelled item's loss is {1 - weight:g} x cross-entropy against the gold label + {weight:g} x "
        "cross-entropy against the teachers' mean calibrated probabilities (training/distill.py)"
        + (f"; heads {', '.join(heads)} only, the others on their gold labels." if heads else ".")
    )


def _averaged_line(metrics: dict[str, Any]) -> str:
    averaged = metrics.get("averaged")
    if not averaged:
        return ""
    last = (metrics.get("epoch_dev") or [{}])[-1].get("headline")
    versus = f" (the last weights {last:.4f})" if last is not None else ""
    return (
        f"\n- Weights averaged over {averaged['snapshots']} snapshots, steps {averaged['first_step']} to "
        f"{averaged['last_step']} (training/averaging.py); dev headline before calibration "
        f"{averaged['headline']:.4f}{versus}."
    )


def _layers_note(model: dict[str, Any], metrics: dict[str, Any]) -> str:
    kept = model.get("encoder_layers")
    if not kept:
        return ""
    total = metrics.get("base_encoder_layers")
    of = f" of {total}" if total else ""
    return f"; {len(kept)}{of} encoder layers (base layers {', '.join(map(str, kept))})"


def write_model_card(out_dir: Path, config: dict[str, Any], metrics: dict[str, Any]) -> Path:
    model = config["model"]
    dev = metrics.get("dev", {})
    langs = sorted({lang for res in dev.values() for lang in res["by_lang"] if lang != "all"})
    data_rows = "\n".join(
        f"| {s['name']} | {s['kind']} | {metrics['train_examples'].get(s['name'], 0)} | "
        f"{metrics['dev_examples'].get(s['name'], 0)} |"
        for s in config["data"]["sources"]
    )
    metric_rows = "\n".join(
        f"| {r['data']} | {r['lang']} | {r['metric']} | {r['ours']:.3f} | {r['published']} |"
        for r in table_rows(dev)
    )
    text = _TEMPLATE.format(
        calibration=_calibration_section(metrics.get("calibration")),
        spread=_spread_section(out_dir, dev, config),
        head_rows=_head_rows(out_dir),
        languages=", ".join(langs),
        # the run's name (its output.dir), which a copy (diplostance ship) or a refit in place keeps
        model_index=model_index_yaml(Path(config.get("output", {}).get("dir") or out_dir).name, dev),
        encoder=model["encoder"],
        adapter="LoRA adapter" if config["output"]["encoder_format"] == "lora" else "full fine-tuning",
        max_length=model["max_length"],
        prefix=model["text_prefix"],
        pooling=_POOLING.get(model.get("target_pooling", "mean"), model.get("target_pooling")),
        encoding=_ENCODING.get(model.get("target_encoding", "shared"), model.get("target_encoding")),
        steps=metrics.get("steps", 0),
        epochs=metrics.get("epochs", 0),
        minutes=metrics.get("train_seconds", 0) / 60,
        rss=metrics.get("peak_rss_mb", 0),
        distilled=_distilled_line(config, metrics) + _averaged_line(metrics),
        layers=_layers_note(model, metrics),
        name=out_dir.name,
        data_rows=data_rows,
        metric_rows=metric_rows,
    )
    path = out_dir / "README.md"
    path.write_text(text, encoding="utf-8")
    return path
