"""Helpers for the batch-scoring tests: a deterministic fake classifier and archive builders.

Imported by ``tests/test_batch_*.py`` and by the subprocess of the kill-and-resume test
(not a pytest conftest: nothing here runs by itself).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from pathlib import Path
from typing import Any

from inference.dyads import decode_pairs
from inference.heads import PAIR_LABELS
from inference.labels import DETAIL_LABELS, SENTIMENT_LABELS, STANCE_LABELS, stance_of
from inference.results import DyadResult, StanceResult

COUNTRIES = {
    "France": "FRA",
    "Germany": "DEU",
    "Russia": "RUS",
    "Ukraine": "UKR",
    "China": "CHN",
    "Japan": "JPN",
    "Brazil": "BRA",
    "India": "IND",
}
_COUNTRY = re.compile(r"\b(" + "|".join(COUNTRIES) + r")\b")
_SENTENCE = re.compile(r"[^.!?]+[.!?]?")


def _probs(labels: tuple[str, ...], chosen: str, seed: int) -> dict[str, float]:
    top = 0.5 + (seed % 40) / 100
    rest = (1 - top) / (len(labels) - 1)
    return {label: (top if label == chosen else rest) for label in labels}


class FakeClassifier:
    """Finds a few English country names by regex; labels come from a hash of sentence and country.

    ``delay`` seconds are slept per article (for the kill test); a text containing ``fail_on``
    makes ``classify_many`` raise (for classifier-failure tests). ``analyse_many`` adds dyads: each
    ordered pair of countries of a sentence gets pair probabilities from a hash, decoded as the API does.
    """

    has_dyads = True

    def __init__(self, name: str = "fake-v1", delay: float = 0.0, fail_on: str = "BOOM") -> None:
        self.name = name
        self.delay = delay
        self.fail_on = fail_on
        self.calls = 0

    def classify_many(
        self, texts: list[str], lang: str | list[str | None] | None = None
    ) -> list[list[StanceResult]]:
        if isinstance(lang, list) and len(lang) != len(texts):
            raise ValueError("lang list and texts differ in length")
        self.calls += 1
        if self.delay:
            time.sleep(self.delay * len(texts))
        return [self._one(text) for text in texts]

    def analyse_many(
        self, texts: list[str], lang: str | list[str | None] | None = None
    ) -> tuple[list[list[StanceResult]], list[list[DyadResult]]]:
        stances = self.classify_many(texts, lang)
        return stances, [self._dyads(results) for results in stances]

    @staticmethod
    def _dyads(results: list[StanceResult]) -> list[DyadResult]:
        dyads = []
        by_sentence: dict[int, list[StanceResult]] = {}
        for r in results:  # pairs within a sentence only: linear in the sentences of a long record
            by_sentence.setdefault(r.sentence_index, []).append(r)
        for a, b in ((a, b) for group in by_sentence.values() for a in group for b in group):
            if a.country == b.country:
                continue
            digest = hashlib.md5(f"{a.sentence}|{a.country}>{b.country}".encode()).digest()
            weights = [math.exp((x % 16) / 4) for x in digest[: len(PAIR_LABELS)]]
            reading = decode_pairs([[w / sum(weights) for w in weights]])[0]
            if reading.related:
                dyads.append(
                    DyadResult(
                        a.sentence_index,
                        a.sentence,
                        a.start,
                        a.end,
                        a.country,
                        b.country,
                        reading.stance,
                        reading.detail,
                        reading.intensity,
                        a.mentions,
                        b.mentions,
                        reading.scores,
                    )  # fmt: skip
                )
        return dyads

    def _one(self, text: str) -> list[StanceResult]:
        if self.fail_on and self.fail_on in text:
            raise ValueError(f"fake classifier cannot read {self.fail_on!r}")
        results = []
        index = -1
        for match in _SENTENCE.finditer(text):
            if not match.group().strip():
                continue
            index += 1
            sentence, start = match.group(), match.start()
            mentions: dict[str, list[tuple[int, int]]] = {}
            for m in _COUNTRY.finditer(sentence):
                mentions.setdefault(COUNTRIES[m.group()], []).append((start + m.start(), start + m.end()))
            for country, spans in mentions.items():
                digest = hashlib.md5(f"{sentence}|{country}".encode()).digest()
                detail = DETAIL_LABELS[digest[0] % len(DETAIL_LABELS)]
                stance = stance_of(detail)
                sentiment = SENTIMENT_LABELS[digest[1] % len(SENTIMENT_LABELS)]
                scores = {
                    "stance": _probs(STANCE_LABELS, stance, digest[2]),
                    "detail": _probs(DETAIL_LABELS, detail, digest[3]),
                    "sentiment": _probs(SENTIMENT_LABELS, sentiment, digest[4]),
                }
                results.append(
                    StanceResult(
                        index, sentence, start, match.end(), country, spans, stance, detail, sentiment, scores
                    )
                )
        return results


class InterruptAfter(FakeClassifier):
    """Raises KeyboardInterrupt (like Ctrl-C, not a data error) on call number ``after + 1``."""

    def __init__(self, after: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.after = after

    def classify_many(
        self, texts: list[str], lang: str | list[str | None] | None = None
    ) -> list[list[StanceResult]]:
        if self.calls >= self.after:
            raise KeyboardInterrupt
        return super().classify_many(texts, lang)


_WORDS = ["talks", "trade", "sanctions", "summit", "border", "aid", "treaty", "troops", "deal", "protest"]


def article(i: int) -> dict[str, Any]:
    """A deterministic small article; every seventh names no country."""
    names = list(COUNTRIES)
    a, b = names[i % len(names)], names[(i * 3 + 1) % len(names)]
    w = _WORDS[i % len(_WORDS)]
    if i % 7 == 3:
        text = f"Local news number {i}. The weather was fine and the {w} continued."
    else:
        text = f"{a} and {b} held {w} on day {i}. Later {b} spoke about {w}! Nothing else happened."
    return {
        "id": f"a{i:05d}",
        "lang": "en",
        "date": f"2024-{1 + i % 3:02d}-{1 + i % 28:02d}",
        "title": f"T{i}",
        "text": text,
    }


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# The messy archive: (raw line, expected error reason substring or None if scored).
def messy_lines(big_chars: int = 2_000_000) -> list[tuple[bytes, str | None]]:
    big = ("France and Germany signed a treaty. " * (big_chars // 36 + 1))[:big_chars]

    def j(obj: Any) -> bytes:
        return json.dumps(obj).encode()

    return [
        (j({"id": "ok1", "text": "France criticised Russia.", "date": "2024-01-02", "title": "t"}), None),
        (j({"id": "nocountry", "text": "It rained all day."}), None),
        (b'{"id": "badjson", "text": "unterminated', "invalid JSON"),
        (j({"id": "notext"}), "missing text field"),
        (j({"id": "nulltext", "text": None}), "text is null"),
        (j({"id": "emptytext", "text": ""}), "empty text"),
        (j({"id": "spacetext", "text": "  \n\t "}), "empty text"),
        (j({"id": "numtext", "text": 42}), "text is not a string (got int)"),
        (j({"id": "listtext", "text": ["France"]}), "text is not a string (got list)"),
        (b'{"id": "badutf8", "text": "caf\xe9 in France"}', "invalid UTF-8"),
        (bytes(range(256)).replace(b"\n", b"") * 4, "invalid UTF-8"),
        (b"\x00\x01\x02\x03garbage\xff\xfe", "invalid UTF-8"),
        (b"PK\x03\x04 binary-looking but ascii junk", "invalid JSON"),
        (j(["an", "array"]), "expected an object"),
        (b'{"id": "surrogate", "text": "France \\ud800 Russia"}', "invalid UTF-8/Unicode"),
        (j({"id": "nul", "text": "France\u0000Russia"}), "NUL"),
        (j({"text": "Japan and China."}), "missing id"),
        (j({"id": None, "text": "Japan and China."}), "missing id"),
        (j({"id": {"x": 1}, "text": "Japan and China."}), "id is not a string or integer (got dict"),
        (j({"id": 7, "text": "India and Brazil talk.", "title": 3.5}), None),
        (j({"id": "ok1", "text": "A later duplicate about Japan."}), "duplicate id"),
        (j({"id": "boom", "text": "France BOOM."}), "classifier failed"),
        (b"   ", None),  # blank line: not a record
        (j({"id": "big", "text": big, "lang": "en"}), None),
        (j({"id": "ok2", "text": "Ukraine thanked Germany. China and India met."}), None),
    ]


def write_messy(path: Path, big_chars: int = 2_000_000) -> list[tuple[int, str | None]]:
    """Write the messy JSONL archive; returns (line number, expected reason) for each record."""
    lines = messy_lines(big_chars)
    path.write_bytes(b"".join(line + b"\n" for line, _ in lines))
    return [(n, reason) for n, (line, reason) in enumerate(lines, 1) if line.strip()]
