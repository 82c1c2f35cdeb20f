"""Set-based writes: PostgreSQL COPY through pg8000's `stream` argument."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

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
