"""The written checks under data/checks/ stay held out: no training sentence under data/ (stance, dyads, and the
sentences of the ru/uk sentiment files) shares a quarter of the shingles of a check sentence of its language (word
3-grams, punctuation stripped; character 4-grams in Chinese, Japanese and Thai, written without spaces; over the
shorter of the two), so that new training data cannot copy, or closely paraphrase, what the checks measure."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
LIMIT = 0.25
# Pairs found when this test was written (2026-12-06): news phrasing shared between sentences about other countries
# ("expelled two Russian diplomats", "lifted its import ban"), except es-dt-0011 / rx-es-08, where the check's writer
# restated the event of a training sentence (rice from Vietnam to Cuba); the checks were already read, so they stay
# as written and this list stays closed: a new pair fails, and so does a listed pair no longer found.
KNOWN = frozenset(
    {
        ("pt-b017", "rx-pt-12"), ("pt-b017", "pe-pt-04"), ("es-b004", "rx-es-10"), ("es-b005", "pe-es-07"),
        ("es-0018", "rx-es-09"), ("it-0018", "wc-it-01"), ("pl-b006", "rx-pl-10"), ("pl-b007", "rx-pl-08"),
        ("hi-0049", "pe-hi-11"), ("ar-0001", "rx-ar-11"), ("tr-dt-0018", "rx-tr-13"), ("es-dt-0011", "rx-es-08"),
        ("it-dt-0049", "wc-it-03"), ("it-dt-0049", "wc-it-04"), ("ru-dt-0040", "pe-ru-01"), ("pt-dt-0033", "pe-pt-13"),
        ("pt-dt-0050", "rx-pt-11"), ("uk-dt-0005", "rx-uk-10"), ("de-dt-0012", "rx-de-08"), ("de-dt-0033", "pe-de-14"),
        ("hi-dt-0010", "pe-hi-01"), ("hi-dt-0018", "rx-hi-12"), ("hi-dt-0037", "rx-hi-11"),
        ("ja-dt-0006", "rx-ja-08"), ("ja-dt-0010", "pe-ja-01"), ("ja-dt-0017", "rx-ja-12"), ("ja-dt-0019", "rx-ja-07"),
        ("ja-dt-0021", "pe-ja-10"), ("ja-dt-0037", "pe-ja-11"), ("zh-b005", "pe-zh-16"), ("zh-dt-0011", "rx-zh-03"),
        ("sentiment/ru.tsv:60", "rx-ru-06"),
    }
)  # fmt: skip
_STRIP = ".,;:!?«»\"'()“”„—-–،。、，「」『』（）・"
_UNSPACED = frozenset({"zh", "ja", "th"})


def shingles(text: str, lang: str) -> set:
    """Word 3-grams of ``text``, or character 4-grams in a language written without spaces."""
    if lang in _UNSPACED:
        chars = [c for c in text if not c.isspace() and c not in _STRIP]
        return {"".join(chars[i : i + 4]) for i in range(len(chars) - 3)}
    words = [w for w in (t.strip(_STRIP) for t in text.lower().split()) if w]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _records(paths: list[Path]) -> list[dict]:
    return [
        json.loads(line) for p in paths for line in p.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _sentiment_sentences() -> list[dict]:
    """One record per sentence of data/sentiment/train/<lang>.tsv (its rows repeat a sentence per entity)."""
    out: dict[tuple[str, str], dict] = {}
    for path in sorted(DATA.glob("sentiment/train/*.tsv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.reader(fh, delimiter="\t"), 1):
                if n > 1 and row:
                    record = {"id": f"sentiment/{path.name}:{n}", "lang": path.stem, "text": row[0]}
                    out.setdefault((path.stem, row[0]), record)
    return list(out.values())


def close_pairs(training: list[dict], checks: list[dict]) -> list[tuple[str, str, float]]:
    """(training id, check id, overlap) of every same-language pair at or above LIMIT."""
    by_lang: dict[str, list[tuple[str, set]]] = defaultdict(list)
    for c in checks:
        by_lang[c["lang"]].append((c["id"], shingles(c["text"], c["lang"])))
    out = []
    for r in training:
        mine = shingles(r["text"], r["lang"])
        for cid, theirs in by_lang.get(r["lang"], []):
            if mine and theirs:
                share = len(mine & theirs) / min(len(mine), len(theirs))
                if share >= LIMIT:
                    out.append((r["id"], cid, round(share, 2)))
    return out


def test_no_training_sentence_copies_a_check_sentence() -> None:
    training = _records(sorted(DATA.glob("stance/train/*.jsonl")) + sorted(DATA.glob("dyads/train/*.jsonl")))
    training += _sentiment_sentences()
    checks = _records(sorted(DATA.glob("checks/*.jsonl")))
    assert len(training) > 1000 and len(checks) > 400
    found = {p[:2] for p in close_pairs(training, checks)}
    assert sorted(found - KNOWN) == [], (
        "training sentences too close to check sentences (rewrite the training side)"
    )
    assert sorted(KNOWN - found) == [], "listed pairs no longer found: remove them from KNOWN"


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
    zh_check = [
        {"id": "z", "lang": "zh", "text": "塔吉克斯坦本周向与阿富汗接壤的边境地区增派了约两万名士兵。"}
    ]
    zh_copy = [{"id": "y", "lang": "zh", "text": "俄罗斯向与芬兰接壤的边境地区增派了数千名士兵。"}]
    assert [p[:2] for p in close_pairs(zh_copy, zh_check)] == [("y", "z")]  # no spaces: character shingles
