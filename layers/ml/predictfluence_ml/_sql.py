"""Set-based reads and writes: a query's rows as one text value (`read_columns`), and PostgreSQL COPY
through pg8000's `stream` argument (`copy_rows`)."""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

# The ASCII unit separator: text columns hold no control characters (the ETL refuses them); a value that
# does hold one is noticed (the value count is off) and the rows are read one by one instead.
SEPARATOR = "\x1f"


@dataclass
class Columns:
    """A query's rows by column: the first column as int64 ids, then text columns, then float64 numbers."""

    ids: np.ndarray  # int64 (n,)
    text: np.ndarray  # object (n, n_text - 1)
    numbers: np.ndarray  # float64 (n, columns - n_text); NULL → nan


def read_columns(
    conn: sa.Connection,
    head: str,
    columns: Sequence[str],
    tail: str,
    order: int,
    params: dict[str, Any],
    n_text: int,
    as_rows: bool = False,
) -> Columns:
    """`{head} SELECT {columns} {tail}` sorted by its first `order` columns: an integer id, n_text − 1
    text columns (not NULL), the rest numbers. Read as one value — every row's columns as text (NULL
    numbers → 'NaN') joined by SEPARATOR, the rows in one ordered string_agg — and split here: pg8000
    parses one value instead of a row of objects per row (and no Decimal per numeric value). A column's
    text is what pg8000 itself receives for it (float8's shortest exact form, numeric's digits), parsed
    with correct rounding as pg8000's float() / float(Decimal) is: the same floats. `as_rows`: the rows
    one by one through the driver (the reference)."""
    select = ", ".join(f"{c} AS c{k}" for k, c in enumerate(columns))
    by = ", ".join(f"c{k}" for k in range(order))
    if as_rows:
        sql = f"{head} SELECT {select} {tail} ORDER BY {by}"
        return _from_rows(conn.execute(sa.text(sql), params).all(), n_text, len(columns))
    texts = [f"c{k}::text" for k in range(n_text)] + [
        f"coalesce(c{k}::text, 'NaN')" for k in range(n_text, len(columns))
    ]
    # the caller's fixed fragments (no values: those are bound parameters)
    sql = (f"{head} SELECT count(*), string_agg(concat_ws(:pf_sep, {', '.join(texts)}), :pf_sep ORDER BY {by}) "  # noqa: S608
           f"FROM (SELECT {select} {tail}) AS q")  # fmt: skip
    n, joined = conn.execute(sa.text(sql), {**params, "pf_sep": SEPARATOR}).one()
    width = len(columns)
    values = joined.split(SEPARATOR) if n else []
    if len(values) != n * width:  # a text value held the separator, or was NULL (concat_ws skips it)
        return read_columns(conn, head, columns, tail, order, params, n_text, as_rows=True)
    numbers = np.empty((n, width - n_text), dtype=np.float64)
    for k in range(n_text, width):
        numbers[:, k - n_text] = np.array(values[k::width], dtype=np.float64)
    text = np.empty((n, n_text - 1), dtype=object)
    for k in range(1, n_text):
        text[:, k - 1] = values[k::width]
    return Columns(np.array(values[0::width], dtype=np.int64), text, numbers)


def _from_rows(rows: Sequence[Sequence[Any]], n_text: int, width: int) -> Columns:
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    text = np.empty((len(rows), n_text - 1), dtype=object)
    if rows:
        text[:] = [r[1:n_text] for r in rows]
    numbers = np.array([r[n_text:] for r in rows], dtype=np.float64).reshape(
        len(rows), width - n_text
    )  # None → nan
    return Columns(ids, text, numbers)


_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def copy_rows(conn: sa.Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY `rows` into `table` (CSV; None → NULL) inside the connection's transaction."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    if count == 0:
        return 0
    cols = ", ".join(_ident(c) for c in columns)
    statement = f"COPY {_ident(table)} ({cols}) FROM STDIN WITH (FORMAT csv)"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, stream=io.BytesIO(buf.getvalue().encode("utf-8")))
    finally:
        cursor.close()
    return count


