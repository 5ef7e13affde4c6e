"""The public classifier: articles in, one result per (sentence, country) out."""

from __future__ import annotations

import contextlib
import functools
import os
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import torch

from .devices import AUTOCAST_DTYPES, accelerator_precision, resolve_device
from .dyads import decode_pairs, ordered_pairs
from .encoding import EncodedItem, encode
from .heads import DEFAULT_SENTENCE_HEAD
from .labels import DETAIL_LABELS, DETAIL_TO_STANCE, SENTIMENT_LABELS, STANCE_LABELS
from .modeling import StanceModel
from .results import DyadResult, SentenceResult, StanceResult, TargetResult
from .sentences import split_sentences
from .weights import find_tensor, read_tensor

DEFAULT_MODEL_DIR = Path(__file__).with_name("default_model")
_STANCE_INDEX = {
    stance: [i for i, d in enumerate(DETAIL_LABELS) if DETAIL_TO_STANCE[d] == stance]
    for stance in STANCE_LABELS
}


@dataclass
class Reading:
    """Decoded probabilities of one target or sentence."""

    stance: str
    detail: str
    scores: dict[str, dict[str, float]]


def decode_detail(probs: torch.Tensor) -> list[Reading]:
    """Hierarchical decoding: stance = argmax of summed detail probabilities, detail = best under it."""
    stance_probs = torch.stack([probs[:, idx].sum(1) for idx in _STANCE_INDEX.values()], dim=1)
    out = []
    for row, srow in zip(probs.tolist(), stance_probs.tolist(), strict=True):
        stance = STANCE_LABELS[max(range(len(srow)), key=srow.__getitem__)]
        detail = DETAIL_LABELS[max(_STANCE_INDEX[stance], key=row.__getitem__)]
        scores = {
            "stance": {label: round(p, 6) for label, p in zip(STANCE_LABELS, srow, strict=True)},
            "detail": {label: round(p, 6) for label, p in zip(DETAIL_LABELS, row, strict=True)},
        }
        out.append(Reading(stance, detail, scores))
    return out


@dataclass
class ItemProbs:
    """One item's probabilities: per sentence head, per target (head -> probs), per pair (head -> probs)."""

    sentence: dict[str, torch.Tensor] = field(default_factory=dict)
    targets: list[dict[str, torch.Tensor]] = field(default_factory=list)
    pairs: list[dict[str, torch.Tensor]] = field(default_factory=list)


