"""The `campaigns` kind → `campaign` (key: name).

Status must be one of the campaign statuses (default `draft`); currency is a 3-letter code (upper-cased,
default `USD`); budget is a non-negative amount (default 0); end_date may not precede start_date.
Empty cells keep the stored value of an existing campaign.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert
from predictfluence.vocab import CAMPAIGN_STATUSES

_STATUSES = ", ".join(f"'{s}'" for s in CAMPAIGN_STATUSES)


class CampaignsLoader(StagedLoader):
    kind = "campaigns"
    duplicate_label = "campaign"
    resolve_sql = (
        "SELECT t.line, t.name, t.brand, t.objective, lower(t.status) AS status, t.start_date, t.end_date, "
        "t.budget, upper(t.currency) AS currency FROM pf_typed t"
    )
    checks = (
        (f"t.status IS NOT NULL AND t.status NOT IN ({_STATUSES})",
         f"'unknown campaign status (expected one of {', '.join(CAMPAIGN_STATUSES)})'", "status", "t.status"),
        ("t.currency IS NOT NULL AND t.currency !~ '^[A-Z]{3}$'",
         "'not a 3-letter currency code'", "currency", "t.currency"),
        ("t.end_date < t.start_date", "'end_date before start_date'", "end_date", "t.end_date"),
    )

    def upsert(self, conn: Connection, hmap: HeaderMap) -> None:
        targets = [
            Target("brand", "o.brand", file_column="brand"),
            Target("objective", "o.objective", file_column="objective"),
            Target("status", "o.status", "'draft'", file_column="status"),
            Target("start_date", "o.start_date", file_column="start_date"),
            Target("end_date", "o.end_date", file_column="end_date"),
            Target("budget", "o.budget", "0", file_column="budget"),
            Target("currency", "o.currency", "'USD'", file_column="currency"),
        ]
        upsert(conn, "campaign", ("name",), ("o.name",), targets, hmap, touch="updated_at")


loader = CampaignsLoader()
