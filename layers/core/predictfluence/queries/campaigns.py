"""Campaigns, hires, linked influencer performance and campaign summaries.

Money rule: a campaign's `spent` is the agreed cost of its hires that are not cancelled; CPE, CPM, CPV,
ROAS and CPA use it as the cost. The campaign's posts are the posts whose campaign_id is the campaign.
"""

from __future__ import annotations

from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.db import get_engine
from predictfluence.queries.audit import actor_label
from predictfluence.queries.common import one, order_clause, ratio, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Page, Where, page_params
from predictfluence.queries.hiring import CampaignArchived, OverBudget, check_hire, lock_campaigns, spent

__all__ = ["CampaignArchived", "OverBudget"]  # the hiring rule's refusals, as the API catches them

SORTS: dict[str, str] = {"name": "lower(c.name)", "created_at": "c.created_at", "start_date": "c.start_date",
                         "budget": "c.budget"}
UPDATABLE = ("name", "brand", "objective", "status", "start_date", "end_date", "budget", "currency")

_CAMPAIGN = (
    "SELECT c.id, c.name, c.brand, c.objective, c.status, c.start_date, c.end_date, c.budget, c.currency, "  # noqa: S608
    "c.created_at, c.updated_at, coalesce(h.spent, 0) AS spent, coalesce(h.hires, 0) AS influencer_count, "
    f"c.created_by, {actor_label('c.created_by')} AS created_by_label, "
    f"c.updated_by, {actor_label('c.updated_by')} AS updated_by_label "
    "FROM campaign c LEFT JOIN LATERAL (SELECT sum(agreed_cost) AS spent, count(*) AS hires "
    "FROM campaign_influencer WHERE campaign_id = c.id AND status <> 'cancelled') h ON true"
)


class NameTaken(Exception):
    """A campaign with this name already exists."""


class DuplicateHire(Exception):
    """The influencer is already hired for the campaign (`influencer_ids`: which, when several were asked)."""

    def __init__(self, influencer_ids: list[int] | None = None) -> None:
        super().__init__("already hired")
        self.influencer_ids = influencer_ids or []


class CampaignFilter(Page, Protocol):
    """What `list_campaigns` reads (the API passes its validated CampaignListQuery)."""

    status: str | None
    brand: str | None
    q: str | None
    sort: str
    order: str


class _AllCampaigns:
    status = brand = q = None
    sort, order, page, page_size = "created_at", "desc", 1, 50


def list_campaigns(filters: CampaignFilter | None = None) -> tuple[list[dict[str, Any]], int]:
    """One page of campaigns and the total matching the filters."""
    f = filters or _AllCampaigns()
    where = Where().optional("c.status = :status", status=f.status)
    where.optional("lower(c.brand) = lower(:brand)", brand=f.brand)
    where.contains("q", f.q, "c.name", "c.brand")
    where_sql = where.sql()
    params = {**where.params, **page_params(f)}
    total = int(one(f"SELECT count(*) AS n FROM campaign c {where_sql}", params)["n"])  # type: ignore[index]  # noqa: S608
    order_sql = order_clause(SORTS[f.sort], f.order, "c.id")
    # page first, then the per-campaign spend of just that page
    paged = f"(SELECT * FROM campaign c {where_sql} {order_sql} LIMIT :limit OFFSET :offset) c"  # noqa: S608
    found = rows(f"{_CAMPAIGN.replace('FROM campaign c', 'FROM ' + paged, 1)} {order_sql}", params)
    return found, total


def get_campaign(campaign_id: int, conn: Connection | None = None) -> dict[str, Any]:
    found = one(f"{_CAMPAIGN} WHERE c.id = :id", {"id": campaign_id}, conn)
    if found is None:
        raise NotFound("campaign", campaign_id)
    return found


def create_campaign(values: dict[str, Any], actor: str | None = None) -> dict[str, Any]:
    """The new campaign; `actor` (principal.actor) is stored as its creator and last editor."""
    values = {**values, "created_by": actor, "updated_by": actor}
    columns = [*(k for k in UPDATABLE if k in values), "created_by", "updated_by"]
    with get_engine().begin() as conn:
        if conn.execute(sa.text("SELECT 1 FROM campaign WHERE name = :name"), {"name": values["name"]}).first():
            raise NameTaken(values["name"])
        new_id = conn.execute(
            sa.text(f"INSERT INTO campaign ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "  # noqa: S608
                    "RETURNING id"),
            values,
        ).scalar_one()
        return get_campaign(new_id, conn)


