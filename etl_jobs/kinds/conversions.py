"""The `conversions` kind → `conversion_daily` (key: campaign + platform + handle + date).

The campaign and the influencer must exist. clicks, orders (counts) and revenue (amount) are
non-negative; an empty cell is 0. A row replaces the stored values of its day.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert
from predictfluence.queries.partitions import ensure_months


class ConversionsLoader(StagedLoader):
    kind = "conversions"
    duplicate_label = "conversion day"
    resolve_sql = (
        "SELECT t.*, c.id AS campaign_id, i.id AS influencer_id FROM pf_typed t "
        "LEFT JOIN campaign c ON c.name = t.campaign "
        "LEFT JOIN influencer i ON i.platform = t.platform AND i.handle = t.handle"
    )
    checks = (
        ("t.campaign_id IS NULL", "'unknown campaign'", "campaign", "t.campaign"),
        ("t.influencer_id IS NULL", "'unknown influencer'", "handle", "t.platform || '/' || t.handle"),
    )

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        # the rows' months get their partitions first: nothing goes through DEFAULT (issue 16.2)
        ensure_months(conn, "conversion_daily", conn.exec_driver_sql("SELECT DISTINCT date FROM pf_ok").scalars())
        targets = [Target(c, f"o.{c}", "0", keep=False, file_column=c) for c in ("clicks", "orders", "revenue")]
        upsert(conn, "conversion_daily", ("campaign_id", "influencer_id", "date"),
               ("o.campaign_id", "o.influencer_id", "o.date"), targets, hmap)


loader = ConversionsLoader()
