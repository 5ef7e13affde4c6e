"""Temperature scaling per head, fitted on the dev splits (Guo et al., 2017).

A fine-tuned classifier is over-confident: its top probability is higher than its accuracy. Dividing a
head's logits by one temperature ``T`` (fitted to minimise the dev negative log-likelihood) leaves the
head's argmax unchanged and makes ``scores`` read as probabilities. The temperatures are stored in the
model directory (``config.json`` -> ``diplostance.temperatures``) and applied by the classifier.

The expected calibration error (ECE: 15 equal-width bins of the top probability, the mean |accuracy -
confidence| weighted by bin size) is reported before and after. "After" is cross-fitted: each half of the
dev groups is scored with the temperature fitted on the other half, so the figure is not flattered by
fitting and scoring on the same items; the shipped temperature is then fitted on all of dev.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from inference.heads import HEADS, NO_RELATION, PAIR_LABELS
from inference.labels import DETAIL_LABELS, DETAIL_TO_STANCE, SENTIMENT_LABELS, STANCE_LABELS
from inference.modeling import StanceModel

from .batching import IGNORE, collate, labelled_items
from .config import SHIFT_VOTES
from .examples import Example

_GRID = torch.exp(torch.linspace(math.log(0.25), math.log(8.0), 241))
_STANCE_GROUPS = [[i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == s] for s in STANCE_LABELS]


@torch.inference_mode()
def collect_logits(
    model: StanceModel,
    tokenizer: Any,
    examples: Sequence[Example],
    *,
    batch_size: int = 64,
    bf16: bool = False,
) -> dict[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """head -> (logits, labels, half) over every labelled item of ``examples`` (``half``: 0/1 by group)."""
    out: dict[str, list[list[torch.Tensor]]] = {h: [[], [], []] for h in HEADS}  # the registry's heads
    was_training = model.training
    model.eval()
    try:
        for start in range(0, len(examples), batch_size):
            chunk = list(examples[start : start + batch_size])
            batch = collate(
                tokenizer,
                chunk,
                max_length=model.settings.max_length,
                prefix=model.settings.text_prefix,
                markers=model.settings.markers,
            )
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                logits = model(**batch)
            for spec in HEADS.values():
                labels = batch[f"labels_{spec.name}"]
                if spec.name not in logits or not len(labels):
                    continue
                keep = labels != IGNORE
                half = torch.tensor(
                    [_half(e.group) for e, _ in labelled_items(spec, chunk)], dtype=torch.long
                )
                out[spec.name][0].append(logits[spec.name].float()[keep])
                out[spec.name][1].append(labels[keep])
                out[spec.name][2].append(half[keep])
    finally:
        model.train(was_training)
    return {
        h: (torch.cat(v[0]), torch.cat(v[1]), torch.cat(v[2]))
        for h, v in out.items()
        if v[0] and sum(len(x) for x in v[1])
    }


def _half(group: str) -> int:
    return hashlib.sha1(f"calibration:{group}".encode()).digest()[0] & 1


def fit_temperature(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The grid temperature (0.25..8, log-spaced) with the lowest mean negative log-likelihood."""
    if not len(labels):
        return 1.0
    nll = torch.stack(
        [torch.nn.functional.cross_entropy(logits / t, labels) for t in _GRID]  # (grid,)
    )
    return round(float(_GRID[int(nll.argmin())]), 4)


def expected_calibration_error(probs: torch.Tensor, labels: torch.Tensor, bins: int = 15) -> float:
    """ECE of the top probability against accuracy, ``bins`` equal-width bins."""
    if not len(labels):
        return 0.0
    confidence, predicted = probs.max(-1)
    correct = (predicted == labels).float()
    edges = torch.linspace(0, 1, bins + 1)
    ece = torch.zeros(())
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > lo) & (confidence <= hi)
        if inside.any():
            ece += inside.float().mean() * (correct[inside].mean() - confidence[inside].mean()).abs()
    return float(ece)


