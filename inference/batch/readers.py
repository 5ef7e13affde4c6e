"""Stream raw records out of input files, each with its source file and line number.

Readers never hold a whole file in memory and never raise on bad data: a line that is
not JSON, not UTF-8 or absurdly long becomes a :class:`RawRecord` with ``error`` set, so the
caller can list it in ``errors.jsonl``. Only problems with the *inputs as given* (a path
that does not exist, an unsupported suffix, a CSV/Parquet file without the id or text
column) raise, before anything is scored.

Supported inputs: JSON Lines (``.jsonl``, ``.ndjson``), CSV (``.csv``), each optionally
compressed (``.gz``, ``.zst``); Parquet (``.parquet``); a ``.txt`` file or a folder of
``.txt`` files (id = file name without ``.txt``, relative to the folder); a folder may hold
any of these (read in sorted path order; files of other types are skipped).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SUPPORTED = ".jsonl/.ndjson/.csv (optionally .gz or .zst), .parquet, .txt, or a folder of such files"
_TEXT_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read: ``data`` holds its fields, or ``error`` says why it could not be read.

    ``line`` is the 1-based line of the record in a JSONL/CSV file (the line it starts on),
    the 1-based row in a Parquet file, and ``None`` for a ``.txt`` file or a whole-file error.
    """

    source: str
    line: int | None
    data: dict[str, Any] | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class InputFile:
    path: Path
    format: str  # "jsonl" | "csv" | "parquet" | "txt"
    compression: str | None = None  # "gz" | "zst" | None
    txt_id: str | None = None  # id of a .txt file

    @property
    def source(self) -> str:
        return str(self.path)


@dataclass(slots=True)
class InputSpec:
    """One input as the user named it, expanded to the files it stands for."""

    path: Path
    kind: str  # "file" | "folder"
    files: list[InputFile] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReadOptions:
    id_field: str = "id"
    text_field: str = "text"
    passthrough: tuple[str, ...] = ("lang", "date", "title")
    max_line_bytes: int = 32 * 2**20

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys([self.id_field, self.text_field, *self.passthrough]))


class ReadPosition:
    """Bytes of input consumed so far (compressed bytes for .gz/.zst), for progress and ETA."""

    def __init__(self) -> None:
        self.done = 0
        self._current: IO[bytes] | None = None

    def bytes(self) -> int:
        if self._current is None or self._current.closed:
            return self.done
        try:
            return self.done + self._current.tell()
        except (OSError, ValueError):
            return self.done


