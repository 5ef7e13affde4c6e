"""The written checks under data/checks/ stay held out: no training sentence under data/ shares a quarter of the word
3-grams of a check sentence of its language (whitespace words, punctuation stripped; over the shorter of the two),
so that new training data cannot copy, or closely paraphrase, what the checks measure."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
LIMIT = 0.25
# Pairs found when this test was written (2026-12-06): news phrasing shared between sentences about other countries
# ("expelled two Russian diplomats", "lifted its import ban"), except es-dt-0011 / rx-es-08, where the check's writer
# restated the event of a training sentence (rice from Vietnam to Cuba); the checks were already read, so they stay
# as written and this list stays closed: a new pair fails.
KNOWN = frozenset(
    {
        ("pt-b017", "rx-pt-12"), ("pt-b017", "pe-pt-04"), ("es-b004", "rx-es-10"), ("es-b005", "pe-es-07"),
        ("es-0018", "rx-es-09"), ("it-0018", "wc-it-01"), ("pl-b006", "rx-pl-10"), ("pl-b007", "rx-pl-08"),
        ("hi-0049", "pe-hi-11"), ("ar-0001", "rx-ar-11"), ("tr-dt-0018", "rx-tr-13"), ("es-dt-0011", "rx-es-08"),
        ("it-dt-0049", "wc-it-03"), ("it-dt-0049", "wc-it-04"), ("ru-dt-0040", "pe-ru-01"), ("pt-dt-0033", "pe-pt-13"),
        ("pt-dt-0050", "rx-pt-11"), ("uk-dt-0005", "rx-uk-10"), ("de-dt-0012", "rx-de-08"), ("de-dt-0033", "pe-de-14"),
        ("hi-dt-0010", "pe-hi-01"), ("hi-dt-0018", "rx-hi-12"), ("hi-dt-0037", "rx-hi-11"),
    }
)  # fmt: skip
_STRIP = ".,;:!?«»\"'()“”„—-–،。、，"


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = [w for w in (t.strip(_STRIP) for t in text.lower().split()) if w]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _records(paths: list[Path]) -> list[dict]:
    return [
        json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def close_pairs(training: list[dict], checks: list[dict]) -> list[tuple[str, str, float]]:
    """(training id, check id, overlap) of every same-language pair at or above LIMIT."""
    by_lang: dict[str, list[tuple[str, set]]] = defaultdict(list)
    for c in checks:
        by_lang[c["lang"]].append((c["id"], trigrams(c["text"])))
    out = []
    for r in training:
        mine = trigrams(r["text"])
        for cid, theirs in by_lang.get(r["lang"], []):
            if mine and theirs:
                share = len(mine & theirs) / min(len(mine), len(theirs))
                if share >= LIMIT:
                    out.append((r["id"], cid, round(share, 2)))
    return out


def test_no_training_sentence_copies_a_check_sentence() -> None:
    training = _records(sorted(DATA.glob("stance/train/*.jsonl")) + sorted(DATA.glob("dyads/train/*.jsonl")))
    checks = _records(sorted(DATA.glob("checks/*.jsonl")))
    assert len(training) > 1000 and len(checks) > 400
    new = [p for p in close_pairs(training, checks) if p[:2] not in KNOWN]
    assert new == [], f"training sentences too close to check sentences (rewrite the training side): {new}"


def test_the_measure_catches_a_paraphrase() -> None:
    check = [
        {"id": "c", "lang": "en", "text": "Kenya closed the Busia crossing to Ugandan lorries on Friday."}
    ]
    close = [
        {"id": "t", "lang": "en", "text": "On Monday Kenya closed the Busia crossing to Ugandan trucks."}
    ]
    other = [{"id": "u", "lang": "en", "text": "Peru lifted its ban on Bolivian chicken."}]
    assert [p[:2] for p in close_pairs(close + other, check)] == [("t", "c")]
    assert close_pairs(close, [{**check[0], "lang": "de"}]) == []  # languages apart
