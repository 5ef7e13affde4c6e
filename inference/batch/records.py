"""Validation: a pure step from a raw record to a valid record or an error row.

Rules (each failure is an error row with the reason in quotes):

- the record could not be read: the reader's reason ("invalid JSON: ...", "invalid UTF-8 ...");
- id missing, null or empty: "missing id ..."; not a string or integer: "id is not a string or integer ...";
- text field missing: "missing text field ..."; null: "text is null"; not a string: "text is not a string ...";
  empty or only whitespace: "empty text" (so that ``read == scored + failed`` stays exact);
  longer than ``max_chars``: "text too long ..."; containing NUL characters: "text contains NUL ...";
- any field with invalid UTF-8 or lone surrogates: "invalid UTF-8/Unicode in field ...".

Duplicate ids are not decided here (they need the ids seen before, see ``local.py``).
Pass-through fields are kept as strings: numbers and other JSON values are written as JSON
text; an empty ``lang`` means "not given". ``date`` is parsed (``dates.parse_date``) to a
``datetime.date``; a value that does not parse keeps its text in ``date_raw``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inference.batch.dates import parse_date
from inference.batch.html_text import prepare_text
from inference.batch.languages import language_fields
from inference.batch.readers import RawRecord


@dataclass(frozen=True, slots=True)
class ValidRecord:
    seq: int
    source: str
    line: int | None
    id: str
    text: str
    lang: str | None
    extra: dict[
        str, Any
    ]  # pass-through fields (``date`` parsed, plus ``date_raw``), language, language_covered
    date_status: str | None = None  # "parsed" | "unparsed" | "missing"; None without a date field


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    seq: int
    source: str
    line: int | None
    id: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "line": self.line, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    id_field: str = "id"
    text_field: str = "text"
    passthrough: tuple[str, ...] = ("lang", "date", "title")
    lang: str | None = None  # language of records that do not name one
    max_chars: int = 5_000_000
    date_format: str | None = None  # strptime pattern for ambiguous dates (--date-format)
    text_format: str = "auto"  # "text" | "html" | "auto" (HTML when it obviously is; html_text.py)


def _bad_unicode(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _as_str(value: Any, what: str) -> str | None:
    """A pass-through or id value as text; raises ValueError for invalid Unicode."""
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"invalid UTF-8/Unicode in field {what!r}") from None
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    if _bad_unicode(value):
        raise ValueError(f"invalid UTF-8/Unicode in field {what!r}")
    return value


def _record_id(data: dict[str, Any], opts: ValidateOptions) -> str:
    value = data.get(opts.id_field)
    if value is None or (isinstance(value, str) and not value.strip()):
        state = "absent" if opts.id_field not in data else "null" if value is None else "empty"
        raise ValueError(
            f"missing id: field {opts.id_field!r} is {state}; set id_field (--id-field) if ids live elsewhere"
        )
    if isinstance(value, bool) or not isinstance(value, str | int | bytes):
        raise ValueError(f"id is not a string or integer (got {type(value).__name__}: {str(value)[:40]!r})")
    result = _as_str(value, opts.id_field)
    if result is None:  # pragma: no cover - excluded above
        raise ValueError("missing id")
    return result


def _record_text(data: dict[str, Any], opts: ValidateOptions) -> str:
    if opts.text_field not in data:
        raise ValueError(
            f"missing text field {opts.text_field!r}; set text_field (--text-field) if the text lives elsewhere"
        )
    value = data[opts.text_field]
    if value is None:
        raise ValueError("text is null")
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(f"invalid UTF-8 in field {opts.text_field!r} at byte {err.start}") from None
    if not isinstance(value, str):
        raise ValueError(f"text is not a string (got {type(value).__name__})")
    if not value.strip():
        raise ValueError("empty text")
    if len(value) > opts.max_chars:
        raise ValueError(f"text too long: {len(value)} characters > max_chars {opts.max_chars}")
    if "\x00" in value:
        raise ValueError("text contains NUL characters (binary data?)")
    if _bad_unicode(value):
        raise ValueError(f"invalid UTF-8/Unicode in field {opts.text_field!r}")
    return value


def validate(raw: RawRecord, seq: int, opts: ValidateOptions) -> ValidRecord | ErrorRecord:
    """Turn one raw record into a valid record or an error row; never raises on bad data."""
    data = raw.data or {}
    record_id: str | None = None
    try:
        record_id = _record_id(data, opts)
    except ValueError as err:
        if raw.error is None:
            return ErrorRecord(seq, raw.source, raw.line, None, str(err))
    if raw.error is not None:
        return ErrorRecord(seq, raw.source, raw.line, record_id, raw.error)
    if record_id is None:  # pragma: no cover - returned above
        raise RuntimeError("unreachable")
    try:
        text = _record_text(data, opts)
        if opts.text_format != "text":
            text = prepare_text(text, opts.text_format)
            if not text.strip():
                raise ValueError("empty text (nothing left once the HTML markup is removed)")
        extra = {name: _as_str(data.get(name), name) for name in opts.passthrough}
    except ValueError as err:
        return ErrorRecord(seq, raw.source, raw.line, record_id, str(err))
    lang = extra.get("lang") or opts.lang
    try:
        extra.update(language_fields(text, lang))
    except ValueError as err:
        return ErrorRecord(seq, raw.source, raw.line, record_id, f"field 'lang': {err}")
    status = None
    if "date" in opts.passthrough:
        raw_date = extra.get("date")
        parsed, status = parse_date(raw_date, opts.date_format)
        extra["date"], extra["date_raw"] = parsed, (raw_date if status == "unparsed" else None)
    return ValidRecord(seq, raw.source, raw.line, record_id, text, lang, extra, status)


def to_columns(records: list[ValidRecord], passthrough: tuple[str, ...]) -> dict[str, list[Any]]:
    """A columnar batch (the input of ``core.score_batch``) from valid records.

    Columns: ``id``, ``text``, ``lang`` (the record's language, else the default), then the
    other pass-through fields (``passthrough``: the output fields, ``date_raw`` included).
    """
    columns: dict[str, list[Any]] = {"id": [r.id for r in records], "text": [r.text for r in records]}
    columns["lang"] = [r.lang for r in records]
    for name in passthrough:
        if name != "lang":
            columns[name] = [r.extra.get(name) for r in records]
    return columns
