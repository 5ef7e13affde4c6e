"""The column layout shared by the per-sentence output parts (stances.parquet, dyads.parquet)."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

MENTION = pa.struct([("start", pa.int64()), ("end", pa.int64())])
# Pass-through columns with a type of their own (every other one is a string).
PASSTHROUGH_TYPES: dict[str, pa.DataType] = {"date": pa.date32(), "language_covered": pa.bool_()}


def passthrough_fields(passthrough: Sequence[str]) -> list[pa.Field]:
    """The pass-through columns' fields: ``date`` is a date, ``language_covered`` a bool, every other
    one a string."""
    return [pa.field(name, PASSTHROUGH_TYPES.get(name, pa.string())) for name in passthrough]


def sentence_row_schema(
    passthrough: Sequence[str], fields: Sequence[pa.Field], prob_columns: Sequence[str]
) -> pa.Schema:
    """A per-sentence output part: id, the pass-through columns, where the sentence is, ``fields``, then
    one float32 column per probability (stances.parquet and dyads.parquet share this layout)."""
    out = [pa.field("id", pa.string(), nullable=False)]
    out += passthrough_fields(passthrough)
    out += [
        pa.field("sentence_index", pa.int32()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("sentence", pa.string()),
        *fields,
    ]
    out += [pa.field(name, pa.float32()) for name in prob_columns]
    return pa.schema(out)