def _check_text(text: object, where: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{where} must be a str, got {type(text).__name__}: {text!r:.80}")
    return text


class StanceClassifier:
    """Classify stance, detail and sentiment toward every country an article names.

    Build it with :func:`load_classifier`. All methods accept many items and batch them.
    """

    def __init__(
        self, model: StanceModel, tokenizer, *, name: str, batch_size: int = 32, precision: str = "fp32"
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size={batch_size}; it must be at least 1")
        self.device = next(model.parameters()).device  # load_classifier(device=...) places the model
        self.precision = precision_for(precision, self.device)
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.name = name
        self.batch_size = batch_size
        self.settings = model.settings

    # --------------------------------------------------------------- low level
    @torch.inference_mode()
    def _forward(self, items: Sequence[EncodedItem]) -> list[ItemProbs]:
        """Run the model over ``items``: per item, the probabilities of every head it has."""
        out = [ItemProbs() for _ in items]
        order = sorted(range(len(items)), key=lambda i: len(items[i].text))  # less padding
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            batch = encode(
                self.tokenizer,
                [items[i] for i in chunk],
                max_length=self.settings.max_length,
                prefix=self.settings.text_prefix,
                markers=self.settings.markers,
            )
            if self.device.type != "cpu":
                batch = {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}
            dtype = AUTOCAST_DTYPES.get(self.precision, torch.bfloat16)
            with torch.autocast(self.device.type, dtype=dtype, enabled=self.precision != "fp32"):
                logits = self.model(**batch)
            probs = {name: self._softmax(logits, name).cpu() for name in logits}  # on CPU: no copy
            for name in self.model.sentence_heads:
                for j, i in enumerate(chunk):
                    out[i].sentence[name] = probs[name][j]
            n = p = 0  # targets and pairs come out in item order, whether items share a row or not
            for i in chunk:
                for _ in items[i].targets:
                    out[i].targets.append({name: probs[name][n] for name in self.model.target_heads})
                    n += 1
                for _ in items[i].pairs:
                    out[i].pairs.append(
                        {name: probs[name][p] for name in self.model.pair_heads if name in probs}
                    )
                    p += 1
        return out

    def _run(
        self, items: Sequence[EncodedItem], sentence_head: str = DEFAULT_SENTENCE_HEAD
    ) -> tuple[list[list[dict[str, torch.Tensor]]], list[torch.Tensor]]:
        """Per item the target probabilities and the ``sentence_head`` probabilities."""
        probs = self._forward(items)
        return [p.targets for p in probs], [p.sentence[sentence_head] for p in probs]

    def _softmax(self, logits: dict[str, torch.Tensor], head: str) -> torch.Tensor:
        """Calibrated probabilities: the head's logits over its fitted temperature (1 when none), plus its
        fitted per-class shift (a decision threshold; none by default)."""
        scaled = logits[head].float() / self.settings.temperatures.get(head, 1.0)
        shift = self.settings.logit_shift.get(head)
        if shift is not None:
            scaled = scaled + torch.tensor(shift, dtype=scaled.dtype, device=scaled.device)
        return torch.softmax(scaled, -1)

    def _target_results(self, probs: Sequence[dict[str, torch.Tensor]]) -> list[tuple[Reading, str]]:
        if not probs:
            return []
        readings = decode_detail(torch.stack([p["detail"] for p in probs]))
        out = []
        for reading, p in zip(readings, probs, strict=True):
            sentiment_probs = p["sentiment"].tolist()
            sentiment = SENTIMENT_LABELS[max(range(len(sentiment_probs)), key=sentiment_probs.__getitem__)]
            reading.scores["sentiment"] = {
                label: round(v, 6) for label, v in zip(SENTIMENT_LABELS, sentiment_probs, strict=True)
            }
            out.append((reading, sentiment))
        return out

    # --------------------------------------------------------------- public API
    def classify(self, text: str, lang: str | None = None) -> list[StanceResult]:
        """One :class:`StanceResult` per (sentence, country) of ``text``; ``[]`` for empty text."""
        return self.classify_many([text], lang=lang)[0]

    def classify_many(
        self, texts: Sequence[str], lang: str | Sequence[str | None] | None = None
    ) -> list[list[StanceResult]]:
        """Classify many articles, batching sentences across them. ``lang``: one hint or one per text."""
        if isinstance(texts, str):
            raise TypeError("classify_many expects a list of texts; use classify(text) for one text")
        return self.analyse_many(texts, lang, dyads=False)[0]

    def classify_dyads(self, text: str, lang: str | None = None) -> list[DyadResult]:
        """One :class:`DyadResult` per related ordered pair of countries in a sentence of ``text``."""
        return self.classify_dyads_many([text], lang=lang)[0]

    def classify_dyads_many(
        self, texts: Sequence[str], lang: str | Sequence[str | None] | None = None
    ) -> list[list[DyadResult]]:
        """Directed dyads of many articles (see ``inference.dyads`` for the decoding)."""
        return self.analyse_many(texts, lang, dyads=True)[1]

    @property
    def has_dyads(self) -> bool:
        return "pair" in self.model.pair_heads

    def analyse_many(
        self, texts: Sequence[str], lang: str | Sequence[str | None] | None = None, *, dyads: bool = True
    ) -> tuple[list[list[StanceResult]], list[list[DyadResult]]]:
        """Stance results and (with ``dyads``) directed dyads of many articles, from one encoder pass."""
        from .countries import find_countries

        if isinstance(texts, str):
            raise TypeError(
                "expected a list of texts; use classify(text) / classify_dyads(text) for one text"
            )
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
            for sentence in split_sentences(text):
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
        probs = self._forward(items)
        for (t, sentence, targets), item, p in zip(slots, items, probs, strict=True):
            for (country, spans), (reading, sentiment) in zip(
                targets, self._target_results(p.targets), strict=True
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
            readings = decode_pairs(torch.stack([q["pair"] for q in p.pairs]))
            for (a, b), pair in zip(item.pairs, readings, strict=True):
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

    def classify_sentences(self, sentences: Sequence[str]) -> list[SentenceResult]:
        """The five-way detail (and stance) of the event each sentence reports, with no target."""
        if isinstance(sentences, str):
            sentences = [sentences]
        items = [EncodedItem(_check_text(s, f"sentences[{i}]")) for i, s in enumerate(sentences)]
        _, sentence_probs = self._run(items)
        if not items:
            return []
        readings = decode_detail(torch.stack(sentence_probs))
        return [
            SentenceResult(sentence=s, stance=r.stance, detail=r.detail, scores=r.scores)
            for s, r in zip(sentences, readings, strict=True)
        ]

    def classify_targets(self, items: Iterable[tuple[str, int, int]]) -> list[TargetResult]:
        """Stance, detail and sentiment toward ``sentence[start:end]`` for each ``(sentence, start, end)``."""
        checked: list[tuple[str, int, int]] = []
        for i, item in enumerate(items):
            if not (isinstance(item, tuple | list) and len(item) == 3):
                raise TypeError(f"items[{i}] must be a (sentence, start, end) tuple, got {item!r:.80}")
            sentence, start, end = item
            _check_text(sentence, f"items[{i}][0]")
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(sentence)):
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
            for i, (reading, sentiment) in zip(idx, self._target_results(probs), strict=True):
                sentence, start, end = checked[i]
                out[i] = TargetResult(
                    sentence, start, end, reading.stance, reading.detail, sentiment, reading.scores
                )
        return [r for r in out if r is not None]


def cpu_supports_bf16() -> bool:
    """True where the CPU has native bf16 arithmetic (AVX512-BF16 or AMX), which makes bf16 much faster."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            flags = fh.read()
    except OSError:
        return False
    return any(flag in flags for flag in ("avx512_bf16", "amx_bf16"))


def resolve_precision(precision: str) -> str:
    """``auto`` → ``bf16`` on CPUs with native bf16, else ``fp32``."""
    if precision not in {"auto", "fp32", "bf16"}:
        raise ValueError(f"precision={precision!r}; expected 'auto', 'fp32' or 'bf16'")
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
    batch_size: int = 32,
    threads: int | None = None,
    precision: str = "auto",
    device: str | torch.device | None = "auto",
) -> StanceClassifier:
    """Load a trained model directory (default: the model shipped with diplostance).

    ``precision``: ``auto`` (bf16 where the CPU computes it natively, else fp32), ``fp32`` or ``bf16``.
    ``device``: ``auto`` (a CUDA or MPS accelerator when torch sees one, else the CPU), ``cpu``, ``cuda``
    (``cuda:N``) or ``mps``; on an accelerator ``auto`` precision is bf16 where it computes it, else fp16.
    """
    target = resolve_device(device)
    precision_for(precision, target)  # a bad precision fails before the model loads
    if threads:
        torch.set_num_threads(threads)
    model_dir = Path(path) if path is not None else DEFAULT_MODEL_DIR
    if path is None and not (model_dir / "config.json").is_file():
        raise FileNotFoundError(
            f"no default model at {model_dir}; train one with `diplostance train configs/default.yaml` "
            "or pass a model directory to load_classifier(path)"
        )
    bound_kernel_cache()
    model, tokenizer = StanceModel.from_pretrained(model_dir if path is None else path)
    name = "default" if path is None else str(path)
    if target.type != "cpu":
        model.to(target)
    classifier = StanceClassifier(model, tokenizer, name=name, batch_size=batch_size, precision=precision)
    if classifier.precision == "bf16" and target.type == "cpu":
        compact_embeddings(model)
    return classifier


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


@functools.lru_cache(maxsize=1)
def _default() -> StanceClassifier:
    return load_classifier()


def classify(text: str, lang: str | None = None) -> list[StanceResult]:
    """Classify one article with the (cached) default classifier."""
    return _default().classify(text, lang=lang)
