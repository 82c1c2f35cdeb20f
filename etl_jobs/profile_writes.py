"""Writes of the `profiles` kind (etl_jobs.kinds.profiles): one statement per batch of parsed rows, run by a
thread of its own so that the loader parses the next batch while the database writes this one (issue 16.8).

The batch's rows travel as one JSON parameter; `jsonb_to_recordset` types them, the influencer upsert
returns the ids the snapshot upsert joins on. Batches are written one at a time, in the file's order, on the
load's own connection (inside its transaction): the loader hands a batch over and touches the connection
again only after `BatchWriter` has been closed, which waits for the last write and raises its error, if any.
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
    """Upsert one batch's influencer and influencer_snapshot rows; the number of rows written."""
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
    conn.execute(_UPSERT, {"rows": payload, "source": source})
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
_UPSERT = sa.text(
    """
    WITH r AS (
        SELECT * FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
            platform text, handle text, name text, category text, country text,
            category_source text, country_source text, as_of date,
            followers bigint, posts bigint, avg_likes double precision, avg_views double precision,
            engagement_rate double precision, extra jsonb)
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
            name = COALESCE(EXCLUDED.name, t.name),
            category = COALESCE(EXCLUDED.category, t.category),
            country = COALESCE(EXCLUDED.country, t.country),
            category_source = CASE WHEN EXCLUDED.category IS NULL AND EXCLUDED.category_source IS NULL
                                   THEN t.category_source ELSE EXCLUDED.category_source END,
            country_source = CASE WHEN EXCLUDED.country IS NULL AND EXCLUDED.country_source IS NULL
                                  THEN t.country_source ELSE EXCLUDED.country_source END,
            followers = COALESCE(EXCLUDED.followers, t.followers),
            updated_at = now()
        RETURNING t.id, t.platform, t.handle
    )
    INSERT INTO influencer_snapshot AS s
        (influencer_id, as_of, source, followers, posts, avg_likes, avg_views, engagement_rate, extra)
    SELECT i.id, r.as_of, :source, r.followers, r.posts, r.avg_likes, r.avg_views, r.engagement_rate,
           CASE WHEN jsonb_typeof(r.extra) = 'object' THEN r.extra END
    FROM r JOIN i ON i.platform = r.platform AND i.handle = r.handle
    ON CONFLICT (influencer_id, as_of, source) DO UPDATE SET
        followers = EXCLUDED.followers,
        posts = EXCLUDED.posts,
        avg_likes = EXCLUDED.avg_likes,
        avg_views = EXCLUDED.avg_views,
        engagement_rate = EXCLUDED.engagement_rate,
        extra = EXCLUDED.extra
    """
)