def update_campaign(campaign_id: int, values: dict[str, Any], actor: str | None = None) -> dict[str, Any]:
    """Apply `values` (allow-listed columns only), `actor` becoming the last editor; NotFound when the
    campaign does not exist."""
    columns = [k for k in UPDATABLE if k in values]
    with get_engine().begin() as conn:
        current = conn.execute(sa.text("SELECT id, name, start_date, end_date FROM campaign WHERE id = :id FOR UPDATE"),
                               {"id": campaign_id}).mappings().first()
        if current is None:
            raise NotFound("campaign", campaign_id)
        start = values.get("start_date", current["start_date"])
        end = values.get("end_date", current["end_date"])
        if start is not None and end is not None and end < start:
            raise ValueError("end_date must not be before start_date")
        if "name" in values and values["name"] != current["name"] and conn.execute(
                sa.text("SELECT 1 FROM campaign WHERE name = :name"), {"name": values["name"]}).first():
            raise NameTaken(values["name"])
        if columns:
            assignments = ", ".join(f"{c} = :{c}" for c in columns)
            conn.execute(sa.text(f"UPDATE campaign SET {assignments}, updated_at = now(), updated_by = :actor "  # noqa: S608
                                 "WHERE id = :id"), {**{c: values[c] for c in columns}, "id": campaign_id, "actor": actor})
        return get_campaign(campaign_id, conn)


def delete_campaign(campaign_id: int, actor: str | None = None) -> str:
    """'archived' when the campaign has hires (status archived by `actor`, nothing lost), 'deleted' otherwise."""
    with get_engine().begin() as conn:
        found = conn.execute(sa.text("SELECT id FROM campaign WHERE id = :id FOR UPDATE"), {"id": campaign_id}).first()
        if found is None:
            raise NotFound("campaign", campaign_id)
        if conn.execute(sa.text("SELECT 1 FROM campaign_influencer WHERE campaign_id = :id LIMIT 1"),
                        {"id": campaign_id}).first():
            conn.execute(sa.text("UPDATE campaign SET status = 'archived', updated_at = now(), updated_by = :actor "
                                 "WHERE id = :id"), {"id": campaign_id, "actor": actor})
            return "archived"
        conn.execute(sa.text("DELETE FROM campaign WHERE id = :id"), {"id": campaign_id})
        return "deleted"


_HIRE = "SELECT id, campaign_id, influencer_id, status, agreed_cost, hired_at, hired_by FROM campaign_influencer"


def hire(campaign_id: int, influencer_id: int, agreed_cost: float, status: str,
         allow_overspend: bool, actor: str | None = None) -> dict[str, Any]:
    """The new hire, made by `actor`; NotFound names the campaign or the influencer when it does not exist."""
    with get_engine().begin() as conn:
        campaign = lock_campaigns(conn, [campaign_id]).get(campaign_id)
        if campaign is None:
            raise NotFound("campaign", campaign_id)
        if not conn.execute(sa.text("SELECT 1 FROM influencer WHERE id = :id"), {"id": influencer_id}).first():
            raise NotFound("influencer", influencer_id)
        if conn.execute(sa.text("SELECT 1 FROM campaign_influencer WHERE campaign_id = :c AND influencer_id = :i"),
                        {"c": campaign_id, "i": influencer_id}).first():
            raise DuplicateHire()
        check_hire(campaign, spent=spent(conn, campaign_id), cost=agreed_cost, status=status, new=True, grows=False,
                   allow_overspend=allow_overspend)
        return dict(conn.execute(
            sa.text("INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost, hired_by) "
                    "VALUES (:c, :i, :s, :cost, :actor) "
                    "RETURNING id, campaign_id, influencer_id, status, agreed_cost, hired_at, hired_by"),
            {"c": campaign_id, "i": influencer_id, "s": status, "cost": round(agreed_cost, 2), "actor": actor},
        ).mappings().one())


