"""CSV exports: a body written chunk by chunk from row chunks (a server-side cursor in
predictfluence.queries.exports), every text cell neutralised for spreadsheets.

A Chalice / Lambda response is one body, so "streamed" here means: rows are fetched a chunk at a time
and each chunk is encoded to CSV bytes at once; no list of row dicts is ever built, so memory is the
CSV bytes plus one chunk of rows (bench/export.py measures it against reading the rows into memory).

A Lambda response is at most 6 MB, so a list that can be large (influencer search results: up to
100,000 rows, ~14 MB) goes through `csv_export`: at most DIRECT_MAX_ROWS rows whose CSV stays under
DIRECT_MAX_BYTES are the response body; anything larger is written to the models bucket under
`exports/` by a streamed multipart upload fed chunk by chunk from the server-side cursor (memory: one
part, `predictfluence.storage.PART_BYTES`), and the answer is JSON (ExportLink) with a presigned GET
valid LINK_SECONDS. The bucket's lifecycle rule deletes exports after a day (infra/resources.json).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import secrets
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from chalice import Response

from predictfluence.api.schemas.exports import ExportLink
from predictfluence.config import get_settings
from predictfluence.spreadsheet import neutralise

DIRECT_MAX_ROWS = 10_000  # at most this many rows are answered in the body (~1.4 MB of influencer rows)
DIRECT_MAX_BYTES = 5_000_000  # ... and only while the CSV stays under this (Lambda's limit: 6 MB in all)
EXPORT_PREFIX = "exports/"  # in the models bucket; a lifecycle rule expires it after 1 day
LINK_SECONDS = 900  # life of the presigned GET of an export in S3
CSV_TYPE = "text/csv; charset=utf-8"


def cell(value: Any) -> Any:
    """A CSV cell: text neutralised (numbers that are data keep their sign), None empty, the rest as is."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value, numbers_are_data=True)
    return value


def csv_chunks(header: Sequence[str], chunks: Iterable[Iterable[Sequence[Any]]]) -> Iterator[bytes]:
    """The CSV (header first, CRLF line ends) of the rows in `chunks` as UTF-8 bytes, one piece per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for chunk in itertools.chain(chunks, [()]):
        writer.writerows([cell(v) for v in row] for row in chunk)
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()


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


def csv_export(filename: str, header: Sequence[str], total: int,
               chunks: Iterable[Iterable[Sequence[Any]]]) -> Response | ExportLink:
    """`total` rows (known before they are read) as a CSV download: the response body when small (see the
    module's docstring), else a file in S3 and an ExportLink to it (its `rows`: those written)."""
    written = [0]

    def counted() -> Iterator[Sequence[Sequence[Any]]]:
        for chunk in chunks:
            rows = list(chunk)
            written[0] += len(rows)
            yield rows

    encoded = csv_chunks(header, counted())
    if total <= DIRECT_MAX_ROWS:
        parts: list[bytes] = []
        size = 0
        for part in encoded:
            parts.append(part)
            size += len(part)
            if size > DIRECT_MAX_BYTES:  # long texts: too large for a body after all; the rest follows to S3
                encoded = itertools.chain(parts, encoded)
                break
        else:
            return Response(body=b"".join(parts).decode("utf-8"), status_code=200, headers={
                "Content-Type": CSV_TYPE,
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            })
    return _to_s3(filename, encoded, written)


def _to_s3(filename: str, encoded: Iterable[bytes], written: list[int]) -> ExportLink:
    from predictfluence import storage

    bucket = get_settings().models_bucket
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    key = f"{EXPORT_PREFIX}{day}/{secrets.token_hex(8)}-{filename}"
    size = storage.upload_stream(bucket, key, encoded, CSV_TYPE)
    return ExportLink(url=storage.presigned_get(bucket, key, filename, LINK_SECONDS), expires_in=LINK_SECONDS,
                      filename=filename, rows=written[0], bytes=size, bucket=bucket, key=key)
