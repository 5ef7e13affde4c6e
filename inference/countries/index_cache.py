"""A prebuilt copy of the country index (:func:`table.build_index`), so a run skips the build.

Building the index reads the alias tables and expands every alias into its inflected stems: about
a second of CPU at every start of ``diplostance score``, more than the rest of the matcher. The first
build writes the result as JSON (never pickle) to

    <diplostance cache>/countries/index-<key>.json

(``$DIPLOSTANCE_CACHE``, default ``~/.cache/diplostance``; see :func:`inference.encoder.cache_dir`).
``key`` hashes the alias tables' contents, the source of the modules that turn them into the index
(``table``, ``inflect``, ``inflect_more``, ``normalize``, ``codes`` and this one) and the Unicode
version of ``unicodedata``, so an edited table or rule gets a new file and a stale one is never read.
A file that cannot be read or does not hold that key is rebuilt with a logged warning. Set
``DIPLOSTANCE_COUNTRY_CACHE=0`` to always build in memory (nothing is written); a cache folder that
cannot be written is skipped with a log line.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from ..cache_files import cache_enabled as cache_switch
from ..cache_files import replace_atomically
from .table import TABLES, Entry, build_index

logger = logging.getLogger(__name__)

FORMAT = "diplostance-country-index-1"
HERE = Path(__file__).parent
# The modules whose code decides the index built from the tables.
SOURCES: tuple[str, ...] = (
    "table.py",
    "inflect.py",
    "inflect_more.py",
    "normalize.py",
    "codes.py",
    "index_cache.py",
)


def cache_enabled() -> bool:
    return cache_switch("DIPLOSTANCE_COUNTRY_CACHE")


def index_key(paths: tuple[Path, ...] = TABLES) -> str:
    """Hex key of the tables ``paths`` (contents and order), the index code and the Unicode version."""
    digest = hashlib.sha256(f"{FORMAT}\0{unicodedata.unidata_version}\0".encode())
    for path in paths:
        digest.update(f"table\0{path.name}\0".encode())
        digest.update(path.read_bytes())
    for name in SOURCES:
        digest.update(f"source\0{name}\0".encode())
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()[:24]


def cache_file(key: str, root: Path | None = None) -> Path:
    from ..encoder import cache_dir

    return (root or cache_dir()) / "countries" / f"index-{key}.json"


def to_json(index: dict[str, list[Entry]], key: str) -> str:
    """``index`` as JSON text: its stems in order, each entry a list, the string sets shared."""
    sets: dict[frozenset[str], int] = {}
    stems = []
    for stem, entries in index.items():
        rows = []
        for e in entries:
            flags = sets.setdefault(e.flags, len(sets))
            endings = sets.setdefault(e.endings, len(sets))
            rows.append(
                [
                    e.countries,
                    e.seg_lens,
                    e.lang,
                    e.kind,
                    e.case,
                    flags,
                    endings,
                    e.tail_in_span,
                    e.order,
                    e.alias,
                ]
            )
        stems.append([stem, rows])
    doc = {"format": FORMAT, "key": key, "sets": [sorted(s) for s in sets], "index": stems}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def from_json(text: str, key: str) -> dict[str, list[Entry]]:
    """The index of :func:`to_json` text; ``ValueError`` if it is not one or holds another key."""
    doc = json.loads(text)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    if doc.get("key") != key:
        raise ValueError(f"key {doc.get('key')!r}, expected {key!r}")
    sets = [frozenset(s) for s in doc["sets"]]
    index: dict[str, list[Entry]] = {}
    for stem, rows in doc["index"]:
        index[stem] = [
            Entry(tuple(c), tuple(s), lang, kind, case, sets[f], sets[en], bool(tail), order, alias)
            for c, s, lang, kind, case, f, en, tail, order, alias in rows
        ]
    return index


def _read(file: Path, key: str) -> dict[str, list[Entry]] | None:
    if not file.is_file():
        return None
    try:
        return from_json(file.read_text(encoding="utf-8"), key)
    except (OSError, ValueError, TypeError, KeyError, IndexError) as err:  # truncated, foreign, edited
        logger.warning("ignoring country index cache %s (%s); rebuilding it", file, err)
        return None


def _write(file: Path, text: str) -> None:
    try:
        replace_atomically(file, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as err:
        logger.info("could not cache the country index at %s (%s); it is built at every start", file, err)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: building the index allocates ~10^5 objects, none of them
    garbage, and the collections they trigger (each scanning every live object, torch's included)
    cost more than the build itself."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_index(paths: tuple[Path, ...] = TABLES, root: Path | None = None) -> dict[str, list[Entry]]:
    """:func:`build_index` of ``paths``, read from the cache when it holds this key (written if not)."""
    if not cache_enabled():
        return build_index(paths)
    key = index_key(paths)
    file = cache_file(key, root)
    index = _read(file, key)
    if index is None:
        index = build_index(paths)
        _write(file, to_json(index, key))
    return index


__all__ = ["cache_enabled", "cache_file", "from_json", "gc_paused", "index_key", "load_index", "to_json"]