def hire_all(campaign_id: int, hires: list[tuple[int, float]], allow_overspend: bool,
             actor: str | None = None) -> tuple[list[dict[str, Any]], float]:
    """Hire every (influencer_id, agreed_cost) as `contracted`, or none: one transaction, the campaign row
    locked, and the hiring rule applied once to the total. Returns the new hires (in the given order) and the
    campaign's remaining budget after them. NotFound names the campaign or the first unknown influencer;
    DuplicateHire lists the influencers already hired."""
    ids = [influencer_id for influencer_id, _ in hires]
    with get_engine().begin() as conn:
        campaign = lock_campaigns(conn, [campaign_id]).get(campaign_id)
        if campaign is None:
            raise NotFound("campaign", campaign_id)
        known = set(conn.execute(sa.text("SELECT id FROM influencer WHERE id = ANY(:ids)"), {"ids": ids}).scalars())
        missing = [i for i in ids if i not in known]
        if missing:
            raise NotFound("influencer", missing[0])
        taken = set(conn.execute(sa.text("SELECT influencer_id FROM campaign_influencer WHERE campaign_id = :c "
                                         "AND influencer_id = ANY(:ids)"), {"c": campaign_id, "ids": ids}).scalars())
        if taken:
            raise DuplicateHire([i for i in ids if i in taken])
        already = spent(conn, campaign_id)
        total = round(sum(round(cost, 2) for _, cost in hires), 2)
        check_hire(campaign, spent=already, cost=total, status="contracted", new=True, grows=False,
                   allow_overspend=allow_overspend)
        created = {row["influencer_id"]: dict(row) for row in conn.execute(
            sa.text("INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost, hired_by) "
                    "SELECT :c, i, 'contracted', cost, :actor FROM unnest(CAST(:ids AS bigint[]), "
                    "CAST(:costs AS numeric[])) AS h(i, cost) "
                    "RETURNING id, campaign_id, influencer_id, status, agreed_cost, hired_at, hired_by"),
            {"c": campaign_id, "ids": ids, "costs": [round(cost, 2) for _, cost in hires], "actor": actor},
        ).mappings()}
        return [created[i] for i in ids], round(float(campaign["budget"]) - already - total, 2)


def update_hire(campaign_id: int, influencer_id: int, status: str | None, agreed_cost: float | None,
                allow_overspend: bool) -> dict[str, Any]:
    with get_engine().begin() as conn:
        campaign = lock_campaigns(conn, [campaign_id]).get(campaign_id)
        current = conn.execute(sa.text(f"{_HIRE} WHERE campaign_id = :c AND influencer_id = :i"),  # noqa: S608
                               {"c": campaign_id, "i": influencer_id}).mappings().first()
        if campaign is None or current is None:
            raise NotFound("hire", f"{campaign_id}/{influencer_id}")
        new_status = status or current["status"]
        new_cost = float(current["agreed_cost"]) if agreed_cost is None else round(agreed_cost, 2)
        grows = new_cost > float(current["agreed_cost"]) or (current["status"] == "cancelled" != new_status)
        check_hire(campaign, spent=spent(conn, campaign_id, influencer_id), cost=new_cost, status=new_status,
                   new=False, grows=grows, allow_overspend=allow_overspend)
        return dict(conn.execute(
            sa.text("UPDATE campaign_influencer SET status = :s, agreed_cost = :cost WHERE id = :id "
                    "RETURNING id, campaign_id, influencer_id, status, agreed_cost, hired_at, hired_by"),
            {"s": new_status, "cost": new_cost, "id": current["id"]},
        ).mappings().one())


def remove_hire(campaign_id: int, influencer_id: int) -> None:
    with get_engine().begin() as conn:
        result = conn.execute(sa.text("DELETE FROM campaign_influencer WHERE campaign_id = :c AND influencer_id = :i"),
                              {"c": campaign_id, "i": influencer_id})
    if not result.rowcount:
        raise NotFound("hire", f"{campaign_id}/{influencer_id}")


# Every hire of campaign :id (h, its campaign c, its influencer i) with its posts' figures (p, from post_stats) and
# its conversions (cv), in hiring order: the hires table and its CSV export read the same rows. The campaign's posts
# and conversions are each grouped by influencer in one pass: a lookup per hire (two index probes and a scan of
# every conversion_daily partition, 500 times for a 500-hire campaign) took 688 ms read cold at 1M influencers
# (docs/benchmarks.md, "Figures behind code decisions").
HIRE_FIGURES = """
        FROM campaign_influencer h
        JOIN campaign c ON c.id = h.campaign_id
        JOIN influencer i ON i.id = h.influencer_id
        LEFT JOIN (
            SELECT influencer_id, count(*) AS posts, sum(engagements) AS engagements,
                   avg(engagement_rate) AS engagement_rate, sum(views) AS views, sum(impressions) AS impressions
            FROM post_stats WHERE campaign_id = :id GROUP BY influencer_id
        ) p ON p.influencer_id = h.influencer_id
        LEFT JOIN (
            SELECT influencer_id, sum(clicks) AS clicks, sum(orders) AS orders, sum(revenue) AS revenue
            FROM conversion_daily WHERE campaign_id = :id GROUP BY influencer_id
        ) cv ON cv.influencer_id = h.influencer_id
        WHERE h.campaign_id = :id
        ORDER BY h.hired_at, i.id
"""

