"""The public classifier: articles in, one result per (sentence, country) out."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .allocator import keep_batch_blocks
from .devices import AUTOCAST_DTYPES, accelerator_precision, resolve_device
from .dyads import decode_pairs, ordered_pairs
from .encoding import EncodedItem, encode, fit_windows, token_budget_batches, tokenize_rows
from .heads import DEFAULT_SENTENCE_HEAD
from .labels import DETAIL_LABELS, DETAIL_TO_STANCE, SENTIMENT_LABELS, STANCE_LABELS
from .modeling import StanceModel
from .read_cache import ReadCache
from .results import DyadResult, SentenceResult, StanceResult, TargetResult
from .sentences import split_sentences
from .weights import find_tensor, read_tensor

DEFAULT_MODEL_DIR = Path(__file__).with_name("default_model")
# Longer sentences are cut (at a clause boundary if there is one); the encoder reads sentences
# longer than its window through windows around each country's mentions (encoding.fit_windows).
SENTENCE_MAX_CHARS = 5000
DEFAULT_MAX_TOKENS = 4096  # padded tokens per encoder batch (benchmarks/results/batching.md)
PRECISIONS = ("auto", "fp32", "bf16", "int8")
MAX_ROWS = 256  # rows per encoder batch when no batch_size caps them
_STANCE_INDEX = {
    stance: [i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == stance]
    for stance in STANCE_LABELS
}
# stance index -> which detail labels fall under it
_STANCE_MASK = torch.tensor(
    [[DETAIL_TO_STANCE[d] == stance for d in DETAIL_LABELS] for stance in STANCE_LABELS]
)


@dataclass
class Reading:
    """Decoded probabilities of one target or sentence."""

    stance: str
    detail: str
    scores: dict[str, dict[str, float]]


def decode_detail(probs: torch.Tensor, temperature: float = 1.0) -> list[Reading]:
    """Hierarchical decoding: stance = argmax of summed detail probabilities, detail = best under it.

    ``temperature`` is the head's calibration temperature (``probs`` are calibrated). The scores stay
    calibrated, but the decision sums the model's own, uncalibrated distribution (``probs ** temperature``,
    renormalised): a temperature keeps a head's argmax, yet flattening the distribution moved the summed
    stance decision on near-ties, which cost 1.0 point of UN QuadClass en dev (docs/ablations.md).
    One call decodes a whole (n x 5) tensor: argmax and rounding run on the tensor, once per call.
    """
    if not len(probs):
        return []
    probs = probs.float()
    decide = probs if temperature == 1.0 else probs.pow(temperature)
    summed = torch.stack([decide[:, idx].sum(1) for idx in _STANCE_INDEX.values()], dim=1)
    stances = summed.argmax(1)  # the first maximum on ties, as max() would
    stance_probs = torch.stack([probs[:, idx].sum(1) for idx in _STANCE_INDEX.values()], dim=1)
    details = probs.masked_fill(~_STANCE_MASK[stances], float("-inf")).argmax(1)
    return [
        Reading(
            STANCE_LABELS[s],
            DETAIL_LABELS[d],
            {
                "stance": dict(zip(STANCE_LABELS, srow, strict=True)),
                "detail": dict(zip(DETAIL_LABELS, row, strict=True)),
            },
        )
        for s, d, srow, row in zip(
            stances.tolist(), details.tolist(), round6(stance_probs), round6(probs), strict=True
        )
    ]


def round6(probs: torch.Tensor) -> list[list[float]]:
    """Rows of ``probs`` rounded to 6 decimals (in float64, as ``round(p, 6)`` of each value)."""
    return (torch.round(probs.double() * 1e6) / 1e6).tolist()


@dataclass
class ItemProbs:
    """One item's probabilities: per sentence head, per target (head -> probs), per pair (head -> probs)."""

    sentence: dict[str, torch.Tensor] = field(default_factory=dict)
    targets: list[dict[str, torch.Tensor]] = field(default_factory=list)
    pairs: list[dict[str, torch.Tensor]] = field(default_factory=list)


