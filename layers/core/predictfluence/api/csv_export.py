"""CSV exports: a body written chunk by chunk from row chunks (a server-side cursor in
predictfluence.queries.exports), every text cell neutralised for spreadsheets.

A Chalice / Lambda response is one body, so "streamed" here means: rows are fetched a chunk at a time
and each chunk is encoded to CSV bytes at once; no list of row dicts is ever built, so memory is the
CSV bytes plus one chunk of rows (bench/export.py measures it against reading the rows into memory).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from chalice import Response

from predictfluence.spreadsheet import neutralise


def cell(value: Any) -> Any:
    """A CSV cell: text neutralised (numbers that are data keep their sign), None empty, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value, numbers_are_data=True)
    return value


def csv_text(header: Sequence[str], chunks: Iterable[Iterable[Sequence[Any]]]) -> str:
    """The CSV (header first, CRLF line ends) of the rows in `chunks`, written one chunk at a time: each
    chunk becomes one string, and the strings are joined once at the end."""
    parts: list[str] = []
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for chunk in chunks:
        writer.writerows([cell(v) for v in row] for row in chunk)
        parts.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    parts.append(buffer.getvalue())
    return "".join(parts)


def csv_response(filename: str, header: Sequence[str], chunks: Iterable[Iterable[Sequence[Any]]]) -> Response:
    """A 200 text/csv download named `filename`."""
    return Response(
        body=csv_text(header, chunks),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
