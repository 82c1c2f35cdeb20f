"""Rows processed so far by the running load, for `GET /etl/loads` and the Data page (issue 13.9).

A load's `etl_load` row and every data row are written in ONE transaction (etl_jobs.pipeline), invisible to
everyone else until the commit. So progress goes through a second connection, one short transaction per
write, into `etl_load_progress` (one row per running load, keyed by the load's id): written when the load
has its id, updated once per chunk or batch a loader reports (`report`: the COPY feed's 1 MiB blocks, the
fast metrics path's chunks, the profiles kind's batches — never per row), and deleted once the load's
transaction has ended. Progress is best effort: a failure to write it is logged once and never fails the load.

Loaders call `report(rows_processed)`; it does nothing outside a load (the loader tests, the CLI preview).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

_UPSERT = sa.text(
    "INSERT INTO etl_load_progress (load_id, file_key, kind, rows_processed) VALUES (:id, :key, :kind, :rows) "
    "ON CONFLICT (load_id) DO UPDATE SET rows_processed = excluded.rows_processed, updated_at = now()"
)
_DELETE = sa.text("DELETE FROM etl_load_progress WHERE load_id = :id")

_current: ContextVar[Progress | None] = ContextVar("etl_progress", default=None)


def report(rows_processed: int) -> None:
    """The running load has processed `rows_processed` data rows (cumulative)."""
    progress = _current.get()
    if progress is not None:
        progress.update(rows_processed)


class Progress:
    """The progress row of one load. `start(load_id)` once the load has its id (inside its transaction),
    `close()` after that transaction has committed or rolled back."""

    def __init__(self, engine: Engine, key: str, kind: str) -> None:
        self.engine = engine
        self.key = key
        self.kind = kind[:32]
        self.load_id: int | None = None
        self.rows = 0
        self._conn: Connection | None = None
        self._token: Token[Progress | None] | None = None

    def start(self, load_id: int) -> None:
        self.load_id = load_id
        self._token = _current.set(self)
        try:
            self._conn = self.engine.connect()
        except Exception:  # noqa: BLE001 - best effort: the load goes on without progress
            log.warning("no progress for load %s: could not open a second connection", load_id, exc_info=True)
            return
        self._write(0)

    def update(self, rows_processed: int) -> None:
        if rows_processed > self.rows:
            self._write(rows_processed)

    def _write(self, rows_processed: int) -> None:
        if self._conn is None:
            return
        try:
            with self._conn.begin():  # committed at once, whatever the load's transaction does
                self._conn.execute(_UPSERT, {"id": self.load_id, "key": self.key, "kind": self.kind,
                                             "rows": rows_processed})
            self.rows = rows_processed
        except Exception:  # noqa: BLE001 - best effort, as above
            log.warning("progress of load %s not written; no more progress for it", self.load_id, exc_info=True)
            self._drop()

    def close(self) -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        if self._conn is not None:
            try:
                with self._conn.begin():
                    self._conn.execute(_DELETE, {"id": self.load_id})
            except Exception:  # noqa: BLE001 - a stale row is ignored by readers after a while
                log.warning("progress row of load %s not deleted", self.load_id, exc_info=True)
            self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                log.debug("closing the progress connection failed", exc_info=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
