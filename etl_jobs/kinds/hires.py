"""The `hires` kind → `campaign_influencer` (key: campaign + platform + handle).

The campaign and the influencer must exist; status is one of the hire statuses (default `contracted`);
agreed_cost a non-negative amount (default 0); hired_at defaults to the load time for a new hire.
Empty cells keep the stored value of an existing hire.

The API's hiring rule (predictfluence.queries.hiring) applies row by row in file order, with the
campaigns locked: a new hire into an archived campaign is rejected, and so is a hire that would take the
campaign over its budget (counting the rows of the file accepted before it) unless its `overspend` cell is
true.
"""

from __future__ import annotations

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
        """Reject the rows of `pf_ok` that break the hiring rule (the module docstring)."""
        rows = conn.exec_driver_sql(
            "SELECT o.line, o.campaign, o.campaign_id, o.agreed_cost, o.status, o.overspend, h.agreed_cost AS old_cost, "
            "h.status AS old_status FROM pf_ok o LEFT JOIN campaign_influencer h "
            "ON h.campaign_id = o.campaign_id AND h.influencer_id = o.influencer_id ORDER BY o.line"
        ).mappings().all()
        # The file's campaigns locked as queries.hiring.lock_campaigns locks them (FOR UPDATE, id order), named
        # by a subquery on pf_ok: sending a 1M-id array through the driver and back took most of a large load.
        campaigns = {r["id"]: dict(r) for r in conn.exec_driver_sql(
            "SELECT id, status, budget FROM campaign WHERE id IN (SELECT campaign_id FROM pf_ok) ORDER BY id FOR UPDATE"
        ).mappings()}
        spent = dict.fromkeys(campaigns, 0.0)  # the spend of hires the file does not touch, then of its rows
        spent.update(conn.exec_driver_sql(
            "SELECT h.campaign_id, sum(h.agreed_cost)::float8 FROM campaign_influencer h "
            "WHERE h.campaign_id IN (SELECT campaign_id FROM pf_ok) AND h.status <> 'cancelled' "
            "AND NOT EXISTS (SELECT 1 FROM pf_ok o WHERE o.campaign_id = h.campaign_id "
            "AND o.influencer_id = h.influencer_id) GROUP BY h.campaign_id"
        ).all())
        refused: list[tuple[int, str, str, str]] = []
        for row in rows:
            campaign = campaigns[row["campaign_id"]]
            old_cost = float(row["old_cost"] or 0)
            cost = old_cost if row["agreed_cost"] is None else float(row["agreed_cost"])
            status = row["status"] or row["old_status"] or "contracted"
            new = row["old_status"] is None
            grows = cost > old_cost or (row["old_status"] == "cancelled" != status)
            try:
                check_hire(campaign, spent=spent[campaign["id"]], cost=cost, status=status, new=new, grows=grows,
                           allow_overspend=bool(row["overspend"]))
            except CampaignArchived:
                refused.append((row["line"], "campaign is archived: it takes no new hires", "campaign", row["campaign"]))
                continue
            except OverBudget as over:
                d = over.details
                refused.append((row["line"], (
                    f"over budget: {d['agreed_cost']:.2f} with {d['spent']:.2f} already committed exceeds the "
                    f"budget of {d['budget']:.2f} (set overspend to true to allow it)"), "agreed_cost", f"{cost:.2f}"))
                continue
            if status != "cancelled":
                spent[campaign["id"]] += cost
        if refused:
            conn.execute(sa.text("INSERT INTO pf_rej (line, reason, col, val) VALUES (:line, :reason, :col, :val)"),
                         [{"line": line, "reason": reason, "col": col, "val": val} for line, reason, col, val in refused])
            conn.exec_driver_sql("DELETE FROM pf_ok o WHERE EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = o.line)")


loader = HiresLoader()
