"""ETL load records (table etl_load, written by the ETL; etl_load_progress while a load runs)."""

from __future__ import annotations

from typing import Any, Protocol

from predictfluence.queries.common import one
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Page, Where, page_of

# `error` is read bounded (old rows can hold a whole SQLAlchemy message with statement and bound rows); the
# API clips it further to one short line (predictfluence.api.schemas.uploads.public_error).
_ERROR_READ_CHARS = 2_000
# A running load's progress row (etl_jobs.progress) counts while it was written in the last 15 minutes (a
# Lambda's longest run): a row left behind by a killed run stops counting then.
_LIVE_MINUTES = 15
_COLUMNS = ("id, file_key, kind, status, rows_in, rows_loaded, rows_rejected, rows_processed, error, report_key, "
            "started_at, finished_at")
# Every load as the API shows it: the committed `etl_load` rows, and the loads running now from their progress
# rows — a new load (its `etl_load` row is not committed yet) or a re-run of a committed one (its row still
# holds the previous run until the re-run commits). `rows_processed`: so far while processing, else rows_in.
_LOADS = f"""(
    WITH live AS (SELECT load_id, file_key, kind, rows_processed, started_at FROM etl_load_progress
                  WHERE updated_at > now() - interval '{_LIVE_MINUTES} minutes')
    SELECT l.id, l.file_key, l.kind, CASE WHEN r.rows_processed IS NULL THEN l.status ELSE 'processing' END AS status,
           l.rows_in, l.rows_loaded, l.rows_rejected,
           coalesce(r.rows_processed, CASE WHEN l.status = 'processing' THEN 0 ELSE l.rows_in END) AS rows_processed,
           left(l.error, {_ERROR_READ_CHARS}) AS error, l.report_key, l.started_at, l.finished_at
    FROM etl_load l
    LEFT JOIN LATERAL (SELECT p.rows_processed FROM live p WHERE p.load_id = l.id
                       AND (l.finished_at IS NULL OR l.finished_at < p.started_at)) r ON true
    UNION ALL
    SELECT p.load_id, p.file_key, p.kind, 'processing', 0, 0, 0, p.rows_processed, NULL, NULL, p.started_at, NULL
    FROM live p WHERE NOT EXISTS (SELECT 1 FROM etl_load l WHERE l.id = p.load_id)
) AS loads"""  # noqa: S608 - built from constants


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
    return page_of(_COLUMNS, _LOADS, where, f, "ORDER BY started_at DESC, id DESC")


def get_load(load_id: int) -> dict[str, Any]:
    found = one(f"SELECT {_COLUMNS} FROM {_LOADS} WHERE id = :id", {"id": load_id})  # noqa: S608
    if found is None:
        raise NotFound("etl load", load_id)
    return found
