"""ETL load records (table etl_load, written by the ETL)."""

from __future__ import annotations

from typing import Any

from predictfluence.queries.common import one, rows
from predictfluence.queries.filters import Where

# `error` is read bounded (old rows can hold a whole SQLAlchemy message with statement and bound rows); the
# API clips it further to one short line (predictfluence.api.schemas.uploads.public_error).
_ERROR_READ_CHARS = 2_000
_COLUMNS = (f"id, file_key, kind, status, rows_in, rows_loaded, rows_rejected, left(error, {_ERROR_READ_CHARS}) "
            "AS error, report_key, started_at, finished_at")


def list_loads(*, status: str | None = None, kind: str | None = None, page: int = 1,
               page_size: int = 50) -> tuple[list[dict[str, Any]], int]:
    where = Where().optional("status = :status", status=status).optional("kind = :kind", kind=kind)
    where_sql = where.sql()
    params = {**where.params, "limit": page_size, "offset": (page - 1) * page_size}
    total = int(one(f"SELECT count(*) AS n FROM etl_load {where_sql}", params)["n"])  # type: ignore[index]  # noqa: S608
    found = rows(f"SELECT {_COLUMNS} FROM etl_load {where_sql} ORDER BY started_at DESC, id DESC "  # noqa: S608
                 "LIMIT :limit OFFSET :offset", params)
    return found, total


def get_load(load_id: int) -> dict[str, Any] | None:
    return one(f"SELECT {_COLUMNS} FROM etl_load WHERE id = :id", {"id": load_id})  # noqa: S608
