"""The campaign planner's candidates: influencer_score ⨝ influencer, one row per influencer × content type,
with the filters of the plan request (docs/ml.md, "Campaign planner"). No ML code here.

- Left out: influencers flagged for unusual engagement (unless `include_flagged`), those already hired
  by the campaign (a non-cancelled hire; unless `exclude_hired` is false), the `exclude` list, and every
  row without a cost forecast (`cost_per_post` NULL: it cannot be priced, so it cannot be planned).
- Pinned (`include`) influencers are in whatever the filters and the flag say — still only when priced,
  not excluded and not already hired.
- For the conversions objective each row carries the influencer's historical orders (conversion_daily,
  all campaigns) and its sponsored posts in those campaigns; only influencers with both are candidates.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Where

_CONVERSIONS = (
    "conv AS (SELECT cd.influencer_id, sum(cd.orders)::float8 AS orders, "
    "(SELECT count(*) FROM post p WHERE p.influencer_id = cd.influencer_id AND p.sponsored "
    "AND p.campaign_id IN (SELECT DISTINCT c2.campaign_id FROM conversion_daily c2 "
    "WHERE c2.influencer_id = cd.influencer_id))::float8 AS sponsored_posts "
    "FROM conversion_daily cd GROUP BY cd.influencer_id)"
)
_COLUMNS = (
    "s.influencer_id, s.content_type, s.engagements AS value, s.engagements_low AS value_low, "
    "s.engagements_high AS value_high, s.cost_per_post AS cost, s.cost_low, s.cost_high, "
    "i.followers::float8 AS followers, i.platform, i.follower_tier AS tier, i.handle, i.name, "
    "coalesce(jsonb_array_length(s.anomaly_reasons), 0) > 0 AS flagged, s.model_version_id, "
    "conv.orders, conv.sponsored_posts "
    "FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id "
    "LEFT JOIN conv ON conv.influencer_id = s.influencer_id "
)


def campaign_for_plan(campaign_id: int, conn: Connection | None = None) -> dict[str, Any]:
    """The campaign's id, name, currency, budget and remaining budget (budget − non-cancelled hires)."""
    found = one(
        "SELECT c.id, c.name, c.currency, c.budget::float8 AS budget, (c.budget - coalesce((SELECT "
        "sum(agreed_cost) FROM campaign_influencer h WHERE h.campaign_id = c.id AND h.status <> 'cancelled'), "
        "0))::float8 AS remaining FROM campaign c WHERE c.id = :campaign_id",
        {"campaign_id": campaign_id},
        conn,
    )
    if found is None:
        raise NotFound("campaign", campaign_id)
    return found


def _filters(f: dict[str, Any]) -> Where:
    where = Where().optional("lower(i.platform) = lower(:platform)", platform=f.get("platform"))
    where.optional("lower(i.category) = lower(:category)", category=f.get("category"))
    where.optional("s.content_type = lower(:content_type)", content_type=f.get("content_type"))
    tiers = f.get("tiers") or []
    if tiers:
        where.add("i.follower_tier = ANY(CAST(:tiers AS text[]))", tiers=list(tiers))
    where.optional("i.followers >= :min_followers", min_followers=f.get("min_followers"))
    where.optional("i.followers <= :max_followers", max_followers=f.get("max_followers"))
    if not f.get("include_flagged"):
        where.add("coalesce(jsonb_array_length(s.anomaly_reasons), 0) = 0")
    return where


def plan_candidates(
    campaign_id: int,
    *,
    objective: str = "engagements",
    filters: dict[str, Any] | None = None,
    include: list[int] | None = None,
    exclude: list[int] | None = None,
    exclude_hired: bool = True,
    conn: Connection | None = None,
) -> list[dict[str, Any]]:
    """Priced candidate rows (see the module docstring), ordered by influencer and content type."""
    chosen = _filters(filters or {})
    params: dict[str, Any] = {
        **chosen.params,
        "include": [int(i) for i in include or []],
        "exclude": [int(i) for i in exclude or []],
        "campaign_id": campaign_id,
    }
    matches = f"({' AND '.join(chosen.conditions)})" if chosen.conditions else "TRUE"
    where = Where(
        f"({matches} OR s.influencer_id = ANY(CAST(:include AS bigint[])))",
        "s.cost_per_post IS NOT NULL AND s.cost_per_post > 0",
        "NOT (s.influencer_id = ANY(CAST(:exclude AS bigint[])))",
    )
    if exclude_hired:
        where.add(
            "NOT EXISTS (SELECT 1 FROM campaign_influencer h WHERE h.influencer_id = s.influencer_id "
            "AND h.campaign_id = :campaign_id AND h.status <> 'cancelled')"
        )
    if objective == "conversions":
        where.add("conv.orders > 0 AND conv.sponsored_posts > 0")
    else:
        where.add("s.engagements IS NOT NULL")
    sql = f"WITH {_CONVERSIONS} SELECT {_COLUMNS}{where.sql()} ORDER BY s.influencer_id, s.content_type"  # noqa: S608 - fixed fragments
    return rows(sql, params, conn)


def model_version_of(model_version_id: int | None, conn: Connection | None = None) -> dict[str, Any] | None:
    """{id, version} of the model version that scored the candidates."""
    if model_version_id is None:
        return None
    return one("SELECT id, version FROM model_version WHERE id = :id", {"id": model_version_id}, conn)
