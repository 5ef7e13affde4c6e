"""Macro-F1 per data set and language, through the same decoding the public API uses."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.metrics import f1_score

from inference.classifier import StanceClassifier, decode_detail
from inference.dyads import PairReading, decode_pairs
from inference.encoding import EncodedItem
from inference.heads import DEFAULT_SENTENCE_HEAD
from inference.labels import DETAIL_TO_STANCE, SENTIMENT_LABELS

from .dyad_metrics import count_example, dyad_scores
from .examples import Example

# Published macro-F1 on the public sets (../shared/data/README.md), for the tables and the model card.
PUBLISHED: dict[tuple[str, str], dict[str, Any]] = {
    ("cameo", "en"): {
        "metric": "sentence_detail_f1",
        "figures": {"ConfliBERT": 0.88, "ModernBERT-base": 0.84},
    },
    ("un_quadclass", "en"): {
        "metric": "sentence_detail_f1",
        "figures": {"mBERT": 0.616, "ConfliBERT-cont": 0.657},
    },
    ("un_quadclass", "es"): {
        "metric": "sentence_detail_f1",
        "figures": {"mBERT": 0.596, "ConfliBERT-cont": 0.630},
    },
    ("un_quadclass", "ar"): {
        "metric": "sentence_detail_f1",
        "figures": {"mBERT": 0.561, "ConfliBERT-cont": 0.615},
    },
    ("newsmtsc", "en"): {"metric": "sentiment_f1", "figures": {"GRU-TSC": 0.831, "XLM-R SPC": 0.810}},
    ("rusentne", "ru"): {"metric": "sentiment_pn_f1", "figures": {"best RuSentNE-2023 system": 0.66}},
}


def _macro(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> float:
    return float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0))


BOOTSTRAP_SAMPLES = 500


def bootstrap_sd(
    gold: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> float:
    """Standard deviation of macro-F1 over ``samples`` resamples (with replacement) of the items.

    How much the figure would move on another draw of a dev set of this size: a dev figure is only worth
    comparing with another when their gap is large against this. Macro-F1 is computed as sklearn does
    (zero_division=0, averaged over ``labels`` or over every label in gold or pred).
    """
    names = sorted(set(gold) | set(pred)) if labels is None else list(labels)
    index = {n: i for i, n in enumerate(sorted(set(gold) | set(pred) | set(names)))}
    k = len(index)
    g = np.array([index[x] for x in gold])
    p = np.array([index[x] for x in pred])
    keep = np.array([index[n] for n in names])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(g), size=(samples, len(g)))
    cells = g[draws] * k + p[draws]  # (samples, n)
    conf = np.stack([np.bincount(row, minlength=k * k) for row in cells]).reshape(samples, k, k)
    tp = np.diagonal(conf, axis1=1, axis2=2)
    denom = conf.sum(2) + conf.sum(1)  # gold count + predicted count
    f1 = np.divide(2 * tp, denom, out=np.zeros(tp.shape, dtype=float), where=denom > 0)
    return float(f1[:, keep].mean(1).std())


@dataclass
class Predictions:
    """Per example: the sentence detail (from its source's sentence head), per target (detail,
    sentiment), and per labelled pair its decoded reading (None where the model has no pair head)."""

    sentence: list[str | None]
    targets: list[list[tuple[str, str]]]
    pairs: list[list[PairReading] | None]


def predict(classifier: StanceClassifier, examples: Sequence[Example]) -> Predictions:
    """Predictions for ``examples`` as the API decodes them."""
    has_pairs = "pair" in classifier.model.pair_heads
    items = [
        EncodedItem(
            e.text, [t.spans for t in e.targets], [(p.source, p.target) for p in e.pairs] if has_pairs else []
        )
        for e in examples
    ]
    probs = classifier._forward(items)
    sentence: list[str | None] = []
    for e, p in zip(examples, probs, strict=True):
        head = e.sentence_head if e.sentence_head in p.sentence else DEFAULT_SENTENCE_HEAD
        temperature = classifier.settings.temperatures.get(head, 1.0)
        sentence.append(decode_detail(p.sentence[head][None], temperature)[0].detail)
    targets = [  # the language as classify_targets finds it (no hint), for per-language thresholds
        [
            (r.detail, s)
            for r, s in classifier._target_results(
                p.targets, [classifier.item_language(e.text)] * len(p.targets)
            )
        ]
        for e, p in zip(examples, probs, strict=True)
    ]
    pairs = [decode_pairs(torch.stack([q["pair"] for q in p.pairs])) if p.pairs else None for p in probs]
    return Predictions(sentence, targets, pairs)


def score_examples(examples: Sequence[Example], predictions: Predictions) -> dict[str, Any]:
    """Metrics overall and per language for whichever labels the examples carry."""
    by_lang: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    dyads: dict[str, Counter[str]] = defaultdict(Counter)
    for ex, sp, tp, pp in zip(
        examples, predictions.sentence, predictions.targets, predictions.pairs, strict=True
    ):
        for key in (ex.lang, "all"):
            bucket = by_lang[key]
            if ex.sentence_detail:
                bucket["sd_gold"].append(ex.sentence_detail)
                bucket["sd_pred"].append(sp)
            for target, (detail, sentiment) in zip(ex.targets, tp, strict=True):
                if target.detail:
                    bucket["d_gold"].append(target.detail)
                    bucket["d_pred"].append(detail)
                if target.sentiment:
                    bucket["s_gold"].append(target.sentiment)
                    bucket["s_pred"].append(sentiment)
            count_example(dyads[key], ex, pp, [d for d, _ in tp])
    out: dict[str, Any] = {}
    for lang, b in by_lang.items():
        m: dict[str, Any] = {}
        if b["sd_gold"]:
            m["sentence_detail_f1"] = _macro(b["sd_gold"], b["sd_pred"])
            m["sentence_detail_f1_sd"] = bootstrap_sd(b["sd_gold"], b["sd_pred"])
            m["n_sentences"] = len(b["sd_gold"])
        if b["d_gold"]:
            m["detail_f1"] = _macro(b["d_gold"], b["d_pred"])
            m["detail_f1_sd"] = bootstrap_sd(b["d_gold"], b["d_pred"])
            stance_gold = [DETAIL_TO_STANCE[d] for d in b["d_gold"]]
            stance_pred = [DETAIL_TO_STANCE[d] for d in b["d_pred"]]
            m["stance_f1"] = _macro(stance_gold, stance_pred)
            m["stance_f1_sd"] = bootstrap_sd(stance_gold, stance_pred)
            m["n_detail_targets"] = len(b["d_gold"])
        if b["s_gold"]:
            m["sentiment_f1"] = _macro(b["s_gold"], b["s_pred"])
            m["sentiment_f1_sd"] = bootstrap_sd(b["s_gold"], b["s_pred"])
            polar = [SENTIMENT_LABELS[0], SENTIMENT_LABELS[2]]
            m["sentiment_pn_f1"] = _macro(b["s_gold"], b["s_pred"], labels=polar)
            m["sentiment_pn_f1_sd"] = bootstrap_sd(b["s_gold"], b["s_pred"], labels=polar)
            m["n_sentiment_targets"] = len(b["s_gold"])
        if dyads[lang]["pairs"]:
            m.update(dyad_scores(dyads[lang]))
        out[lang] = m
    return out


def evaluate(
    classifier: StanceClassifier, datasets: Mapping[str, tuple[str, Sequence[Example]]]
) -> dict[str, Any]:
    """``datasets``: name -> (reader kind, examples). Returns name -> {kind, by_lang: metrics}."""
    results: dict[str, Any] = {}
    was_training = classifier.model.training
    classifier.model.eval()
    try:
        for name, (kind, examples) in datasets.items():
            if not examples:
                continue
            results[name] = {"kind": kind, "by_lang": score_examples(examples, predict(classifier, examples))}
    finally:
        classifier.model.train(was_training)
    return results


def headline(results: Mapping[str, Any]) -> float:
    """One number for model selection: the mean of each data set's main metrics over all languages."""
    values = []
    for res in results.values():
        m = res["by_lang"].get("all", {})
        for key in ("sentence_detail_f1", "detail_f1", "sentiment_f1", "dyad_f1"):
            if key in m:
                values.append(m[key])
    return sum(values) / len(values) if values else 0.0