def _item_key(item: EncodedItem) -> tuple:
    """What makes two items equal: their text, target spans and pairs (the model reads nothing else)."""
    return (
        item.text,
        tuple(tuple(map(tuple, spans)) for spans in item.targets),
        tuple(map(tuple, item.pairs)),
    )


def _unique_items(items: Sequence[EncodedItem]) -> tuple[list[EncodedItem], list[tuple], list[int]]:
    """The distinct items of ``items`` in first-seen order, their keys (:func:`_item_key`), and for
    each item its index among them."""
    index: dict[tuple, int] = {}
    unique: list[EncodedItem] = []
    keys: list[tuple] = []
    where = []
    for item in items:
        key = _item_key(item)
        j = index.setdefault(key, len(unique))
        if j == len(unique):
            unique.append(item)
            keys.append(key)
        where.append(j)
    return unique, keys, where


def _check_one_text(text: object, method: str, param: str, many: str = "classify_many(texts)") -> None:
    if isinstance(text, list | tuple):
        raise TypeError(
            f"{method}() takes one text ({param}: str), got a {type(text).__name__} of {len(text)}; "
            f"for many texts use {many}"
        )
    _check_text(text, param)


def _as_list(values: object, method: str, param: str, single: str) -> list:
    """``values`` (any iterable but a str or bytes) as a list; a lone string names the right call."""
    if isinstance(values, str | bytes):
        raise TypeError(
            f"{method}() expects a list (or any iterable) of texts as {param!r}, got one {type(values).__name__}; "
            f"for one text use {single}"
        )
    try:
        return list(values)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            f"{method}() expects a list (or any iterable) of texts as {param!r}, got {type(values).__name__}"
        ) from None


