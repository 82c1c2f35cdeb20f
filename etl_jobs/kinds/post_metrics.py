"""The `post_metrics` kind → `post_metric_daily` (key: platform + post_id + date).

The post (platform + post_id) must exist. likes, comments, shares and saves are non-negative counts (an
empty cell is 0); views, reach and impressions may be empty (NULL, e.g. a photo has no views). A row
replaces the stored counts of its day.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.base import KindResult, SourceFile
from etl_jobs.fast_metrics import try_fast_load
from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert
from predictfluence.queries.partitions import ensure_months

COUNTS = ("likes", "comments", "shares", "saves")
OPTIONAL_COUNTS = ("views", "reach", "impressions")


class PostMetricsLoader(StagedLoader):
    kind = "post_metrics"
    duplicate_label = "post day"
    resolve_sql = (
        "SELECT t.*, p.id AS pid FROM pf_typed t "
        "LEFT JOIN post p ON p.platform = t.platform AND p.external_id = t.post_id"
    )
    checks = (("t.pid IS NULL", "'unknown post'", "post_id", "t.platform || '/' || t.post_id"),)

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        """A clean file takes the streaming fast path; anything else the exact set-based path."""
        result = try_fast_load(conn, source)
        return result if result is not None else super().load(conn, source)

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        # the rows' months get their partitions first: nothing goes through DEFAULT (issue 16.2)
        ensure_months(
            conn, "post_metric_daily", conn.exec_driver_sql("SELECT DISTINCT date FROM pf_ok").scalars()
        )
        # post_metric_daily has no per-row FK trigger (see the migration): keep the posts until commit
        conn.exec_driver_sql("SELECT 1 FROM post WHERE id IN (SELECT DISTINCT pid FROM pf_ok) FOR KEY SHARE")
        targets = [Target(c, f"o.{c}", "0", keep=False, file_column=c) for c in COUNTS]
        targets += [Target(c, f"o.{c}", keep=False, file_column=c) for c in OPTIONAL_COUNTS]
        upsert(conn, "post_metric_daily", ("post_id", "date"), ("o.pid", "o.date"), targets, hmap)


loader = PostMetricsLoader()
