"""The `hires` kind → `campaign_influencer` (key: campaign + platform + handle).

The campaign and the influencer must exist; status is one of the hire statuses (default `contracted`);
agreed_cost a non-negative amount (default 0); hired_at defaults to the load time for a new hire.
Empty cells keep the stored value of an existing hire.

The API's hiring rule (predictfluence.queries.hiring) applies row by row in file order, with the
campaigns locked: a new hire into an archived campaign is rejected, and so is a hire that would take the
campaign over its budget (counting the rows of the file accepted before it) unless its `overspend` cell is
true.
The verdicts are those of the rule applied row by row in file order, decided set-based
(`HiresLoader._apply_hiring_rule`).
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from etl_jobs.staging import HeaderMap, StagedLoader, Target, upsert
from predictfluence.queries.hiring import CampaignArchived, OverBudget, check_hire
from predictfluence.vocab import HIRE_STATUSES

_STATUSES = ", ".join(f"'{s}'" for s in HIRE_STATUSES)


class HiresLoader(StagedLoader):
    kind = "hires"
    duplicate_label = "hire"
    resolve_sql = (
        "SELECT t.line, t.campaign, t.platform, t.handle, lower(t.status) AS status, t.agreed_cost, "
        "t.hired_at, t.overspend, c.id AS campaign_id, i.id AS influencer_id FROM pf_typed t "
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
        self._apply_hiring_rule(conn)
        targets = [
            Target("status", "o.status", "'contracted'", file_column="status"),
            Target("agreed_cost", "o.agreed_cost", "0", file_column="agreed_cost"),
            Target("hired_at", "o.hired_at", "now()", file_column="hired_at"),
        ]
        upsert(conn, "campaign_influencer", ("campaign_id", "influencer_id"),
               ("o.campaign_id", "o.influencer_id"), targets, hmap)


    @staticmethod
    def _apply_hiring_rule(conn: Connection) -> None:
        """Reject the rows of `pf_ok` that break the hiring rule (the module docstring), set-based.

        The file's campaigns are locked first (as queries.hiring.lock_campaigns locks them: FOR UPDATE, id
        order; named by a subquery on pf_ok, no ids through the driver). Then one statement checks every row
        against a running sum, per campaign in line order, of the spend of every row before it as if all
        were accepted. Costs are never negative, so that sum bounds the true spend from above: a row that
        fits it fits, and in a campaign where no row is refused the verdicts are exact. In a campaign where
        one is, every row up to its first refused row is still exact; only the rows after it (a refused row
        frees its cost for the next ones) are decided one by one, in Python, as before (issue 16.8).
        """
        conn.exec_driver_sql(
            "SELECT count(*) FROM (SELECT 1 FROM campaign WHERE id IN (SELECT campaign_id FROM pf_ok) "
            "ORDER BY id FOR UPDATE) locked"
        )
        conn.exec_driver_sql(_VERDICTS_SQL)
        conn.exec_driver_sql(
            "INSERT INTO pf_rej (line, reason, col, val) SELECT line, CASE WHEN archived THEN "
            "%s ELSE 'over budget: ' || round(cost, 2) || ' with ' || round(spent, 2) || ' already "
            "committed exceeds the budget of ' || round(budget, 2) || ' (set overspend to true to allow it)' END, CASE WHEN archived THEN 'campaign' "
            "ELSE 'agreed_cost' END, CASE WHEN archived THEN campaign ELSE round(cost, 2)::text END FROM pf_hire "
            "WHERE refused AND (first_refused IS NULL OR line <= first_refused)", (_ARCHIVED,)
        )
        rows = conn.exec_driver_sql(
            "SELECT line, campaign, campaign_id, campaign_status, budget, cost, status, new, grows, overspend, counts, "
            "spent, first_refused "
            "FROM pf_hire WHERE line >= first_refused ORDER BY campaign_id, line"
        ).mappings().all()
        refused = _refused_one_by_one(rows)
        if refused:
            conn.execute(sa.text("INSERT INTO pf_rej (line, reason, col, val) VALUES (:line, :reason, :col, :val)"),
                         [{"line": line, "reason": reason, "col": col, "val": val} for line, reason, col, val in refused])
        conn.exec_driver_sql("DELETE FROM pf_ok o WHERE EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = o.line)")


_ARCHIVED = "campaign is archived: it takes no new hires"

# Per row of pf_ok: its cost and status after the load, whether the rule checks it (`checked`: a new hire,
# a higher cost or a cancelled hire brought back, without overspend, not cancelled), whether it counts
# towards the spend, the campaign's spend before it (the hires the file does not touch, then the file's
# earlier rows as if all accepted), and the campaign's first refused over-budget line.
_VERDICTS_SQL = """
CREATE TEMP TABLE pf_hire ON COMMIT DROP AS
WITH base AS (
    SELECT h.campaign_id, sum(h.agreed_cost) AS spent FROM campaign_influencer h
    WHERE h.campaign_id IN (SELECT campaign_id FROM pf_ok) AND h.status <> 'cancelled'
      AND NOT EXISTS (SELECT 1 FROM pf_ok o WHERE o.campaign_id = h.campaign_id AND o.influencer_id = h.influencer_id)
    GROUP BY h.campaign_id
), hire AS (
    SELECT o.line, o.campaign, o.campaign_id, c.status AS campaign_status, c.budget, x.cost, x.status,
           h.status IS NULL AS new, x.grows, coalesce(o.overspend, false) AS overspend,
           h.status IS NULL AND c.status = 'archived' AS archived,
           (h.status IS NULL OR x.grows) AND NOT coalesce(o.overspend, false) AND x.status <> 'cancelled' AS checked,
           x.status <> 'cancelled' AS counts, coalesce(b.spent, 0) AS base
    FROM pf_ok o JOIN campaign c ON c.id = o.campaign_id
    LEFT JOIN campaign_influencer h ON h.campaign_id = o.campaign_id AND h.influencer_id = o.influencer_id
    LEFT JOIN base b ON b.campaign_id = o.campaign_id
    CROSS JOIN LATERAL (SELECT coalesce(o.agreed_cost, h.agreed_cost, 0) AS cost,
                               coalesce(o.status, h.status, 'contracted') AS status) y
    CROSS JOIN LATERAL (SELECT y.cost, y.status, y.cost > coalesce(h.agreed_cost, 0)
                               OR (h.status = 'cancelled' AND y.status <> 'cancelled') AS grows) x
), spend AS (
    SELECT hire.*, base + coalesce(sum(CASE WHEN counts AND NOT archived THEN cost END) OVER (
        PARTITION BY campaign_id ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS spent
    FROM hire
), verdict AS (
    SELECT spend.*, archived OR (checked AND round(spent + cost, 2) > budget) AS refused FROM spend
)
SELECT verdict.*, min(CASE WHEN refused AND NOT archived THEN line END) OVER (PARTITION BY campaign_id) AS first_refused
FROM verdict
"""


def _refused_one_by_one(rows: list) -> list[tuple[int, str, str, str]]:
    """The rows from each campaign's first refused over-budget row on, decided in line order: the spend
    before the first is exact (every earlier row was accepted); a refused row adds nothing."""
    refused: list[tuple[int, str, str, str]] = []
    spent: dict[int, Decimal] = {}
    for row in rows:
        campaign = {"status": row["campaign_status"], "budget": row["budget"]}
        so_far = spent.setdefault(row["campaign_id"], row["spent"])
        cost = row["cost"]
        if row["line"] == row["first_refused"]:  # already refused by the set-based statement
            continue
        try:
            check_hire(campaign, spent=float(so_far), cost=float(cost), status=row["status"], new=row["new"],
                       grows=row["grows"], allow_overspend=row["overspend"])
        except CampaignArchived:
            refused.append((row["line"], _ARCHIVED, "campaign", row["campaign"]))
            continue
        except OverBudget:
            refused.append((row["line"], (
                f"over budget: {cost:.2f} with {so_far:.2f} already committed exceeds the budget of "
                f"{row['budget']:.2f} (set overspend to true to allow it)"), "agreed_cost", f"{cost:.2f}"))
            continue
        if row["counts"]:
            spent[row["campaign_id"]] = so_far + cost
    return refused


loader = HiresLoader()