def hire_performance(campaign_id: int) -> list[dict[str, Any]]:
    """Per hired influencer: its posts in the campaign, engagements, ER, views, cost, CPE, conversions, ROAS."""
    found = rows(
        """
        SELECT i.id AS influencer_id, i.handle, i.name, i.platform, i.followers, h.status AS hire_status,
               h.agreed_cost, h.hired_at, h.hired_by, """ + actor_label("h.hired_by") + """ AS hired_by_label,
               coalesce(p.posts, 0) AS posts, coalesce(p.engagements, 0) AS engagements, p.engagement_rate,
               coalesce(p.views, 0) AS views, coalesce(p.impressions, 0) AS impressions,
               coalesce(cv.clicks, 0) AS clicks, coalesce(cv.orders, 0) AS orders, coalesce(cv.revenue, 0) AS revenue
        """ + HIRE_FIGURES,
        {"id": campaign_id},
    )
    for row in found:
        cost = float(row["agreed_cost"])
        row["cpe"] = ratio(cost, row["engagements"])
        row["roas"] = ratio(row["revenue"], cost)
        row["cpa"] = ratio(cost, row["orders"])
    return found


def summary(campaign_id: int) -> dict[str, Any]:
    row = one(
        """
        SELECT c.id AS campaign_id, c.name, c.status, c.currency, c.budget,
               coalesce(h.spent, 0) AS spent, coalesce(h.hires, 0) AS influencer_count,
               coalesce(p.posts, 0) AS posts, p.avg_engagement_rate, p.avg_views,
               coalesce(p.engagements, 0) AS engagements, coalesce(p.views, 0) AS views,
               coalesce(p.impressions, 0) AS impressions,
               coalesce(cv.clicks, 0) AS clicks, coalesce(cv.orders, 0) AS orders, coalesce(cv.revenue, 0) AS revenue
        FROM campaign c
        LEFT JOIN LATERAL (SELECT sum(agreed_cost) AS spent, count(*) AS hires FROM campaign_influencer
                           WHERE campaign_id = c.id AND status <> 'cancelled') h ON true
        LEFT JOIN LATERAL (SELECT count(*) AS posts, avg(engagement_rate) AS avg_engagement_rate,
                                  avg(views)::float8 AS avg_views, sum(engagements) AS engagements,
                                  sum(views) AS views, sum(impressions) AS impressions
                           FROM post_stats WHERE campaign_id = c.id) p ON true
        LEFT JOIN LATERAL (SELECT sum(clicks) AS clicks, sum(orders) AS orders, sum(revenue) AS revenue
                           FROM conversion_daily WHERE campaign_id = c.id) cv ON true
        WHERE c.id = :id
        """,
        {"id": campaign_id},
    )
    if row is None:
        raise NotFound("campaign", campaign_id)
    spent = float(row["spent"])
    row["remaining"] = round(float(row["budget"]) - spent, 2)
    row["avg_cost_per_influencer"] = ratio(spent, row["influencer_count"])
    row["cpe"] = ratio(spent, row["engagements"])
    row["cpm"] = ratio(spent, row["impressions"], 1000.0)
    row["cpv"] = ratio(spent, row["views"])
    row["roas"] = ratio(row["revenue"], spent)
    row["cpa"] = ratio(spent, row["orders"])
    return row


def exists(campaign_id: int) -> bool:
    return one("SELECT 1 AS found FROM campaign WHERE id = :id", {"id": campaign_id}) is not None


def require(campaign_id: int | None) -> None:
    """NotFound unless the campaign exists (None: no campaign asked for, nothing to check)."""
    if campaign_id is not None and not exists(campaign_id):
        raise NotFound("campaign", campaign_id)
