"""Writes of the `profiles` kind (etl_jobs.kinds.profiles): one statement per batch of parsed rows, run by a
thread of its own so that the loader parses the next batch while the database writes this one (issue 16.8).

The batch's rows travel as one JSON parameter; `jsonb_to_recordset` types them, the influencer upsert
returns the ids the snapshot upsert joins on. Both upserts write only rows whose values change: a reload
of the same profiles rewrites nothing and queues no rollup key. Batches are written one at a time, in the
file's order, on the load's own connection (inside its transaction): the loader hands a batch over and
touches the connection again only after `BatchWriter` has been closed, which waits for the last write and
raises its error, if any.
"""

from __future__ import annotations

import json
import queue
import threading
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def write(conn: Connection, batch: list[dict[str, Any]], source: str) -> int:
    """Upsert one batch's influencer and influencer_snapshot rows; the number of rows loaded (all of the
    batch: a row equal to what is stored is loaded without being rewritten, see _UPSERT)."""
    payload = json.dumps(
        [
            {
                "platform": r["platform"],
                "handle": r["handle"],
                "name": r.get("name"),
                "category": r.get("category"),
                "country": r.get("country"),
                "category_source": r.get("category_source"),
                "country_source": r.get("country_source"),
                "as_of": r["as_of"].isoformat(),
                "followers": r.get("followers"),
                "posts": r.get("posts"),
                "avg_likes": r.get("avg_likes"),
                "avg_views": r.get("avg_views"),
                "engagement_rate": r.get("engagement_rate"),
                "extra": r.get("extra"),
            }
            for r in batch
        ],
        ensure_ascii=False,
    )
    params = {"rows": payload, "source": source}
    if conn.execute(_UPSERT, params).scalar_one():  # handles without an id: see _UPSERT's `k`
        missing = conn.execute(_UPSERT, params).scalar_one()
        if missing:
            raise RuntimeError(f"profiles write: {missing} influencer id(s) not found after a retry")
    return len(batch)


class BatchWriter:
    """`put(batch)` queues a batch for the writer thread (at most one waits while another is written) and
    raises the error of an earlier write; leaving the `with` block waits for every queued write — also when
    the block raised, so the connection is never used by two threads — then raises a write's error."""

    def __init__(self, conn: Connection, source: str) -> None:
        self.conn, self.source = conn, source
        self.error: BaseException | None = None
        self._queue: queue.Queue[list[dict[str, Any]] | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="profiles-writer", daemon=True)

    def __enter__(self) -> BatchWriter:
        self._thread.start()
        return self

    def put(self, batch: list[dict[str, Any]]) -> int:
        self._raise()
        self._queue.put(batch)
        return len(batch)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._queue.put(None)
        self._thread.join()
        if kind is None:
            self._raise()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self.error is None:  # after an error the remaining batches are only drained
                try:
                    write(self.conn, batch, self.source)
                except BaseException as exc:  # noqa: BLE001 - handed to the loader's thread by _raise
                    self.error = exc

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error


# One statement (one round trip, one bound parameter) per batch: the rows travel as a JSON array,
# `jsonb_to_recordset` types them, the influencer upsert returns the ids the snapshot upsert joins on.
# A file may hold several dates of one handle: the dimension takes the latest date's row (PostgreSQL
# refuses to upsert one key twice in a statement), the snapshots keep every date.
# Only rows whose values change are written (`DO UPDATE … WHERE … IS DISTINCT FROM`, issue 16.8): an
# unchanged row keeps its tuple and `updated_at` and queues no rollup key. The upsert does not return such
# a row, so `k` takes its id from the table as the statement sees it. A row committed by another
# transaction after the statement began (it waited on that key) is invisible there: the statement returns
# how many handles got no id, and `write` runs the batch again (it is idempotent) with a newer snapshot.
# New snapshot rows take their ids in the file's order (`ORDER BY r.n`), whatever the join's plan.
_INFLUENCER_COLUMNS = ("name", "category", "country", "category_source", "country_source", "followers")
_INFLUENCER_VALUES = (
    "COALESCE(EXCLUDED.name, t.name)",
    "COALESCE(EXCLUDED.category, t.category)",
    "COALESCE(EXCLUDED.country, t.country)",
    "CASE WHEN EXCLUDED.category IS NULL AND EXCLUDED.category_source IS NULL"
    " THEN t.category_source ELSE EXCLUDED.category_source END",
    "CASE WHEN EXCLUDED.country IS NULL AND EXCLUDED.country_source IS NULL"
    " THEN t.country_source ELSE EXCLUDED.country_source END",
    "COALESCE(EXCLUDED.followers, t.followers)",
)
_SNAPSHOT_COLUMNS = ("followers", "posts", "avg_likes", "avg_views", "engagement_rate", "extra")
_UPSERT = sa.text(
    f"""
    WITH r AS (
        SELECT * FROM ROWS FROM (jsonb_to_recordset(CAST(:rows AS jsonb)) AS (
            platform text, handle text, name text, category text, country text,
            category_source text, country_source text, as_of date,
            followers bigint, posts bigint, avg_likes double precision, avg_views double precision,
            engagement_rate double precision, extra jsonb)
        ) WITH ORDINALITY AS r(
            platform, handle, name, category, country, category_source, country_source, as_of,
            followers, posts, avg_likes, avg_views, engagement_rate, extra, n)
    ),
    d AS (
        SELECT DISTINCT ON (platform, handle) platform, handle, name, category, country,
               category_source, country_source, followers
        FROM r ORDER BY platform, handle, as_of DESC
    ),
    i AS (
        INSERT INTO influencer AS t
            (platform, handle, name, category, country, category_source, country_source, followers)
        SELECT platform, handle, name, category, country, category_source, country_source, followers FROM d
        ON CONFLICT (platform, handle) DO UPDATE SET
            {", ".join(f"{c} = {v}" for c, v in zip(_INFLUENCER_COLUMNS, _INFLUENCER_VALUES, strict=True))},
            updated_at = now()
        WHERE ({", ".join(f"t.{c}" for c in _INFLUENCER_COLUMNS)})
              IS DISTINCT FROM ({", ".join(_INFLUENCER_VALUES)})
        RETURNING t.id, t.platform, t.handle
    ),
    k AS (
        SELECT id, platform, handle FROM i
        UNION ALL
        SELECT t.id, t.platform, t.handle
        FROM d JOIN influencer t ON t.platform = d.platform AND t.handle = d.handle
        WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.platform = d.platform AND i.handle = d.handle)
    ),
    s AS (
        INSERT INTO influencer_snapshot AS s
            (influencer_id, as_of, source, followers, posts, avg_likes, avg_views, engagement_rate, extra)
        SELECT k.id, r.as_of, :source, r.followers, r.posts, r.avg_likes, r.avg_views, r.engagement_rate,
               CASE WHEN jsonb_typeof(r.extra) = 'object' THEN r.extra END
        FROM r JOIN k ON k.platform = r.platform AND k.handle = r.handle
        ORDER BY r.n
        ON CONFLICT (influencer_id, as_of, source) DO UPDATE SET
            {", ".join(f"{c} = EXCLUDED.{c}" for c in _SNAPSHOT_COLUMNS)}
        WHERE ({", ".join(f"s.{c}" for c in _SNAPSHOT_COLUMNS)})
              IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in _SNAPSHOT_COLUMNS)})
    )
    SELECT (SELECT count(*) FROM d) - (SELECT count(*) FROM k)
    """  # noqa: S608 - column names and expressions are the constants above
)
