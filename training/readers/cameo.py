"""ConfliBERT's CAMEO PentaClass sentences (``conflibert_cameo/class_train.tsv``), with actor targets.

``class_train.tsv``: ``sentence<TAB>label``, CRLF, no header, labels 0..4 in ConfliBERT's order.
``ner_train.txt``: the same kind of sentences, CoNLL token per line (B/I-S source actor, B/I-T target
actor, B/I-R reciprocal actors, O), blank line between sentences. A NER sentence whose text matches a
class_train sentence (ignoring whitespace, punctuation, quotes, diacritics and case) gives one Target
per actor span, labelled with the sentence's label: per ../shared/guidelines/stance.md the label holds
for an actor whether it acts or is acted upon. NER sentences that match nothing are reported as
BadRows of the NER file; no label is invented for them.

The roles become directed dyads (``Example.pairs``) where the actors are countries: the country finder
runs on the sentence and an actor span is a country when the mentions inside it name exactly one.
Source -> target pairs (S x T) and both directions between reciprocal actors (R x R) get the sentence's
label; two sources (or two targets) of different countries are ``none`` (they act together, not on each
other: "Britain and France warned Russia"). One pair per ordered pair of countries; a labelled relation
wins over ``none``.

A sentence that repeats an earlier line of class_train is reported (as a duplicate) and skipped, so a
sentence is never twice in the data (nor on both sides of a split).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from inference.heads import NO_RELATION
from training.examples import BadRow, Example, Pair, ReadResult, Target
from training.readers._align import locate_tokens, span_of
from training.readers._common import Finder, Mention, default_finder, iter_lines, require_path, split_tsv

SOURCE = "cameo"
LABELS: dict[str, str] = {  # ConfliBERT's PentaClass order, from ../shared/data/README.md
    "0": "neutral",
    "1": "verbal_cooperation",
    "2": "material_cooperation",
    "3": "verbal_conflict",
    "4": "material_conflict",
}
ACTOR_TYPES = {"S": "source actor", "T": "target actor", "R": "reciprocal actors"}
_DEFAULT = "default"


@dataclass
class _NerSentence:
    line: int  # line of the first token
    tokens: list[str]
    token_lines: list[int]
    spans: list[tuple[str, int, int]]  # (actor type, first token, last token), inclusive


def match_key(text: str) -> str:
    """Text reduced to its letters and digits (no diacritics, casefolded): how sentences are matched."""
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    return "".join(
        c for c in decomposed if unicodedata.category(c)[0] in "LN" and unicodedata.category(c) != "Lm"
    )


def read(
    path: str | Path, *, ner_path: str | Path | None = _DEFAULT, finder: Finder | None = None
) -> ReadResult:
    """Read ``class_train.tsv``; actor targets come from ``ner_path`` (default: ``ner_train.txt``
    beside it; ``None``: sentence labels only); ``finder`` (default ``inference.countries.find_countries``)
    tells which actors are countries."""
    p = require_path(path, SOURCE)
    bad: list[BadRow] = []
    examples: list[Example] = []
    first_line: dict[str, tuple[int, str]] = {}  # exact text -> (line, label) of its first occurrence
    for number, line in iter_lines(p, SOURCE, bad):
        reason, text, label = _parse_class_line(line)
        if reason is None and text in first_line:
            prev, prev_label = first_line[text]
            same = "same label" if prev_label == label else f"different label: {prev_label} vs {label}"
            reason = f"duplicate of line {prev} ({same}); skipped"
        if reason is not None:
            bad.append(BadRow(SOURCE, str(p), number, reason))
            continue
        first_line[text] = (number, label)
        ex_id = f"{SOURCE}:{p.stem}:{number}"
        examples.append(
            Example(id=ex_id, source=SOURCE, lang="en", text=text, sentence_detail=label, group=ex_id)
        )

    if ner_path is not None:
        ner = p.parent / "ner_train.txt" if ner_path == _DEFAULT else Path(ner_path)
        if not ner.exists():
            raise FileNotFoundError(
                f"CAMEO NER file not found at {ner} (resolved: {ner.resolve()}); pass ner_path=None to read "
                "sentence labels only, or check the data.sources[*] settings and that ../shared sits beside the checkout"
            )
        _add_targets(examples, ner, bad, finder or default_finder())
    return ReadResult(examples, bad)


def _parse_class_line(line: str) -> tuple[str | None, str, str]:
    """(reason it is bad or None, text, detail label)."""
    if not line.strip():
        return "empty line", "", ""
    try:
        fields = split_tsv(line)
    except ValueError as exc:
        return str(exc), "", ""
    if len(fields) != 2:
        return f"expected 2 tab-separated columns (sentence, label), got {len(fields)}", "", ""
    text, raw = fields
    if not text.strip():
        return "empty text", "", ""
    if raw.strip() not in LABELS:
        return f"unknown label {raw!r}; expected one of {sorted(LABELS)}", "", ""
    return None, text, LABELS[raw.strip()]


def _read_ner(path: Path, bad: list[BadRow]) -> list[_NerSentence]:
    sentences: list[_NerSentence] = []
    tokens: list[str] = []
    token_lines: list[int] = []
    spans: list[tuple[str, int, int]] = []
    broken = False

    def flush() -> None:
        nonlocal tokens, token_lines, spans, broken
        if tokens and not broken:
            sentences.append(_NerSentence(token_lines[0], tokens, token_lines, spans))
        tokens, token_lines, spans, broken = [], [], [], False

    for number, line in iter_lines(path, SOURCE, bad):
        if not line.strip():
            flush()
            continue
        parts = line.split()
        if len(parts) != 2:
            bad.append(
                BadRow(
                    SOURCE,
                    str(path),
                    number,
                    f"expected 'token tag', got {len(parts)} fields; sentence skipped",
                )
            )
            broken = True
            continue
        token, tag = parts
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if tag != "O" and kind not in ACTOR_TYPES:
            bad.append(BadRow(SOURCE, str(path), number, f"unknown tag {tag!r}; sentence skipped"))
            broken = True
        i = len(tokens)
        tokens.append(token)
        token_lines.append(number)
        if kind is not None and kind in ACTOR_TYPES:
            continues = tag.startswith("I-") and spans and spans[-1][0] == kind and spans[-1][2] == i - 1
            if continues:
                spans[-1] = (kind, spans[-1][1], i)
            else:  # B-, or an I- that starts a span (CoNLL convention)
                spans.append((kind, i, i))
    flush()
    return sentences


def _add_targets(examples: list[Example], ner: Path, bad: list[BadRow], find: Finder) -> None:
    by_key: dict[str, Example] = {}
    for ex in examples:
        by_key.setdefault(match_key(ex.text), ex)
    used: dict[str, int] = {}  # key -> NER line that gave its targets
    for sent in _read_ner(ner, bad):
        key = match_key("".join(sent.tokens))
        ex = by_key.get(key)
        if ex is None:
            bad.append(BadRow(SOURCE, str(ner), sent.line, _no_match_reason(key, by_key)))
            continue
        if key in used:
            bad.append(
                BadRow(SOURCE, str(ner), sent.line, f"repeats the NER sentence at line {used[key]}; skipped")
            )
            continue
        used[key] = sent.line
        located = locate_tokens(ex.text, sent.tokens)
        mentions = list(find(ex.text, lang=ex.lang))
        roles: list[tuple[str, int]] = []  # (actor type, target index) of the country actors
        for kind, first, last in sent.spans:
            span = span_of(sent.tokens, located, first, last)
            if span is None:
                words = " ".join(sent.tokens[first : last + 1])
                bad.append(
                    BadRow(
                        SOURCE,
                        str(ner),
                        sent.token_lines[first],
                        f"cannot locate the {ACTOR_TYPES[kind]} span {words!r} in {ex.id}; span skipped",
                    )
                )
                continue
            country = _country_of(span, mentions)
            if country is not None:
                roles.append((kind, len(ex.targets)))
            ex.targets.append(Target(spans=[span], country=country, detail=ex.sentence_detail))
        ex.pairs = _pairs(ex, roles)


def _country_of(span: tuple[int, int], mentions: list[Mention]) -> str | None:
    """The one country the mentions inside ``span`` name, or None (none, or several)."""
    inside = {m.country for m in mentions if m.start >= span[0] and m.end <= span[1]}
    return inside.pop() if len(inside) == 1 else None


def _pairs(ex: Example, roles: list[tuple[str, int]]) -> list[Pair]:
    """Directed pairs between the country actors (see the module docstring)."""
    label = ex.sentence_detail or "neutral"
    chosen: dict[tuple[str, str], Pair] = {}
    for kind_a, a in roles:
        for kind_b, b in roles:
            country_a, country_b = ex.targets[a].country, ex.targets[b].country
            if country_a == country_b:
                continue
            if (kind_a, kind_b) in (("S", "T"), ("R", "R")):
                chosen[(country_a, country_b)] = Pair(a, b, label)
            elif kind_a == kind_b:
                chosen.setdefault((country_a, country_b), Pair(a, b, NO_RELATION))
    return list(chosen.values())


def _no_match_reason(key: str, by_key: dict[str, Example]) -> str:
    reason = "no matching class_train sentence"
    if len(key) >= 20:
        for other, ex in by_key.items():
            if key in other:
                return f"{reason} (a shortened form of {ex.id})"
    return reason