# Rows of the table: (metric, the metric printed beside it as a baseline in the "published" column).
METRICS = (
    "sentence_detail_f1",
    "detail_f1",
    "stance_f1",
    "sentiment_f1",
    "sentiment_pn_f1",
    "dyad_p",
    "dyad_r",
    "dyad_f1",
    "dyad_undirected_f1",
)
_BASELINE = {  # dyad metric -> the co-occurrence baselines' same metric, printed beside it
    m: (f"cooc_gold{m[4:]}", f"cooc_model{m[4:]}") for m in METRICS if m.startswith("dyad_")
}


def table_rows(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Rows of (data set, language, metric, ours, published or baseline) for printing and the model card."""
    rows = []
    for name, res in results.items():
        for lang, metrics in sorted(res["by_lang"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
            published = PUBLISHED.get((res["kind"], lang))
            for metric in METRICS:
                if metric not in metrics:
                    continue
                if metric == "sentiment_pn_f1" and res["kind"] != "rusentne":
                    continue
                ref = ""
                if published and published["metric"] == metric:
                    ref = ", ".join(f"{k} {v:.3f}" for k, v in published["figures"].items())
                if metric in _BASELINE:
                    gold, model = _BASELINE[metric]
                    ref = f"co-occurrence: gold stances {metrics.get(gold, 0):.3f}, model stances {metrics.get(model, 0):.3f}"
                rows.append(
                    {
                        "data": name,
                        "lang": lang,
                        "metric": metric,
                        "ours": metrics[metric],
                        "sd": metrics.get(f"{metric}_sd"),
                        "published": ref,
                    }
                )
    return rows


def format_spread(value: float, sd: float | None) -> str:
    """``0.947 ± 0.015``, or the bare value when no spread is known."""
    return f"{value:.3f}" if sd is None else f"{value:.3f} ± {sd:.3f}"


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The table printed by train/evaluate; ``±`` is the bootstrap sd (or the sd over runs, for cv)."""
    head = f"{'data set':<22} {'lang':<5} {'metric':<20} {'ours':>15}  published / baseline"
    lines = [head, "-" * len(head)]
    for r in rows:
        ours = format_spread(r["ours"], r.get("sd"))
        lines.append(f"{r['data']:<22} {r['lang']:<5} {r['metric']:<20} {ours:>15}  {r['published']}")
    return "\n".join(lines)
