"""The matcher's stem look-up (8-character heads + sorted stems) and its lazy language identification."""

from __future__ import annotations

from pathlib import Path

from inference.countries.matcher import _HEAD, Matcher
from inference.countries.table import build_index

HEADER = "country\tlang\talias\tkind\tflags\tsource\n"


def _matcher(tmp_path: Path, rows: list[str]) -> Matcher:
    table = tmp_path / "mini.tsv"
    table.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return Matcher(build_index((table,)))


def _brute_longest(matcher: Matcher, text: str, pos: int) -> str | None:
    for end in range(len(text), pos, -1):
        if text[pos:end] in matcher.index:
            return text[pos:end]
    return None


def test_longest_stem_found_across_shared_heads_and_short_stems(tmp_path: Path) -> None:
    # stems longer than the head that share it, a short stem inside a long one's head, one character
    rows = [
        "USA\ten\tunited states\tname\tnoinfl\ttest",
        "ARE\ten\tunited arab emirates\tname\tnoinfl\ttest",
        "GBR\ten\tunited kingdom\tname\tnoinfl\ttest",
        "USA\ten\tus\tabbr\tnocase\ttest",
        "CHN\tzh\t中国\tname\t\ttest",
        "CHN\tja\t中\tabbr\t\ttest",
    ]
    matcher = _matcher(tmp_path, rows)
    assert any(len(s) > _HEAD for s in matcher.stems)
    text = "united arab emirates, united states, united kingdom, united nations, us, 中国 中"
    found = [(m.country, m.text) for m in matcher.find(text)]
    assert found == [
        ("ARE", "united arab emirates"),
        ("USA", "united states"),
        ("GBR", "united kingdom"),
        ("USA", "us"),
        ("CHN", "中国"),
        ("CHN", "中"),
    ]
    # the sorted-neighbour look-up agrees with a brute-force longest prefix at every position
    for pos in range(len(text)):
        expected = _brute_longest(matcher, text, pos)
        candidates = [s for s in matcher.stems if text.startswith(s, pos)]
        assert (max(candidates, key=len) if candidates else None) == expected


def test_shorter_prefixes_listed_longest_first(tmp_path: Path) -> None:
    rows = [
        "IND\ten\tindia\tname\tnoinfl\ttest",
        "IND\ten\tindian\tadj\tnoinfl\ttest",
        "IDN\ten\tindonesia\tname\tnoinfl\ttest",
        "IND\tde\tind\tabbr\tnoinfl\ttest",
    ]
    matcher = _matcher(tmp_path, rows)
    assert matcher.shorter["indian"] == ("india", "ind")
    assert matcher.shorter["indonesia"] == ("ind",)
    assert "ind" not in matcher.shorter


def test_identification_asked_only_when_the_language_matters(tmp_path: Path) -> None:
    rows = [
        "RUS\tru\tРоссия\tname\t\ttest",  # one language: its reading never depends on the language
        "IND\tnl\tIndien\tname\thint\ttest",  # a hint row: the language decides
        "IND\tde\tIndien\tname\t\ttest",
    ]
    matcher = _matcher(tmp_path, rows)
    asked: list[str] = []

    def identify(text: str) -> str | None:
        asked.append(text)
        return "nl"

    assert [m.country for m in matcher.find("Россия", identify=identify)] == ["RUS"]
    assert asked == []
    text = "Россия und Indien"
    lazy = matcher.find(text, identify=identify)
    assert asked == [text]  # once, for the word with two languages' rows
    assert lazy == matcher.find(text, None, "nl")
    asked.clear()
    matcher.find(text, "de", identify=identify)
    assert asked == []  # a hint is never second-guessed
