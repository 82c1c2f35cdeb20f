"""Set-based reads and writes: a query's rows as one text value (`read_columns`), and PostgreSQL COPY
through pg8000's `stream` argument (`copy_rows`)."""

from __future__ import annotations

import csv
import io
import re
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