def _check_text(text: object, where: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{where} must be a str, got {type(text).__name__}: {text!r:.80}")
    return text


class StanceClassifier:
    """Classify stance, detail and sentiment toward every country an article names.

    Build it with :func:`load_classifier`. All methods accept many items and batch them.
    """

    def __init__(
        self,
        model: StanceModel,
        tokenizer,
        *,
        name: str,
        batch_size: int | None = None,
        precision: str = "fp32",
        max_tokens: int = DEFAULT_MAX_TOKENS,
    ) -> None:
        if batch_size is not None and batch_size < 1:
            raise ValueError(
                f"batch_size={batch_size}; it must be at least 1 (or None: by token budget only)"
            )
        if max_tokens < 1:
            raise ValueError(f"max_tokens={max_tokens}; it must be at least 1")
        self.max_tokens = max_tokens
        self.device = next(model.parameters()).device  # load_classifier(device=...) places the model
        self.precision = precision_for(precision, self.device)
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.settings = model.settings
        self.provenance: dict[str, object] = {"name": name}
        # Called after each encoder batch with the number of sentences (rows) it read: the batch
        # scorer's progress inside long records (inference.batch.progress).
        self.progress_hook: Callable[[int], None] | None = None
        # Items read by earlier calls (inference.read_cache); the batch scorer sets one per chunk.
        self.read_cache: ReadCache[ItemProbs] | None = None

    # --------------------------------------------------------------- low level
    @torch.inference_mode()
    def _forward(self, items: Sequence[EncodedItem]) -> list[ItemProbs]:
        """Run the model over ``items``: per item, the probabilities of every head it has.

        Items are tokenized once, sorted by token length and packed into batches of about
        ``max_tokens`` padded tokens (:func:`inference.encoding.token_budget_batches`): short
        sentences go many to a batch, long ones few, and little of a batch is padding.
        """
        out = [ItemProbs() for _ in items]
        for chunk, batch in self._batches(items):
            if self.device.type != "cpu":
                batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
            dtype = AUTOCAST_DTYPES.get(self.precision, torch.bfloat16)
            with torch.autocast(self.device.type, dtype=dtype, enabled=self.precision in ("bf16", "fp16")):
                logits = self.model(**batch)
            probs = {name: self._softmax(logits, name).cpu().unbind(0) for name in logits}
            for name in self.model.sentence_heads:
                for i, row in zip(chunk, probs[name], strict=True):
                    out[i].sentence[name] = row
            target_heads = [name for name in self.model.target_heads if name in probs]
            pair_heads = [name for name in self.model.pair_heads if name in probs]
            n = p = 0  # targets and pairs come out in item order, whether items share a row or not
            for i in chunk:
                k = len(items[i].targets)
                out[i].targets = [{name: probs[name][n + j] for name in target_heads} for j in range(k)]
                n += k
                k = len(items[i].pairs)
                out[i].pairs = [{name: probs[name][p + j] for name in pair_heads} for j in range(k)]
                p += k
            if self.progress_hook is not None:
                self.progress_hook(len(chunk))
        return out

    def _read(self, items: Sequence[EncodedItem]) -> list[ItemProbs]:
        """:meth:`_forward` for items of any length: a sentence longer than the encoder reads is read
        through windows around its mentions (``encoding.fit_windows``: per target, and per pair a
        window holding both countries where one fits). An item repeated in ``items`` (the same sentence
        with the same spans: a wire story in several papers, a boilerplate line) is read once, and its
        copies share one :class:`ItemProbs`, which callers only read (each result object decoded from it
        is built anew). With a ``read_cache`` (:class:`inference.read_cache.ReadCache`, which the batch
        scorer sets per chunk), an item read by an earlier call is taken from it, not read again."""
        unique, keys, where = _unique_items(items)
        cache = self.read_cache
        known: list[ItemProbs | None] = [None] * len(unique) if cache is None else list(map(cache.get, keys))
        todo = [j for j, p in enumerate(known) if p is None]
        rows, plans = fit_windows(
            self.tokenizer,
            [unique[j] for j in todo],
            max_length=self.settings.max_length,
            prefix=self.settings.text_prefix,
        )
        probs = self._forward(rows)
        for j, plan in zip(todo, plans, strict=True):
            known[j] = ItemProbs(
                sentence=probs[plan.sentence].sentence,
                targets=[probs[r].targets[k] for r, k in plan.targets],
                pairs=[probs[r].pairs[q] for r, q in plan.pairs],
            )
            if cache is not None:
                cache.put(keys[j], known[j])
        if self.progress_hook is not None and len(todo) < len(items):
            self.progress_hook(len(items) - len(todo))  # the repeats count as read
        return [known[j] for j in where]  # type: ignore[misc]

    def _batches(self, items: Sequence[EncodedItem]) -> Iterator[tuple[list[int], dict[str, torch.Tensor]]]:
        """(item indices, model inputs) per batch, packed by token budget."""
        settings = self.settings
        rows = tokenize_rows(
            self.tokenizer, items, max_length=settings.max_length, prefix=settings.text_prefix
        )
        lengths = [len(r.ids) for r in rows]
        if settings.markers is None:
            per_item = [1] * len(items)
        else:  # one row per target, each a little longer (the markers)
            per_item = [max(1, len(item.targets)) for item in items]
            lengths = [min(n + 4, settings.max_length) for n in lengths]
        for chunk in token_budget_batches(
            lengths,
            per_item,
            max_tokens=self.max_tokens,
            max_length=settings.max_length,
            max_rows=self.batch_size or MAX_ROWS,
        ):
            yield (
                chunk,
                encode(
                    self.tokenizer,
                    [items[i] for i in chunk],
                    max_length=settings.max_length,
                    prefix=settings.text_prefix,
                    markers=settings.markers,
                    tokenized=[rows[i] for i in chunk],
                ),
            )

    def _run(
        self, items: Sequence[EncodedItem], sentence_head: str = DEFAULT_SENTENCE_HEAD
    ) -> tuple[list[list[dict[str, torch.Tensor]]], list[torch.Tensor]]:
        """Per item the target probabilities and the ``sentence_head`` probabilities."""
        probs = self._read(items)
        return [p.targets for p in probs], [p.sentence[sentence_head] for p in probs]

    def _softmax(self, logits: dict[str, torch.Tensor], head: str) -> torch.Tensor:
        """Calibrated probabilities: the head's logits over its fitted temperature (1 when none), plus its
        fitted per-class shift (a decision threshold; none by default)."""
        scaled = logits[head].float() / self.settings.temperatures.get(head, 1.0)
        shift = self.settings.logit_shift.get(head)
        if shift is not None:
            scaled = scaled + torch.tensor(shift, dtype=scaled.dtype, device=scaled.device)
        return torch.softmax(scaled, -1)

    def _lang_shifted(self, probs: torch.Tensor, head: str, langs: Sequence[str | None]) -> torch.Tensor:
        """``probs`` (n, labels) of a target head with each row's language threshold in place of the global
        one: softmax(z / T + s) becomes softmax(z / T + s_lang), i.e. probs * exp(s_lang - s), renormalised."""
        by_lang = self.settings.lang_logit_shift
        if not by_lang:
            return probs
        if len(langs) != len(probs):
            raise ValueError(f"{len(langs)} languages for {len(probs)} targets")
        base = torch.tensor(self.settings.logit_shift.get(head, [0.0] * probs.shape[1]), dtype=probs.dtype)
        out = probs
        for lang in set(langs):
            shift = by_lang.get(lang, {}).get(head) if lang is not None else None
            if shift is None:
                continue
            rows = torch.tensor([i for i, x in enumerate(langs) if x == lang])
            moved = probs[rows] * torch.exp(torch.tensor(shift, dtype=probs.dtype) - base)
            out = out.index_copy(0, rows, moved / moved.sum(-1, keepdim=True))
        return out

    def item_language(self, text: str, hint: str | None = None) -> str | None:
        """The language a text's thresholds are looked up by: the hint, else the identified language;
        ``None`` without identifying when the model has no per-language thresholds."""
        if hint is not None or not self.settings.lang_logit_shift:
            return hint
        from .countries.identify import identify

        return identify(text)

    def _target_results(
        self, probs: Sequence[dict[str, torch.Tensor]], langs: Sequence[str | None] | None = None
    ) -> list[tuple[Reading, str]]:
        """Readings and sentiment of many targets, decoded together (pass all targets of a call);
        ``langs``: the language of each target's text, for the model's per-language thresholds."""
        if not probs:
            return []
        readings = decode_detail(
            torch.stack([p["detail"] for p in probs]), self.settings.temperatures.get("detail", 1.0)
        )
        sentiment = torch.stack([p["sentiment"] for p in probs]).float()
        if langs is not None:
            sentiment = self._lang_shifted(sentiment, "sentiment", langs)
        best = sentiment.argmax(1).tolist()
        for reading, row in zip(readings, round6(sentiment), strict=True):
            reading.scores["sentiment"] = dict(zip(SENTIMENT_LABELS, row, strict=True))
        return [(r, SENTIMENT_LABELS[b]) for r, b in zip(readings, best, strict=True)]

    # --------------------------------------------------------------- public API
    def classify(self, text: str, lang: str | None = None) -> list[StanceResult]:
        """One :class:`StanceResult` per (sentence, country) of ``text``; ``[]`` for empty text."""
        _check_one_text(text, "classify", "text")
        return self.classify_many([text], lang=lang)[0]

    def classify_many(
        self, texts: Iterable[str], lang: str | Sequence[str | None] | None = None
    ) -> list[list[StanceResult]]:
        """Classify many articles (any iterable of str), batching sentences across them.
        ``lang``: one hint or one per text."""
        texts = _as_list(texts, "classify_many", "texts", "classify(text)")
        return self.analyse_many(texts, lang, dyads=False)[0]

    def classify_dyads(self, text: str, lang: str | None = None) -> list[DyadResult]:
        """One :class:`DyadResult` per related ordered pair of countries in a sentence of ``text``."""
        _check_one_text(text, "classify_dyads", "text", "classify_dyads_many(texts)")
        return self.classify_dyads_many([text], lang=lang)[0]

    def classify_dyads_many(
        self, texts: Iterable[str], lang: str | Sequence[str | None] | None = None
    ) -> list[list[DyadResult]]:
        """Directed dyads of many articles (any iterable of str; see ``inference.dyads`` for the decoding)."""
        texts = _as_list(texts, "classify_dyads_many", "texts", "classify_dyads(text)")
        return self.analyse_many(texts, lang, dyads=True)[1]

    @property
    def has_dyads(self) -> bool:
        return "pair" in self.model.pair_heads

    def analyse_many(
        self, texts: Iterable[str], lang: str | Sequence[str | None] | None = None, *, dyads: bool = True
    ) -> tuple[list[list[StanceResult]], list[list[DyadResult]]]:
        """Stance results and (with ``dyads``) directed dyads of many articles (any iterable of str),
        from one encoder pass."""
        from .countries import find_countries

        texts = _as_list(texts, "analyse_many", "texts", "classify(text) or classify_dyads(text)")
        if dyads and not self.has_dyads:
            raise ValueError(
                f"model {self.name!r} has no pair head, so it cannot read dyads; train one with "
                "train.loss_weights.pair > 0 and a source with dyads (configs/default.yaml)"
            )
        langs = _broadcast_lang(lang, len(texts))
        items: list[EncodedItem] = []
        slots: list[tuple[int, object, list[tuple[str, list[tuple[int, int]]]]]] = []
        for t, (text, hint) in enumerate(zip(texts, langs, strict=True)):
            _check_text(text, f"texts[{t}]")
            if not text.strip():
                continue
            mentions = sorted(find_countries(text, lang=hint), key=lambda m: m.start)
            if not mentions:
                continue
            starts = [m.start for m in mentions]
            for sentence in split_sentences(text, max_chars=SENTENCE_MAX_CHARS):
                lo, hi = bisect_left(starts, sentence.start), bisect_left(starts, sentence.end)
                inside = mentions[lo:hi]
                if not inside:
                    continue
                by_country: dict[str, list[tuple[int, int]]] = {}
                for m in inside:
                    by_country.setdefault(m.country, []).append((m.start, min(m.end, sentence.end)))
                targets = list(by_country.items())
                items.append(
                    EncodedItem(
                        sentence.text,
                        [
                            [(s - sentence.start, e - sentence.start) for s, e in spans]
                            for _, spans in targets
                        ],
                        ordered_pairs(len(targets)) if dyads else [],
                    )
                )
                slots.append((t, sentence, targets))
        results: list[list[StanceResult]] = [[] for _ in texts]
        dyad_results: list[list[DyadResult]] = [[] for _ in texts]
        probs = self._read(items)
        text_langs = {t: self.item_language(texts[t], langs[t]) for t in {t for t, _, _ in slots}}
        target_langs = [text_langs[t] for t, _, targets in slots for _ in targets]
        decoded = iter(  # one decode for all
            self._target_results([q for p in probs for q in p.targets], target_langs)
        )
        pair_readings = (
            iter(decode_pairs(torch.stack([q["pair"] for p in probs for q in p.pairs])))
            if any(p.pairs for p in probs)
            else iter(())
        )
        for (t, sentence, targets), item, _p in zip(slots, items, probs, strict=True):
            for (country, spans), (reading, sentiment) in zip(
                targets, [next(decoded) for _ in targets], strict=True
            ):
                results[t].append(
                    StanceResult(
                        sentence_index=sentence.index,
                        sentence=sentence.text,
                        start=sentence.start,
                        end=sentence.end,
                        country=country,
                        mentions=spans,
                        stance=reading.stance,
                        detail=reading.detail,
                        sentiment=sentiment,
                        scores=reading.scores,
                    )
                )
            if not item.pairs:
                continue
            for (a, b), pair in zip(item.pairs, [next(pair_readings) for _ in item.pairs], strict=True):
                if not pair.related:
                    continue
                dyad_results[t].append(
                    DyadResult(
                        sentence_index=sentence.index,
                        sentence=sentence.text,
                        start=sentence.start,
                        end=sentence.end,
                        source=targets[a][0],
                        target=targets[b][0],
                        stance=pair.stance,
                        detail=pair.detail,
                        intensity=pair.intensity,
                        source_mentions=targets[a][1],
                        target_mentions=targets[b][1],
                        scores=pair.scores,
                    )
                )
        return results, dyad_results

    def classify_sentences(self, sentences: Iterable[str]) -> list[SentenceResult]:
        """The five-way detail (and stance) of the event each sentence reports, with no target.
        ``sentences``: any iterable of str."""
        sentences = _as_list(sentences, "classify_sentences", "sentences", "classify_sentences([sentence])")
        items = [EncodedItem(_check_text(s, f"sentences[{i}]")) for i, s in enumerate(sentences)]
        _, sentence_probs = self._run(items)
        if not items:
            return []
        readings = decode_detail(
            torch.stack(sentence_probs), self.settings.temperatures.get(DEFAULT_SENTENCE_HEAD, 1.0)
        )
        return [
            SentenceResult(sentence=s, stance=r.stance, detail=r.detail, scores=r.scores)
            for s, r in zip(sentences, readings, strict=True)
        ]

    def classify_targets(
        self, items: Iterable[tuple[str, int, int]], lang: str | None = None
    ) -> list[TargetResult]:
        """Stance, detail and sentiment toward ``sentence[start:end]`` for each ``(sentence, start, end)``;
        ``lang``: the sentences' language (identified per sentence when not given)."""
        checked: list[tuple[str, int, int]] = []
        for i, item in enumerate(items):
            if not (isinstance(item, tuple | list) and len(item) == 3):
                raise TypeError(f"items[{i}] must be a (sentence, start, end) tuple, got {item!r:.80}")
            sentence, start, end = item
            _check_text(sentence, f"items[{i}][0]")
            for name, value in (("start", start), ("end", end)):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise TypeError(
                        f"items[{i}]: {name} must be an int character offset, got {type(value).__name__} "
                        f"{value!r}; pass (sentence, start, end) with int offsets, e.g. (s, 0, 6)"
                    )
            if not 0 <= start < end <= len(sentence):
                raise ValueError(
                    f"items[{i}]: span ({start!r}, {end!r}) is not a non-empty span inside a sentence "
                    f"of {len(sentence)} characters"
                )
            checked.append((sentence, start, end))
        grouped: dict[str, list[int]] = {}
        for i, (sentence, _, _) in enumerate(checked):
            grouped.setdefault(sentence, []).append(i)
        encoded = [EncodedItem(s, [[checked[i][1:]] for i in idx]) for s, idx in grouped.items()]
        target_probs, _ = self._run(encoded)
        out: list[TargetResult | None] = [None] * len(checked)
        for idx, probs in zip(grouped.values(), target_probs, strict=True):
            langs = [self.item_language(checked[idx[0]][0], lang)] * len(probs)
            for i, (reading, sentiment) in zip(idx, self._target_results(probs, langs), strict=True):
                sentence, start, end = checked[i]
                out[i] = TargetResult(
                    sentence, start, end, reading.stance, reading.detail, sentiment, reading.scores
                )
        return [r for r in out if r is not None]


def cpu_supports_bf16() -> bool:
    """True where the CPU has native bf16 arithmetic (AVX512-BF16 or AMX), which makes bf16 much faster.

    False too where ``ONEDNN_MAX_CPU_ISA`` caps oneDNN below bf16 (e.g. ``AVX2``, as when emulating an
    AVX2-only CPU): bf16 would then run in slow emulation.
    """
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "").strip().upper()
    if isa and isa != "ALL" and "BF16" not in isa and "AMX" not in isa and isa != "AVX10_1_512":
        return False
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def resolve_precision(precision: str) -> str:
    """``auto`` → ``bf16`` on CPUs with native bf16, else ``fp32``; ``int8`` only when asked for."""
    if precision == "fp16":
        raise ValueError(
            "precision='fp16' runs on a CUDA or MPS accelerator only (device='cuda'); on the CPU use one of "
            + ", ".join(map(repr, PRECISIONS))
        )
    if precision not in PRECISIONS:
        raise ValueError(f"precision={precision!r}; expected one of {', '.join(map(repr, PRECISIONS))}")
    if precision == "auto":
        return "bf16" if cpu_supports_bf16() else "fp32"
    return precision