def detect(path: Path) -> InputFile:
    """Format and compression of one file from its suffixes; raises ValueError if unsupported."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    compression = None
    if suffixes and suffixes[-1] in (".gz", ".zst"):
        compression = suffixes.pop()[1:]
    last = suffixes[-1] if suffixes else ""
    if last in _TEXT_FORMATS:
        return InputFile(path, _TEXT_FORMATS[last], compression)
    if compression is None and last == ".parquet":
        return InputFile(path, "parquet")
    if compression is None and last == ".txt":
        return InputFile(path, "txt", txt_id=path.stem)
    raise ValueError(f"unsupported input {str(path)!r}: expected {SUPPORTED}")


def _is_supported(path: Path) -> bool:
    try:
        detect(path)
    except ValueError:
        return False
    return True


def resolve_inputs(inputs: Sequence[str | os.PathLike[str]], opts: ReadOptions) -> list[InputSpec]:
    """Expand the inputs (folders to their supported files, sorted) and check the id and text
    fields: the header of CSV/Parquet files, the first records of JSONL files."""
    if not inputs:
        raise ValueError("no inputs given; pass at least one file or folder")
    specs: list[InputSpec] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _is_supported(p))
            if not files:
                raise ValueError(f"folder {str(path)!r} holds no input files; expected {SUPPORTED}")
            items = []
            for f in files:
                item = detect(f)
                if item.format == "txt":
                    item = InputFile(f, "txt", txt_id=f.relative_to(path).with_suffix("").as_posix())
                _check_columns(item, opts)
                items.append(item)
            specs.append(InputSpec(path, "folder", items))
        elif path.is_file():
            item = detect(path)
            _check_columns(item, opts)
            specs.append(InputSpec(path, "file", [item]))
        else:
            raise ValueError(f"input {str(path)!r} does not exist")
    return specs


# JSONL records looked at before scoring: if none of them has the text (or id) field, the run
# stops at once, as for a CSV header without the column.
PEEK_RECORDS = 20


def _jsonl_fields(item: InputFile, opts: ReadOptions, ordered: bool = False) -> list[Any]:
    """The field names (sets, or lists with ``ordered``) of the first ``PEEK_RECORDS`` JSON objects
    of a JSONL file."""
    found: list[Any] = []
    try:
        with _open(item) as (stream, _):
            for _, line in _lines(stream, opts.max_line_bytes):
                if line is None or not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError:
                    continue
                if isinstance(value, dict):
                    found.append(list(value) if ordered else set(value))
                if len(found) >= PEEK_RECORDS:
                    break
    except Exception:  # an unreadable file is reported as an error row by the reader
        return []
    return found


def discover_fields(specs: Sequence[InputSpec], opts: ReadOptions) -> list[str]:
    """Field names of the inputs other than the id and text fields, in order of first appearance:
    the CSV header, the Parquet schema, the keys of the first ``PEEK_RECORDS`` JSONL records."""
    names: dict[str, None] = {}
    for spec in specs:
        for item in spec.files:
            found: list[str] = []
            try:
                if item.format == "parquet":
                    import pyarrow.parquet as pq

                    found = pq.read_schema(item.path).names
                elif item.format == "csv":
                    with _open(item) as (stream, _):
                        first = stream.readline(opts.max_line_bytes).removeprefix(_BOM)
                    found = next(csv.reader([first.decode("utf-8", "replace")]), [])
                elif item.format == "jsonl":
                    found = [name for record in _jsonl_fields(item, opts, ordered=True) for name in record]
            except Exception:  # unreadable: the reader reports it as an error row
                continue
            names.update(dict.fromkeys(n for n in found if n not in (opts.id_field, opts.text_field)))
    return list(names)


def has_records(specs: Sequence[InputSpec], opts: ReadOptions) -> bool:
    """True if the inputs hold at least one record (read or unreadable)."""
    return next(iter_records(specs, opts), None) is not None


def _check_columns(item: InputFile, opts: ReadOptions) -> None:
    if item.format == "parquet":
        import pyarrow.parquet as pq

        try:
            found = pq.read_schema(item.path).names
        except Exception:  # an unreadable file is reported as an error row by the reader
            return
    elif item.format == "csv":
        try:
            with _open(item) as (stream, _):
                first = stream.readline(opts.max_line_bytes).removeprefix(_BOM)
            found = next(csv.reader([first.decode("utf-8", "replace")]), [])
        except Exception:
            return
    elif item.format == "jsonl":
        records = _jsonl_fields(item, opts)
        if not records:
            return
        missing = [c for c in (opts.id_field, opts.text_field) if not any(c in r for r in records)]
        if missing:
            names = sorted(set().union(*records))
            raise ValueError(
                f"{str(item.path)!r}: none of the first {len(records)} records has the field(s) {missing} "
                f"(fields found: {names}); set --id-field/--text-field (id_field=/text_field=) to the right names"
            )
        return
    else:
        return
    missing = [c for c in (opts.id_field, opts.text_field) if c not in found]
    if missing:
        raise ValueError(
            f"{str(item.path)!r}: expected columns {[opts.id_field, opts.text_field]}, found {found}; "
            "set --id-field/--text-field (id_field=/text_field=) to the right column names"
        )


@contextmanager
def _open(item: InputFile) -> Iterator[tuple[IO[bytes], IO[bytes]]]:
    """Open ``item`` for binary line reading; yields (decompressed stream, raw file)."""
    with open(item.path, "rb") as raw:
        if item.compression == "gz":
            with gzip.GzipFile(fileobj=raw) as stream:
                yield stream, raw
        elif item.compression == "zst":
            import zstandard

            reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
            with io.BufferedReader(reader, buffer_size=2**20) as stream:  # type: ignore[arg-type]
                yield stream, raw
        else:
            yield raw, raw


def iter_records(
    specs: Sequence[InputSpec], opts: ReadOptions, position: ReadPosition | None = None
) -> Iterator[RawRecord]:
    """All records of all inputs, in order. A file that fails mid-way ends with one error record."""
    position = position or ReadPosition()
    for spec in specs:
        for item in spec.files:
            if item.format == "txt":
                yield _read_txt(item, opts)
                position.done += _size(item.path)
                continue
            line = 0
            try:
                if item.format == "parquet":
                    for line, record in _read_parquet(item, opts):  # noqa: B007 (line used below)
                        yield record
                else:
                    with _open(item) as (stream, raw):
                        position._current = raw
                        reader = _read_jsonl if item.format == "jsonl" else _read_csv
                        for line, record in reader(item, stream, opts):  # noqa: B007
                            yield record
            except Exception as err:  # corrupt archive, truncated stream, unreadable file
                where = f"after line {line}" if line else "at start"
                yield RawRecord(
                    item.source, None, None, f"cannot read file {where}: {type(err).__name__}: {err}"
                )
            finally:
                position._current = None
                position.done += _size(item.path)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _lines(stream: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; a line longer than ``max_bytes`` is skipped in pieces and given as None."""
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        if number == 1:
            line = line.removeprefix(_BOM)
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:
                more = stream.readline(2**20)
                if not more or more.endswith(b"\n"):
                    break
            yield number, None
        else:
            yield number, line


