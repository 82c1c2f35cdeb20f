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

# Per influencer with conversions: its orders, and its sponsored posts in the campaigns it has conversion
# rows for. Set-based (one aggregate, one join of the distinct (influencer, campaign) pairs to the posts):
# a subquery per influencer made this 13-29 s of a whole-pool plan at 100,000 influencers (issue 16).
_CONVERSIONS = (
    "conv AS (SELECT o.influencer_id, o.orders, coalesce(sp.n, 0)::float8 AS sponsored_posts "
    "FROM (SELECT influencer_id, sum(orders)::float8 AS orders FROM conversion_daily GROUP BY influencer_id) o "
    "LEFT JOIN (SELECT p.influencer_id, count(*) AS n FROM post p "
    "JOIN (SELECT DISTINCT influencer_id, campaign_id FROM conversion_daily) ic "
    "ON ic.influencer_id = p.influencer_id AND ic.campaign_id = p.campaign_id "
    "WHERE p.sponsored GROUP BY p.influencer_id) sp ON sp.influencer_id = o.influencer_id)"
)
# The candidates are read as one string: every row's values as text joined by SEPARATOR, the rows in one
# ordered string_agg, then split into columns here. 30,000 rows arrive as one value instead of 30,000 rows ×
# 13 values through the driver (measured: 2.0 s → 0.1 s); one aggregate sorts the rows once — one
# string_agg per column sorted them 13 times (294,000 candidates at 100,000 influencers: 2.5 s of sorts
# spilled to disk). float8::text is the shortest exact form; NULL numbers become 'NaN'.
SEPARATOR = "\x1f"  # the ASCII unit separator: text columns hold no control characters (the ETL refuses them)
_ORDER = "ORDER BY s.influencer_id, s.content_type"
_CANDIDATE_COLUMNS = {
    "influencer_id": "s.influencer_id::text",
    "content_type": "s.content_type",
    "value": "coalesce(s.engagements::text, 'NaN')",
    "value_low": "coalesce(s.engagements_low::text, 'NaN')",
    "value_high": "coalesce(s.engagements_high::text, 'NaN')",
    "cost": "s.cost_per_post::text",
    "cost_low": "coalesce(s.cost_low::text, 'NaN')",
    "cost_high": "coalesce(s.cost_high::text, 'NaN')",
    "followers": "coalesce(i.followers::float8::text, '0')",
    "platform": "lower(coalesce(i.platform, ''))",
    "tier": "coalesce(i.follower_tier, '')",
    "orders": "coalesce(conv.orders::text, 'NaN')",
    "sponsored_posts": "coalesce(conv.sponsored_posts::text, 'NaN')",
}
_FROM = (
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
    ids = f.get("influencer_ids")
    if ids:
        where.add(
            "s.influencer_id = ANY(CAST(:influencer_ids AS bigint[]))", influencer_ids=[int(i) for i in ids]
        )
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
) -> tuple[dict[str, list[str]], int | None]:
    """The priced candidates (see the module docstring) as columns of text values, ordered by influencer
    and content type (names: `_CANDIDATE_COLUMNS`), and the model version that scored them."""
    chosen = _filters(filters or {})
    params: dict[str, Any] = {
        **chosen.params,
        "include": [int(i) for i in include or []],
        "exclude": [int(i) for i in exclude or []],
        "campaign_id": campaign_id,
        "sep": SEPARATOR,
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
    row_text = f"concat_ws(:sep, {', '.join(_CANDIDATE_COLUMNS.values())})"
    sql = (f"WITH {_CONVERSIONS} SELECT count(*) AS n, min(s.model_version_id) AS model_version_id, "  # noqa: S608 - fixed fragments
           f"string_agg({row_text}, :sep {_ORDER}) AS candidate_rows {_FROM}{where.sql()}")
    found = one(sql, params, conn) or {"n": 0, "model_version_id": None}
    if not found["n"]:
        return {name: [] for name in _CANDIDATE_COLUMNS}, None
    values, width = found["candidate_rows"].split(SEPARATOR), len(_CANDIDATE_COLUMNS)
    return {name: values[k::width] for k, name in enumerate(_CANDIDATE_COLUMNS)}, found["model_version_id"]


def influencer_labels(ids: list[int], conn: Connection | None = None) -> dict[int, dict[str, Any]]:
    """id → {handle, name} of these influencers (the plan's picks)."""
    found = rows(
        "SELECT id, handle, name FROM influencer WHERE id = ANY(CAST(:ids AS bigint[]))",
        {"ids": [int(i) for i in ids]},
        conn,
    )
    return {int(r["id"]): r for r in found}


def model_version_of(model_version_id: int | None, conn: Connection | None = None) -> dict[str, Any] | None:
    """{id, version} of the model version that scored the candidates."""
    if model_version_id is None:
        return None
    return one("SELECT id, version FROM model_version WHERE id = :id", {"id": model_version_id}, conn)