def precision_for(precision: str, device: torch.device) -> str:
    """:func:`resolve_precision` on the CPU; on an accelerator, ``inference.devices.accelerator_precision``."""
    return resolve_precision(precision) if device.type == "cpu" else accelerator_precision(precision, device)


def _broadcast_lang(lang: str | Sequence[str | None] | None, n: int) -> list[str | None]:
    if lang is None or isinstance(lang, str):
        return [lang] * n
    langs = list(lang)
    if len(langs) != n:
        raise ValueError(f"lang has {len(langs)} entries for {n} texts; pass one hint or one per text")
    return langs


def load_classifier(
    path: str | os.PathLike[str] | None = None,
    *,
    batch_size: int | None = None,
    threads: int | None = None,
    precision: str = "auto",
    max_tokens: int = DEFAULT_MAX_TOKENS,
    device: str | torch.device | None = "auto",
) -> StanceClassifier:
    """Load a trained model directory (default: the model shipped with diplostance).

    ``precision``: ``auto`` (bf16 where the CPU computes it natively, else fp32), ``fp32``, ``bf16`` or
    ``int8`` (int8 encoder layers calibrated once per model and cached, for CPUs without bf16; see the README
    for its cost).
    ``max_tokens``: padded tokens per encoder batch; ``batch_size`` optionally caps its rows.
    ``device``: ``auto`` (a CUDA or MPS accelerator when torch sees one, else the CPU), ``cpu``, ``cuda``
    (``cuda:N``) or ``mps``; on an accelerator ``auto`` precision is bf16 where it computes it, else fp16.
    """
    target = resolve_device(device)
    precision_for(precision, target)  # a bad precision fails before the model loads
    if threads:
        torch.set_num_threads(threads)
    model_dir = Path(path) if path is not None else DEFAULT_MODEL_DIR
    shared = path is None and (batch_size, threads, precision, max_tokens, device) == (
        None,
        None,
        "auto",
        DEFAULT_MAX_TOKENS,
        "auto",
    )
    if shared and _SHARED and _SHARED[0][0] == model_dir:  # loaded once per process (classify() too)
        return _SHARED[0][1]
    if path is None and not (model_dir / "config.json").is_file():
        raise FileNotFoundError(
            f"no default model at {model_dir}; train one with `diplostance train configs/default.yaml` "
            "or pass a model directory to load_classifier(path)"
        )
    bound_kernel_cache()
    if target.type == "cpu":
        keep_batch_blocks()
    model, tokenizer = StanceModel.from_pretrained(model_dir if path is None else path)
    name = "default" if path is None else str(path)
    if target.type != "cpu":
        model.to(target)
    classifier = StanceClassifier(
        model, tokenizer, name=name, batch_size=batch_size, precision=precision, max_tokens=max_tokens
    )
    classifier.provenance = describe_model(model_dir, name)
    if classifier.precision == "bf16" and target.type == "cpu":
        bf16_weights(model)
    elif classifier.precision == "int8":  # opt-in: its cost is in the README (benchmarks/results/int8.md)
        from .int8_cache import int8_key, quantize_classifier

        sha = classifier.provenance.get("weights_sha256")
        key = int8_key(str(sha), model.encoder_dir) if sha else None
        quantize_classifier(classifier, key)
    if shared:
        _SHARED[:] = [(model_dir, classifier)]
    return classifier


