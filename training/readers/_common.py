"""Helpers shared by the readers: path checks, line iteration, TSV fields, span relocation."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol

from training.examples import BadRow


class Mention(Protocol):
    country: str
    start: int
    end: int


Finder = Callable[..., Iterable[Mention]]  # finder(text, lang=lang): the country mentions of a text


def default_finder() -> Finder:
    """``inference.countries.find_countries`` (imported when first needed)."""
    from inference.countries import find_countries

    return find_countries


PATH_HINT = "check the data.sources[*].path setting, and that ../shared sits beside the checkout"


def require_path(path: str | Path, what: str) -> Path:
    """``path`` as a Path; FileNotFoundError naming it (and the usual cause) if it does not exist."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{what} data not found at {p} (resolved: {p.resolve()}); {PATH_HINT}")
    return p


def iter_lines(path: Path, source: str, bad: list[BadRow]) -> Iterator[tuple[int, str]]:
    """``(1-based line number, line)`` for every line of ``path``, without its ``\\n`` / ``\\r\\n``.

    Splits on ``\\n`` only (never on U+2028 and friends, which may sit inside a sentence). A line
    that is not valid UTF-8 becomes a BadRow. The empty string after a final newline is not a line.
    """
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    chunks = data.split(b"\n")
    if chunks and chunks[-1] == b"":
        chunks.pop()
    for number, chunk in enumerate(chunks, start=1):
        if chunk.endswith(b"\r"):
            chunk = chunk[:-1]
        try:
            line = chunk.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad.append(
                BadRow(source, str(path), number, f"not valid UTF-8 ({exc.reason} at byte {exc.start})")
            )
            continue
        yield number, line


def split_tsv(line: str) -> list[str]:
    """The tab-separated fields of one line, undoing CSV quoting.

    The shipped TSVs were written by a CSV writer: a field containing a double quote is wrapped in
    quotes with inner quotes doubled (``a "b" c`` is written ``"a ""b"" c"``), and offsets (RuSentNE)
    refer to the unquoted text. Raises ValueError on a malformed quoted field.
    """
    try:
        return next(csv.reader([line], delimiter="\t", quotechar='"', strict=True))
    except csv.Error as exc:
        raise ValueError(f"malformed quoting ({exc})") from None


def check_header(path: Path, first: tuple[int, str] | None, expected: list[str]) -> None:
    """Raise ValueError unless the first line of ``path`` is the tab-separated ``expected`` header."""
    got = None if first is None else first[1].split("\t")
    if got != expected:
        raise ValueError(f"{path}: expected the header {'<TAB>'.join(expected)!r}, got {got!r}")


def relocate(text: str, mention: str, start: int, window: int = 50) -> int | None:
    """The start of the occurrence of ``mention`` in ``text`` closest to ``start`` (within ``window``)."""
    if not mention:
        return None
    best: int | None = None
    pos = text.find(mention, max(0, start - window))
    while pos != -1 and pos <= start + window:
        if best is None or abs(pos - start) < abs(best - start):
            best = pos
        pos = text.find(mention, pos + 1)
    return best


def parse_int(value: object) -> int | None:
    """``value`` as an int if it is an int (not a bool) or an integral string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None
