"""ETL load records (table etl_load, written by the ETL)."""

from __future__ import annotations

from typing import Any, Protocol

from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Page, Where, page_params

# `error` is read bounded (old rows can hold a whole SQLAlchemy message with statement and bound rows); the
# API clips it further to one short line (predictfluence.api.schemas.uploads.public_error).
_ERROR_READ_CHARS = 2_000
_COLUMNS = (f"id, file_key, kind, status, rows_in, rows_loaded, rows_rejected, left(error, {_ERROR_READ_CHARS}) "
            "AS error, report_key, started_at, finished_at")


class LoadFilter(Page, Protocol):
    """What `list_loads` reads (the API passes its validated LoadListQuery)."""

    status: str | None
    kind: str | None


class _AllLoads:
    status = kind = None
    page, page_size = 1, 50


def list_loads(filters: LoadFilter | None = None) -> tuple[list[dict[str, Any]], int]:
    """One page of loads, newest first, and the total matching the filters."""
    f = filters or _AllLoads()
    where = Where().optional("status = :status", status=f.status).optional("kind = :kind", kind=f.kind)
    where_sql = where.sql()
    params = {**where.params, **page_params(f)}
    total = int(one(f"SELECT count(*) AS n FROM etl_load {where_sql}", params)["n"])  # type: ignore[index]  # noqa: S608
    found = rows(f"SELECT {_COLUMNS} FROM etl_load {where_sql} ORDER BY started_at DESC, id DESC "  # noqa: S608
                 "LIMIT :limit OFFSET :offset", params)
    return found, total


def get_load(load_id: int) -> dict[str, Any]:
    found = one(f"SELECT {_COLUMNS} FROM etl_load WHERE id = :id", {"id": load_id})  # noqa: S608
    if found is None:
        raise NotFound("etl load", load_id)
    return found