# The default classifier with default settings, once loaded: shared by load_classifier() and classify().
_SHARED: list[tuple[Path, StanceClassifier]] = []


def describe_model(model_dir: Path, name: str) -> dict[str, object]:
    """Name, version and a SHA-256 of the files of a model directory (its weights, adapter, heads
    and config; not its README or metrics), for the provenance of what it scores."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("diplostance")
    except PackageNotFoundError:
        package = "unknown"
    info: dict[str, object] = {"name": name, "version": package}
    model_dir = Path(model_dir)
    if not model_dir.is_dir():  # a hub id: no local files to hash
        return info
    with contextlib.suppress(OSError, ValueError):
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        info["format_version"] = config.get("format_version")
        info["base_encoder"] = config.get("diplostance", {}).get("base_encoder")
        info["heads"] = sorted(config.get("heads") or {})
    digest = hashlib.sha256()
    for file in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        if file.name in {"README.md", "metrics.json"} or file.name.startswith("."):
            continue
        digest.update(file.relative_to(model_dir).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            for block in iter(lambda: fh.read(2**20), b""):  # noqa: B023
                digest.update(block)
    info["weights_sha256"] = digest.hexdigest()
    return info


KERNEL_CACHE_CAPACITY = "8"


def bound_kernel_cache() -> None:
    """Cap the CPU kernel caches that grow with every new input shape, unless the user set them.

    Sentences come in many lengths. PyTorch's oneDNN integration (ideep) keeps up to 1,024 compiled
    kernels with their buffers (``LRU_CACHE_CAPACITY``) and oneDNN its own primitive cache
    (``ONEDNN_PRIMITIVE_CACHE_CAPACITY``); uncapped, a long run grew by about 250 MB of such caches.
    A cap of 8 measured no slower here (benchmarks/README.md). Both are read when the first kernel is
    built, so this works only before the process's first bf16/oneDNN computation.
    """
    for name in ("LRU_CACHE_CAPACITY", "ONEDNN_PRIMITIVE_CACHE_CAPACITY"):
        os.environ.setdefault(name, KERNEL_CACHE_CAPACITY)


def bf16_weights(model: StanceModel) -> None:
    """Store in bf16 what the CPU bf16 path rounds to bf16 anyway: the embedding matrix
    (:func:`compact_embeddings`) and the weights and biases of the encoder's linear layers.

    Autocast casts every linear layer's fp32 weight to bf16 at every call (6 % of the time of
    ``classify_many`` here); stored in bf16, the cast is a no-op and the products are the same bits. Layer
    norms, softmax and the heads stay fp32, as autocast keeps them. The model must then run under
    autocast, as :class:`StanceClassifier` runs a bf16 model."""
    compact_embeddings(model)
    for module in model.encoder.modules():
        if type(module) is torch.nn.Linear and module.weight.dtype == torch.float32:
            module.weight = torch.nn.Parameter(module.weight.detach().to(torch.bfloat16), requires_grad=False)
            if module.bias is not None:
                module.bias = torch.nn.Parameter(module.bias.detach().to(torch.bfloat16), requires_grad=False)


def compact_embeddings(model: StanceModel) -> None:
    """Store the (frozen, 250k-row) input embedding matrix in bf16, in ordinary memory.

    Loaded from safetensors it is a memory map whose pages become resident as new vocabulary rows are
    looked up, so a long run grows by up to its fp32 size (384 MB for E5-small); a bf16 copy costs half,
    up front. The copy is read from the file (``weights.read_tensor``), so the map is never touched.
    The bf16 path rounds the first layer's inputs to bf16 anyway (accuracy: benchmarks/README.md).
    """
    embeddings = model.encoder.get_input_embeddings()
    weight = embeddings.weight
    if weight.dtype == torch.bfloat16:
        return
    compact = None
    source = getattr(model.encoder, "name_or_path", None)
    found = find_tensor(source, "word_embeddings.weight") if source and Path(source).is_dir() else None
    if found is not None:
        with contextlib.suppress(OSError, ValueError, KeyError):
            compact = read_tensor(*found, dtype=torch.bfloat16)
    if compact is None or compact.shape != weight.shape:  # no matching local file: convert in memory
        compact = weight.detach().to(torch.bfloat16)
    embeddings.weight = torch.nn.Parameter(compact, requires_grad=False)


def classify(text: str, lang: str | None = None) -> list[StanceResult]:
    """Classify one article with the default classifier, loaded once and shared with
    ``load_classifier()``. For many texts, ``load_classifier().classify_many(texts)``."""
    _check_one_text(text, "classify", "text")
    return load_classifier().classify(text, lang=lang)