def _stance(probs: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Detail probabilities summed per stance, and the stance of each detail label."""
    grouped = torch.stack([probs[:, idx].sum(1) for idx in _STANCE_GROUPS], dim=1)
    of_detail = torch.tensor([STANCE_LABELS.index(DETAIL_TO_STANCE[d]) for d in DETAIL_LABELS])
    return grouped, of_detail[labels]


def calibrate(
    collected: Mapping[str, tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Temperatures per head (fitted on all of dev) and a report: ECE before / after (cross-fitted), n."""
    temperatures: dict[str, float] = {}
    report: dict[str, dict[str, float]] = {}
    for head, (logits, labels, half) in collected.items():
        temperatures[head] = fit_temperature(logits, labels)
        scaled = torch.empty_like(logits)
        for side in (0, 1):
            fit_on, score_on = half != side, half == side
            t = fit_temperature(logits[fit_on], labels[fit_on]) if fit_on.any() else 1.0
            scaled[score_on] = logits[score_on] / t
        before, after = torch.softmax(logits, -1), torch.softmax(scaled, -1)
        report[head] = {
            "temperature": temperatures[head],
            "ece_before": expected_calibration_error(before, labels),
            "ece_after": expected_calibration_error(after, labels),
            "n": len(labels),
        }
        if head == "detail":
            report["stance"] = {
                "temperature": temperatures[head],
                "ece_before": expected_calibration_error(*_stance(before, labels)),
                "ece_after": expected_calibration_error(*_stance(after, labels)),
                "n": len(labels),
            }
    return temperatures, report


_SHIFTS = torch.arange(-1.0, 2.0001, 0.05)


def _cross_fitted(
    logits: torch.Tensor,
    labels: torch.Tensor,
    half: torch.Tensor,
    fit: Callable[[torch.Tensor, torch.Tensor], float],
    column: int,
) -> torch.Tensor:
    """``logits`` with ``column`` shifted on each half of the items by the shift ``fit`` finds on the other."""
    shifted = logits.clone()
    for side in (0, 1):
        fit_on, score_on = half != side, half == side
        shifted[score_on, column] += fit(logits[fit_on], labels[fit_on]) if fit_on.any() else 0.0
    return shifted


def _pn_macro_f1(pred: torch.Tensor, labels: torch.Tensor, polar: tuple[int, int]) -> float:
    f1s = []
    for c in polar:
        tp = int(((pred == c) & (labels == c)).sum())
        denom = int((pred == c).sum() + (labels == c).sum())
        f1s.append(2 * tp / denom if denom else 0.0)
    return sum(f1s) / len(f1s)


def fit_neutral_shift(
    logits: torch.Tensor, labels: torch.Tensor, *, neutral: int = 1, polar: tuple[int, int] = (0, 2)
) -> float:
    """The shift added to the neutral logit (-1..2, step 0.05) that maximises macro-F1 over the polar
    classes (RuSentNE's metric); ties go to the shift closest to 0."""
    return _best_shift(
        _SHIFTS, lambda shift: _pn_macro_f1(_shifted(logits, neutral, shift).argmax(-1), labels, polar)
    )


def _shifted(logits: torch.Tensor, column: int, shift: float) -> torch.Tensor:
    out = logits.clone()
    out[:, column] += shift
    return out


def _best_shift(grid: torch.Tensor, score: Callable[[float], float]) -> float:
    """The shift of ``grid`` with the highest ``score(shift)``; ties go to the shift closest to 0."""
    best, best_score = 0.0, -1.0
    for shift in sorted(grid.tolist(), key=abs):
        value = score(shift)
        if value > best_score + 1e-9:
            best, best_score = round(shift, 2), value
    return best


def polarity_report(logits: torch.Tensor, labels: torch.Tensor, half: torch.Tensor) -> dict[str, float]:
    """The neutral shift fitted on all items, and pos/neg macro-F1 without it and cross-fitted with it."""
    shifted = _cross_fitted(logits, labels, half, fit_neutral_shift, 1)
    return {
        "neutral_shift": fit_neutral_shift(logits, labels),
        "pn_f1_before": _pn_macro_f1(logits.argmax(-1), labels, (0, 2)),
        "pn_f1_after": _pn_macro_f1(shifted.argmax(-1), labels, (0, 2)),
        "n": len(labels),
    }


_RELATION_SHIFTS = torch.arange(-3.0, 3.0001, 0.05)
_NONE = PAIR_LABELS.index(NO_RELATION)
_PAIR_STANCE = torch.tensor(
    [-1] + [STANCE_LABELS.index(DETAIL_TO_STANCE[d]) for d in PAIR_LABELS if d != NO_RELATION]
)  # the stance of each pair label (-1: none)


def _dyad_f1(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Directed dyad F1 over pair rows as ``training.dyad_metrics`` counts it: a row is predicted related
    when ``none`` is not its argmax against the related mass, i.e. p(none) < 0.5; a true positive is a
    related prediction whose stance (the stance with the most related probability) is the gold stance."""
    probs = torch.softmax(logits, -1)
    related = probs[:, _NONE] < 0.5
    stance_mass = torch.stack([probs[:, s == _PAIR_STANCE].sum(1) for s in range(len(STANCE_LABELS))], dim=1)
    stance = stance_mass.argmax(1)
    gold = _PAIR_STANCE[labels]
    tp = int((related & (gold >= 0) & (stance == gold)).sum())
    pred, positives = int(related.sum()), int((gold >= 0).sum())
    return 2 * tp / (pred + positives) if pred + positives else 0.0


def fit_relation_shift(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """The shift added to the pair head's ``none`` logit (-3..3, step 0.05) that maximises directed dyad
    F1; ties go to the shift closest to 0. A shift ``d`` is the threshold ``p(none) < 1 / (1 + e^d)``
    on the unshifted probabilities, so the decision stays "related when p(none) < 0.5" on what users read."""
    return _best_shift(_RELATION_SHIFTS, lambda shift: _dyad_f1(_shifted(logits, _NONE, shift), labels))


def relation_report(logits: torch.Tensor, labels: torch.Tensor, half: torch.Tensor) -> dict[str, float]:
    """The ``none`` shift fitted on all pairs, and dyad F1 without it and cross-fitted with it."""
    shifted = _cross_fitted(logits, labels, half, fit_relation_shift, _NONE)
    return {
        "none_shift": fit_relation_shift(logits, labels),
        "dyad_f1_before": _dyad_f1(logits, labels),
        "dyad_f1_after": _dyad_f1(shifted, labels),
        "n": len(labels),
    }


@dataclass
class SentimentCell:
    """The sentiment logits (tempered) of one source's dev targets in one language."""

    source: str
    polar: bool  # scored by positive/negative macro-F1 (RuSentNE's metric) rather than 3-way macro-F1
    lang: str | None  # as the classifier finds it (``StanceClassifier.item_language``); None: not identified
    logits: torch.Tensor
    labels: torch.Tensor
    half: torch.Tensor


_SENTIMENT_SHIFTS = torch.arange(-2.0, 2.0001, 0.05)
_MIN_SOURCE_ITEMS = 30  # a source with fewer targets in a subset does not vote on that subset's shift


def _vote(n: int, votes: str) -> float:
    """The weight of a source with ``n`` targets in the sentiment shift's objective: "equal" (the mean over
    sources, as fitted up to v11l13), "sqrt" (about the inverse of the standard error of its metric) or
    "items" (:data:`training.config.SHIFT_VOTES`; docs/ablations.md §25)."""
    if votes == "equal":
        return 1.0
    if votes == "sqrt":
        return math.sqrt(n)
    if votes == "items":
        return float(n)
    raise ValueError(f"sentiment shift votes={votes!r}; expected one of {', '.join(SHIFT_VOTES)}")


def _sentiment_metric(pred: torch.Tensor, labels: torch.Tensor, polar: bool) -> float:
    classes = (0, 2) if polar else tuple(range(len(SENTIMENT_LABELS)))
    return _pn_macro_f1(pred, labels, classes)  # macro-F1 over ``classes``


def best_sentiment_shift(cells: Sequence[SentimentCell], votes: str = "equal") -> float:
    """The neutral shift (-2..2, step 0.05) that maximises the mean over sources of each source's metric
    on ``cells``, each weighted as ``votes`` says (:func:`_vote`); sources with fewer than 30 targets
    there do not vote unless none has more. Ties go to the shift closest to 0."""
    sources = [
        (group[0].polar, torch.cat([c.logits for c in group]), torch.cat([c.labels for c in group]))
        for group in _group(cells).values()
    ]
    voters = _voters(sources, lambda v: len(v[2]))
    if not voters:
        return 0.0
    neutral = SENTIMENT_LABELS.index("neutral")
    return _best_shift(
        _SENTIMENT_SHIFTS,
        lambda shift: sum(
            _vote(len(labels), votes)
            * _sentiment_metric(_shifted(logits, neutral, shift).argmax(-1), labels, polar)
            for polar, logits, labels in voters
        ),
    )


def fit_sentiment_shifts(
    cells: Sequence[SentimentCell], min_items: int, votes: str = "equal"
) -> tuple[float, dict[str, float]]:
    """One neutral shift per language with at least ``min_items`` targets, and the global one for every
    other language, fitted on those other languages' cells (on all cells when every language has its own);
    ``votes``: how the sources weigh (:func:`best_sentiment_shift`)."""
    counts: dict[str, int] = {}
    for c in cells:
        if c.lang is not None:
            counts[c.lang] = counts.get(c.lang, 0) + len(c.labels)
    per_lang = {
        lang: best_sentiment_shift([c for c in cells if c.lang == lang], votes)
        for lang, n in sorted(counts.items())
        if n >= min_items
    }
    rest = [c for c in cells if c.lang not in per_lang]
    return best_sentiment_shift(rest or cells, votes), per_lang


def _apply_sentiment_shifts(
    cell: SentimentCell, rows: torch.Tensor, fitted: tuple[float, dict[str, float]]
) -> torch.Tensor:
    """``cell``'s logits at ``rows`` with its language's neutral shift (the global one where it has none)."""
    global_shift, per_lang = fitted
    return _shifted(
        cell.logits[rows], SENTIMENT_LABELS.index("neutral"), per_lang.get(cell.lang, global_shift)
    )


GLOBAL_SCOPE = "*"  # the report's name for the cells the global shift governs (languages without their own)


def format_shifts(fit: Mapping[str, Any]) -> str:
    """``global +0.05, en +0.20, ru -0.65``: a fit's ``neutral_shift`` and ``per_language`` shifts (the report's, or
    one half's in its ``halves``)."""
    langs = [f"{lang} {shift:+.2f}" for lang, shift in fit["per_language"].items()]
    return ", ".join([f"global {fit['neutral_shift']:+.2f}", *langs])


def sentiment_shift_report(
    cells: Sequence[SentimentCell], min_items: int, votes: str = "equal"
) -> dict[str, Any]:
    """The shifts fitted on all of dev, each kept only where it pays out of sample, and per source its metric
    without them and cross-fitted with them (each half of the dev groups scored with the shifts fitted on the
    other half).

    A shift is judged on the cells it governs (its language's; for the global one, every language without its
    own): kept when the mean over those cells' sources of the cross-fitted metric (weighted by ``votes``, as
    fitted) beats the mean without any shift, else set to 0 (a language's shift to 0, not to the global one),
    and those cells' "after" is then their "before". ``kept``/``gain`` name each scope (``"*"`` for the global
    shift); ``halves`` holds the shifts fitted on each half, whose agreement shows how firm the fit is."""
    global_shift, per_lang = fit_sentiment_shifts(cells, min_items, votes)
    per_lang = dict(per_lang)
    halves = [
        fit_sentiment_shifts([_half_cell(c, c.half != side) for c in cells], min_items, votes)
        for side in (0, 1)
    ]
    before: list[torch.Tensor] = []
    after: list[torch.Tensor] = []
    for c in cells:
        before.append(c.logits.argmax(-1))
        crossed = torch.empty(len(c.labels), dtype=torch.long)
        for side in (0, 1):
            rows = c.half == side
            if rows.any():
                crossed[rows] = _apply_sentiment_shifts(c, rows, halves[side]).argmax(-1)
        after.append(crossed)
    scope = [c.lang if c.lang in per_lang else GLOBAL_SCOPE for c in cells]
    kept: dict[str, bool] = {}
    gain: dict[str, float] = {}
    for name in sorted(set(scope)):
        idx = [i for i, s in enumerate(scope) if s == name]
        gain[name] = _mean_source_metric(cells, idx, after, votes) - _mean_source_metric(
            cells, idx, before, votes
        )
        kept[name] = gain[name] > 0
        if not kept[name]:
            for i in idx:
                after[i] = before[i]
            if name == GLOBAL_SCOPE:
                global_shift = 0.0
            else:
                per_lang[name] = 0.0
    per_source = {
        name: {
            "metric": "sentiment_pn_f1" if cells[idx[0]].polar else "sentiment_f1",
            "before": _source_metric(cells, idx, before),
            "after": _source_metric(cells, idx, after),
            "n": sum(len(cells[i].labels) for i in idx),
        }
        for name, idx in _group_indices(cells).items()
    }
    return {
        "neutral_shift": global_shift,
        "per_language": per_lang,
        "min_items": min_items,
        "votes": votes,
        "halves": [{"neutral_shift": g, "per_language": pl} for g, pl in halves],
        "kept": kept,
        "gain": gain,
        "sources": per_source,
    }


def _group_indices(cells: Sequence[SentimentCell]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, c in enumerate(cells):
        out.setdefault(c.source, []).append(i)
    return out


def _mean_source_metric(
    cells: Sequence[SentimentCell], idx: Sequence[int], preds: Sequence[torch.Tensor], votes: str = "equal"
) -> float:
    """The mean over the sources of ``cells[idx]`` of each source's metric on ``preds``, weighted by ``votes``
    (sources with fewer than 30 targets there do not vote unless none has more), as the shift is fitted."""
    by_source = {
        name: [idx[j] for j in rows] for name, rows in _group_indices([cells[i] for i in idx]).items()
    }

    def size(rows: list[int]) -> int:
        return sum(len(cells[i].labels) for i in rows)

    voters = _voters(list(by_source.values()), size)
    weights = [_vote(size(rows), votes) for rows in voters]
    total = sum(w * _source_metric(cells, rows, preds) for w, rows in zip(weights, voters, strict=True))
    return total / sum(weights)


def _source_metric(
    cells: Sequence[SentimentCell], rows: Sequence[int], preds: Sequence[torch.Tensor]
) -> float:
    """The metric of one source (``cells[rows]``, all of it) on ``preds``."""
    gold = torch.cat([cells[i].labels for i in rows])
    return _sentiment_metric(torch.cat([preds[i] for i in rows]), gold, cells[rows[0]].polar)


def _voters(sources: list, size: Callable[[Any], int]) -> list:
    """The sources that vote on a shift: those with at least 30 targets, or all when none has that many."""
    return [v for v in sources if size(v) >= _MIN_SOURCE_ITEMS] or sources


def _half_cell(cell: SentimentCell, rows: torch.Tensor) -> SentimentCell:
    return SentimentCell(
        cell.source, cell.polar, cell.lang, cell.logits[rows], cell.labels[rows], cell.half[rows]
    )


def _group(cells: Sequence[SentimentCell]) -> dict[str, list[SentimentCell]]:
    return {name: [cells[i] for i in idx] for name, idx in _group_indices(cells).items()}


def collect_sentiment(
    model: StanceModel,
    tokenizer: Any,
    sources: Mapping[str, tuple[bool, Sequence[Example]]],
    language: Callable[[str], str | None],
    *,
    temperature: float = 1.0,
    bf16: bool = False,
) -> list[SentimentCell]:
    """One cell per (source, language) of the sentiment-labelled dev targets, logits over ``temperature``;
    ``sources``: name -> (polar metric?, dev examples); ``language``: text -> the language the classifier
    would look its threshold up by."""
    cells = []
    for name, (polar, examples) in sources.items():
        by_lang: dict[str | None, list[Example]] = {}
        for e in examples:
            if any(t.sentiment for t in e.targets):
                by_lang.setdefault(language(e.text), []).append(e)
        for lang, group in by_lang.items():
            got = collect_logits(model, tokenizer, group, bf16=bf16).get("sentiment")
            if got is not None:
                logits, labels, half = got
                cells.append(SentimentCell(name, polar, lang, logits / temperature, labels, half))
    return cells


def calibrate_model(
    model: StanceModel,
    tokenizer: Any,
    dev: Sequence[Example],
    *,
    bf16: bool = False,
    polarity_dev: Sequence[Example] = (),
    relation: bool = False,
    sentiment_dev: Mapping[str, tuple[bool, Sequence[Example]]] | None = None,
    sentiment_min_items: int = 250,
    sentiment_votes: str = "equal",
) -> dict[str, dict[str, float]]:
    """Fit and set ``model.settings.temperatures`` on ``dev``; with ``polarity_dev``, also the sentiment
    head's neutral shift (``model.settings.logit_shift``) on those examples; with ``relation``, the pair
    head's ``none`` shift on the pairs of ``dev`` (:func:`fit_relation_shift`); with ``sentiment_dev``
    (source -> (polar metric?, dev examples)), the sentiment head's neutral shift on all of them and per
    language with at least ``sentiment_min_items`` targets, the sources weighted by ``sentiment_votes``
    (:func:`sentiment_shift_report`; ``model.settings.lang_logit_shift``). Returns the report."""
    collected = collect_logits(model, tokenizer, dev, bf16=bf16)
    temperatures, report = calibrate(collected)
    model.settings.temperatures = temperatures
    model.settings.logit_shift = {}
    model.settings.lang_logit_shift = {}
    if sentiment_dev:
        from inference.countries.identify import identify

        cells = collect_sentiment(
            model,
            tokenizer,
            sentiment_dev,
            identify,
            temperature=temperatures.get("sentiment", 1.0),
            bf16=bf16,
        )
        fitted = sentiment_shift_report(cells, sentiment_min_items, sentiment_votes)
        report["sentiment_shift"] = fitted
        neutral = SENTIMENT_LABELS.index("neutral")

        def vector(value: float) -> list[float]:
            return [value if i == neutral else 0.0 for i in range(len(SENTIMENT_LABELS))]

        model.settings.logit_shift["sentiment"] = vector(fitted["neutral_shift"])
        model.settings.lang_logit_shift = {
            lang: {"sentiment": vector(v)} for lang, v in fitted["per_language"].items()
        }
    if relation and "pair" in collected:
        logits, labels, half = collected["pair"]
        rel = relation_report(logits / temperatures.get("pair", 1.0), labels, half)
        report["pair_relation"] = rel
        shift = [0.0] * logits.shape[1]
        shift[_NONE] = rel["none_shift"]
        model.settings.logit_shift["pair"] = shift
    if polarity_dev:
        logits, labels, half = collect_logits(model, tokenizer, polarity_dev, bf16=bf16)["sentiment"]
        polarity = polarity_report(logits / temperatures.get("sentiment", 1.0), labels, half)
        report["sentiment_polarity"] = polarity
        shift = [0.0] * logits.shape[1]
        shift[1] = polarity["neutral_shift"]
        model.settings.logit_shift["sentiment"] = shift
    return report