# PostgreSQL's binary COPY: signature, flags, header extension length; a tuple is its field count (int16)
# then per field its length (int32; -1 = NULL) and bytes (big-endian int8 / float8, text as UTF-8)
_BINARY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_BINARY_TRAILER = struct.pack(">h", -1)
_NULL = struct.pack(">i", -1)
_FIXED = {"i": (">i8", np.int64, struct.Struct(">iq")), "f": (">f8", np.float64, struct.Struct(">id"))}


def copy_binary(
    conn: sa.Connection, table: str, columns: Sequence[str], kinds: str, rows: Sequence[Sequence[Any]]
) -> int:
    """copy_rows in PostgreSQL's binary format: `kinds` has one letter per column — i (bigint), f (double
    precision), s (text; "" is NULL as in the CSV). The numbers travel as their 8 bytes (no text to write and parse: the same
    values as copy_rows' CSV, whose floats are their shortest round-trip repr); runs of i / f columns are
    packed for every row at once by numpy, NULL numbers row by row."""
    if len(kinds) != len(columns):
        raise ValueError("one kind per column")
    if not rows:
        return 0
    by_column = list(zip(*rows, strict=True))
    pieces: list[list[bytes]] = []
    start = 0
    while start < len(kinds):
        if kinds[start] == "s":
            # None and "" are NULL, as in copy_rows' CSV (an unquoted empty field)
            pieces.append([_NULL if v is None or v == "" else _text(v) for v in by_column[start]])
            start += 1
            continue
        stop = start
        while stop < len(kinds) and kinds[stop] != "s":
            stop += 1
        pieces.append(
            _fixed_run(kinds[start:stop], by_column[start:stop], first=start == 0, width=len(kinds))
        )
        start = stop
    if kinds[0] == "s":
        pieces.insert(0, [struct.pack(">h", len(kinds))] * len(rows))
    body = b"".join(b"".join(row) for row in zip(*pieces, strict=True))
    statement = (
        f"COPY {_ident(table)} ({', '.join(_ident(c) for c in columns)}) FROM STDIN WITH (FORMAT binary)"
    )
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement, stream=io.BytesIO(_BINARY_HEADER + body + _BINARY_TRAILER))
    finally:
        cursor.close()
    return len(rows)


def _text(value: Any) -> bytes:
    data = str(value).encode("utf-8")
    return struct.pack(">i", len(data)) + data


def _fixed_run(kinds: str, columns: Sequence[Sequence[Any]], first: bool, width: int) -> list[bytes]:
    """Each row's bytes of consecutive i / f columns (led by the tuple's field count when `first`)."""
    fields = [("count", ">i2")] if first else []
    for k, kind in enumerate(kinds):
        fields += [(f"len{k}", ">i4"), (f"v{k}", _FIXED[kind][0])]
    packed = np.empty(len(columns[0]), dtype=fields)
    if first:
        packed["count"] = width
    nulls = np.zeros(len(packed), dtype=bool)
    for k, (kind, values) in enumerate(zip(kinds, columns, strict=True)):
        missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
        nulls |= missing
        packed[f"len{k}"] = 8
        packed[f"v{k}"] = np.array([0 if v is None else v for v in values] if missing.any() else values,
                                   dtype=_FIXED[kind][1])  # fmt: skip
    size = packed.dtype.itemsize
    data = packed.tobytes()
    out = [data[i : i + size] for i in range(0, len(data), size)]
    for i in np.flatnonzero(nulls).tolist():  # a NULL has no value bytes: this row's fields one by one
        fields_of_row = [
            _NULL if v[i] is None else _FIXED[kind][2].pack(8, v[i])
            for kind, v in zip(kinds, columns, strict=True)
        ]
        out[i] = b"".join(([struct.pack(">h", width)] if first else []) + fields_of_row)
    return out
