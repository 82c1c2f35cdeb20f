"""The `hires` kind → `campaign_influencer` (key: campaign + platform + handle).

The campaign and the influencer must exist; status is one of the hire statuses (default `contracted`);
agreed_cost a non-negative amount (default 0); hired_at defaults to the load time for a new hire.
Empty cells keep the stored value of an existing hire.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert
from predictfluence.models import HIRE_STATUSES

_STATUSES = ", ".join(f"'{s}'" for s in HIRE_STATUSES)


class HiresLoader(StagedLoader):
    kind = "hires"
    duplicate_label = "hire"
    resolve_sql = (
        "SELECT t.line, t.campaign, t.platform, t.handle, lower(t.status) AS status, t.agreed_cost, "
        "t.hired_at, c.id AS campaign_id, i.id AS influencer_id FROM pf_typed t "
        "LEFT JOIN campaign c ON c.name = t.campaign "
        "LEFT JOIN influencer i ON i.platform = t.platform AND i.handle = t.handle"
    )
    checks = (
        ("t.campaign_id IS NULL", "'unknown campaign'", "campaign", "t.campaign"),
        ("t.influencer_id IS NULL", "'unknown influencer'", "handle", "t.platform || '/' || t.handle"),
        (f"t.status IS NOT NULL AND t.status NOT IN ({_STATUSES})",
         f"'unknown hire status (expected one of {', '.join(HIRE_STATUSES)})'", "status", "t.status"),
    )

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        targets = [
            Target("status", "o.status", "'contracted'", file_column="status"),
            Target("agreed_cost", "o.agreed_cost", "0", file_column="agreed_cost"),
            Target("hired_at", "o.hired_at", "now()", file_column="hired_at"),
        ]
        upsert(conn, "campaign_influencer", ("campaign_id", "influencer_id"),
               ("o.campaign_id", "o.influencer_id"), targets, hmap)


loader = HiresLoader()