def _read_jsonl(item: InputFile, stream: IO[bytes], opts: ReadOptions) -> Iterator[tuple[int, RawRecord]]:
    source = item.source
    for number, line in _lines(stream, opts.max_line_bytes):
        if line is None:
            yield number, RawRecord(source, number, None, f"line longer than {opts.max_line_bytes} bytes")
            continue
        if not line.strip():
            continue  # blank lines are not records
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as err:
            yield number, RawRecord(source, number, None, f"invalid UTF-8 at byte {err.start}")
            continue
        try:
            value = json.loads(text)
        except RecursionError:
            yield number, RawRecord(source, number, None, "invalid JSON: nested too deeply")
            continue
        except json.JSONDecodeError as err:
            yield number, RawRecord(source, number, None, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        except ValueError as err:  # e.g. an integer with too many digits
            yield number, RawRecord(source, number, None, f"invalid JSON: {err}")
            continue
        if not isinstance(value, dict):
            yield (
                number,
                RawRecord(
                    source, number, None, f"record is a JSON {type(value).__name__}, expected an object"
                ),
            )
            continue
        yield number, RawRecord(source, number, value)


def _read_csv(item: InputFile, stream: IO[bytes], opts: ReadOptions) -> Iterator[tuple[int, RawRecord]]:
    """CSV rows as records. Invalid UTF-8 is kept as surrogates and rejected by validation."""
    source = item.source
    too_long: list[int] = []

    def decoded() -> Iterator[str]:
        for number, line in _lines(stream, opts.max_line_bytes):
            if line is None:
                too_long.append(number)
                yield "\n"
            else:
                yield line.decode("utf-8", "surrogateescape")

    if csv.field_size_limit() < opts.max_line_bytes:
        csv.field_size_limit(opts.max_line_bytes)
    reader = csv.reader(decoded())
    header: list[str] | None = None
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            yield start, RawRecord(source, start, None, f"invalid CSV: {err}")
            start = reader.line_num + 1
            continue
        first, start = start, reader.line_num + 1
        if too_long:
            yield (
                first,
                RawRecord(
                    source, first, None, f"line {too_long[-1]} longer than {opts.max_line_bytes} bytes"
                ),
            )
            too_long.clear()
            continue
        if not row:
            continue
        if header is None:
            header = row
            continue
        if len(row) != len(header):
            yield (
                first,
                RawRecord(source, first, None, f"row has {len(row)} fields, the header has {len(header)}"),
            )
            continue
        data = {
            name: (value if value != "" or name == opts.text_field else None)
            for name, value in zip(header, row, strict=True)
        }
        yield first, RawRecord(source, first, data)


def _read_parquet(item: InputFile, opts: ReadOptions) -> Iterator[tuple[int, RawRecord]]:
    import pyarrow.parquet as pq

    source = item.source
    with pq.ParquetFile(item.path) as pf:
        names = set(pf.schema_arrow.names)
        columns = [c for c in opts.columns if c in names]
        number = 0
        for batch in pf.iter_batches(batch_size=64, columns=columns):
            for row in batch.to_pylist():
                number += 1
                yield number, RawRecord(source, number, row)


def _read_txt(item: InputFile, opts: ReadOptions) -> RawRecord:
    source = item.source
    try:
        size = item.path.stat().st_size
        if size > opts.max_line_bytes:
            return RawRecord(
                source, None, {opts.id_field: item.txt_id}, f"file larger than {opts.max_line_bytes} bytes"
            )
        data = item.path.read_bytes().removeprefix(_BOM)
    except OSError as err:
        return RawRecord(source, None, {opts.id_field: item.txt_id}, f"cannot read file: {err}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return RawRecord(source, None, {opts.id_field: item.txt_id}, f"invalid UTF-8 at byte {err.start}")
    return RawRecord(source, None, {opts.id_field: item.txt_id, opts.text_field: text})
