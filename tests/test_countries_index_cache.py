"""The country index cache (``index_cache``) and the head regexes compiled on first use: same index,
same matches; a stale key or a corrupt file is rebuilt."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from inference.countries import index_cache
from inference.countries.index_cache import cache_file, from_json, index_key, load_index, to_json
from inference.countries.matcher import Matcher
from inference.countries.table import TABLES, build_index

HEADER = "country\tlang\talias\tkind\tflags\tsource\n"
ROWS = [
    "RUS\tru\tРоссия\tname\t\ttest",
    "RUS\ten\tRussia\tname\t\ttest",
    "RUS\ten\tRussian\tadj\t\ttest",
    "IND\tnl\tIndien\tname\thint\ttest",
    "IND\tde\tIndien\tname\t\ttest",
    "USA\ten\tunited states\tname\tnoinfl\ttest",
    "CHN|USA\tzh\t中|美\tcompound\t\ttest",
    "KOR\tko\t한국\tname\t\ttest",
    "-\ten\tRussian roulette\tblock\t\ttest",
]
TEXTS = [
    "Russia and the United States met; Russian roulette is a game.",
    "Россия и США. Indien und Deutschland. 中美关系。 한국은 오늘.",
    "In Indien, zei hij, is het warm.",
]


def _table(tmp_path: Path, rows: list[str], name: str = "mini.tsv") -> Path:
    table = tmp_path / name
    table.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return table


def _finds(matcher: Matcher, texts: list[str]) -> list[list[tuple]]:
    out = []
    for text in texts:
        for lang in (None, "en", "nl", "de"):
            out.append([(m.country, m.start, m.end, m.text) for m in matcher.find(text, lang)])
    return out


@pytest.fixture(autouse=True)
def _cache_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIPLOSTANCE_COUNTRY_CACHE", raising=False)


def test_shipped_index_survives_json_with_order_and_equal_entries() -> None:
    built = build_index(TABLES)
    key = index_key(TABLES)
    read = from_json(to_json(built, key), key)
    assert list(read) == list(built)  # stem order matters (first Han abbreviation wins)
    assert read == built
    assert {e.tail_in_span for es in read.values() for e in es} == {True, False}


def test_second_load_reads_the_file_and_matches_identically(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(tmp_path, ROWS)
    root = tmp_path / "cache"
    file = cache_file(index_key((table,)), root)
    assert not file.exists()
    first = load_index((table,), root)
    assert file.is_file() and json.loads(file.read_text(encoding="utf-8"))["key"] == index_key((table,))

    def no_build(*args, **kwargs):
        raise AssertionError("the index was rebuilt although the cache holds it")

    monkeypatch.setattr(index_cache, "build_index", no_build)
    second = load_index((table,), root)
    assert list(second) == list(first) and second == first
    assert _finds(Matcher(second), TEXTS) == _finds(Matcher(build_index((table,))), TEXTS)


def test_edited_table_gets_a_new_key_and_is_rebuilt(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    table = _table(tmp_path, ROWS)
    old_key = index_key((table,))
    load_index((table,), root)
    table = _table(tmp_path, [*ROWS, "DEU\tde\tDeutschland\tname\t\ttest"])
    new_key = index_key((table,))
    assert new_key != old_key
    index = load_index((table,), root)
    assert "deutschland" in index
    assert cache_file(new_key, root).is_file() and cache_file(old_key, root).is_file()
    found = [m.country for m in Matcher(index).find(TEXTS[1])]
    assert "DEU" in found


@pytest.mark.parametrize(
    "content",
    [
        '{"format": "diplostance-country-index-1", "key": "',  # truncated
        '{"format": "diplostance-country-index-1", "key": "0000", "sets": [], "index": []}',  # stale key
        '{"format": "diplostance-country-index-1", "key": "KEY", "sets": [], "index": [["x", [[1]]]]}',
        "[1, 2, 3]",
    ],
)
def test_corrupt_or_stale_file_is_rebuilt_with_a_warning(
    tmp_path: Path, content: str, caplog: pytest.LogCaptureFixture
) -> None:
    table = _table(tmp_path, ROWS)
    root = tmp_path / "cache"
    key = index_key((table,))
    file = cache_file(key, root)
    file.parent.mkdir(parents=True)
    file.write_text(content.replace("KEY", key), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="inference.countries.index_cache"):
        index = load_index((table,), root)
    assert any("rebuilding" in r.getMessage() and str(file) in r.getMessage() for r in caplog.records)
    assert index == build_index((table,))
    assert from_json(file.read_text(encoding="utf-8"), key) == index  # rewritten whole


def test_disabled_cache_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIPLOSTANCE_COUNTRY_CACHE", "0")
    table = _table(tmp_path, ROWS)
    root = tmp_path / "cache"
    assert load_index((table,), root) == build_index((table,))
    assert not root.exists()


def test_unwritable_cache_folder_still_loads(tmp_path: Path) -> None:
    table = _table(tmp_path, ROWS)
    root = tmp_path / "blocked"
    root.write_text("a file where the cache folder would be", encoding="utf-8")
    assert load_index((table,), root) == build_index((table,))


def test_head_regexes_compiled_only_for_first_characters_met(tmp_path: Path) -> None:
    table = _table(tmp_path, ROWS)
    lazy = Matcher(build_index((table,)))
    assert lazy.heads == {}
    lazy.find("Russia")
    assert set(lazy.heads) == {"r"}
    eager = Matcher(build_index((table,)))
    for first in eager.head_rests:
        eager._head_regex(first)
    assert set(eager.heads) == set(eager.head_rests)
    assert _finds(lazy, TEXTS) == _finds(eager, TEXTS)
