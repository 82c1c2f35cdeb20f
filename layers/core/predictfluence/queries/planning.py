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

import contextlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.db import get_engine
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
# Other objectives read no conversions: an empty `conv` keeps one statement shape without the aggregate
# over every conversion and sponsored post (seconds at 1,000,000 influencers).
_NO_CONVERSIONS = "conv AS (SELECT NULL::bigint AS influencer_id, NULL::float8 AS orders, NULL::float8 AS sponsored_posts WHERE false)"
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
# The pool of an engagements plan without a filter or platform group on the influencer: one scan of
# influencer_score (a count: 0.67 s at 1,000,000 influencers, 2.94M rows) instead of a hash join with
# influencer (1.93 s) and the empty conversions join; its tier groups use the score's copy of the follower
# tier (kept equal by triggers). The kept rows join the influencer for its columns.
_FROM_SCORES = "FROM influencer_score s "
_INFLUENCER_FILTERS = ("platform", "category", "tiers", "min_followers", "max_followers")


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


# Per objective: a row's forecast per post, one of the cut's orderings (see PoolCut).
_WORTH = {
    "engagements": "s.engagements",
    "conversions": "(conv.orders / conv.sponsored_posts)",
    "reach": "coalesce(i.followers, 0)::float8",
}


_GROUP_COLUMNS = ("platform", "tier")  # the pool's columns a share constraint groups by
_FETCH_GROWTH = 4  # a cut ordering read too few rows to cover its spend: read this many times more
# The cut's top-N reads keep 20,000 rows of ~200 bytes each in a heap; at the default 4 MB they spilled to
# an external sort of the whole pool (1.7 s per ordering at 1,000,000 influencers, EXPLAIN ANALYZE).
_WORK_MEM = "64MB"


@dataclass(frozen=True)
class PoolCut:
    """How a candidate pool is cut before the solver (docs/ml.md, "The pool cut"). Rows are ordered by the
    objective's forecast per unit of cost (what a budget-bound plan takes first), by the forecast per post
    (what a plan bound by its influencer count takes first) and, within each share group of `groups`
    ({"platform": lower-case platforms, "tier": tiers}: the request's share constraints), by forecast per
    cost. A row is kept when, in one of these orderings, it is among the first `rows` or the rows before
    it cost less than `spend` at `min_posts` posts each (for reach, which counts an influencer once, only
    an influencer's first row in the ordering counts). Rows costing more than `budget` at `min_posts` posts
    fit no plan and are left out of the forecast ordering. So that a plan can fill its budget's remainder
    with the best row of any size, each ordering also keeps, among its first `depth` rows, the first
    `band_rows` of each cost band (a power of two: 256-511, 512-1,023, ...). The pinned influencers' rows
    are always kept. Ties go by influencer and content type."""

    rows: int
    spend: float
    budget: float = float("inf")
    band_rows: int = 0
    depth: int = 0
    min_posts: int = 1
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _orderings(cut: PoolCut) -> list[tuple[str, str, dict[str, Any]]]:
    """(WHERE of the pool, ordering column, parameters) of each of the cut's orderings."""
    # by forecast: only rows that fit the budget (the costliest accounts lead it otherwise and fit no plan);
    # by forecast per cost: every row (a budget below every row's cost must reach the planner's own check)
    found: list[tuple[str, str, dict[str, Any]]] = [("", "rate", {}), ("WHERE spend <= :cut_budget", "worth", {})]
    for column in _GROUP_COLUMNS:
        for k, group in enumerate(cut.groups.get(column, ())):
            found.append((f"WHERE {column} = :{column}_{k}", "rate", {f"{column}_{k}": group}))
    return found


_KEPT = "influencer_id, content_type"


def _pool_sql(
    objective: str, where: Where, cut: PoolCut | None, include: bool, join: bool
) -> tuple[str, dict[str, Any], int]:
    """The `pool` (every candidate key, its worth, worth per cost, cost at min_posts posts and groups) and
    `kept` (the keys the cut keeps; all of them without a cut) CTEs, with their parameters, and how many
    orderings the cut reads (`top_k`: the first :fetch rows of ordering k — a bounded top-N sort, not a
    sort of the pool). The statement's `short` says whether an ordering's :fetch rows all fell within the
    spend: then more rows might be kept and the caller reads again with a larger :fetch."""
    worth = _WORTH[objective]
    groups = "lower(coalesce(i.platform, '')) AS platform, coalesce(i.follower_tier, '') AS tier"
    if not join:  # `join`: a filter, a platform group or the objective reads the influencer
        groups = "'' AS platform, coalesce(s.follower_tier, '') AS tier"
    pool = (  # noqa: S608 - fixed fragments; values are bound
        f"pool AS MATERIALIZED (SELECT s.influencer_id, s.content_type, {worth} AS worth, "
        f"{worth} / s.cost_per_post AS rate, s.cost_per_post * :min_posts AS spend, {groups} "
        f"{_FROM if join else _FROM_SCORES}{where.sql()})"
    )
    if cut is None:
        return f"{pool}, kept AS (SELECT {_KEPT} FROM pool)", {"min_posts": 1}, 0  # noqa: S608
    ctes, keeps, params = [pool], [], {}
    if include:  # the pinned influencers' rows
        keeps.append(f"SELECT {_KEPT} FROM pool WHERE influencer_id = ANY(CAST(:include AS bigint[]))")  # noqa: S608
    orderings = _orderings(cut)
    for k, (condition, column, values) in enumerate(orderings):
        order = f"{column} DESC, influencer_id, content_type"
        ctes.append(
            f"top_{k} AS (SELECT {_KEPT}, spend, band_rank, row_number() OVER (ORDER BY {order}) AS rank, "  # noqa: S608
            f"sum(spend) OVER (ORDER BY {order}) - spend AS before FROM (SELECT {_KEPT}, worth, rate, CASE WHEN "
            f"row_number() OVER (PARTITION BY influencer_id ORDER BY {order}) > 1 AND :once THEN 0 ELSE spend END "
            f"AS spend, row_number() OVER (PARTITION BY floor(ln(spend) / ln(2.0)) ORDER BY {order}) AS band_rank "
            f"FROM (SELECT * FROM pool {condition} ORDER BY {order} LIMIT :fetch) t) u)"
        )
        keeps.append(
            f"SELECT {_KEPT} FROM top_{k} WHERE rank <= :cut_rows OR before < :cut_spend OR band_rank <= :band_rows"  # noqa: S608
        )
        params.update(values)
    ctes.append(f"kept AS ({' UNION '.join(keeps)})")
    params.update({"min_posts": int(cut.min_posts), "cut_rows": int(cut.rows), "cut_spend": float(cut.spend)})
    params.update({"cut_budget": float(cut.budget), "band_rows": int(cut.band_rows)})
    params["once"] = objective == "reach"  # reach counts an influencer once: its other rows add no spend
    return ", ".join(ctes), params, len(orderings)


def plan_candidates(
    campaign_id: int,
    *,
    objective: str = "engagements",
    filters: dict[str, Any] | None = None,
    include: list[int] | None = None,
    exclude: list[int] | None = None,
    exclude_hired: bool = True,
    cut: PoolCut | None = None,
    conn: Connection | None = None,
) -> tuple[dict[str, list[str]], int | None, int]:
    """The priced candidates (see the module docstring) as columns of text values, ordered by influencer
    and content type (names: `_CANDIDATE_COLUMNS`), the model version that scored them, and how many rows
    the filters left (the pool). With a `cut`, only the rows it keeps (see PoolCut)."""
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
    join = objective != "engagements" or any((filters or {}).get(k) for k in _INFLUENCER_FILTERS)
    join = join or bool(cut and cut.groups.get("platform"))
    ctes, cut_params, orderings = _pool_sql(objective, where, cut, bool(include), join)
    row_text = f"concat_ws(:sep, {', '.join(_CANDIDATE_COLUMNS.values())})"
    conv = _CONVERSIONS if objective == "conversions" else _NO_CONVERSIONS
    short = " OR ".join(
        f"(SELECT count(*) = :fetch AND coalesce(sum(spend), 0) < :cut_spend FROM top_{k})"  # noqa: S608
        for k in range(orderings)
    ) or "false"
    sql = (f"WITH {conv}, {ctes} SELECT (SELECT count(*) FROM pool) AS total, {short} AS short, "  # noqa: S608
           f"count(*) AS n, min(s.model_version_id) AS model_version_id, "
           f"string_agg({row_text}, :sep {_ORDER}) AS candidate_rows "
           f"{_FROM}JOIN kept k ON k.influencer_id = s.influencer_id AND k.content_type = s.content_type")
    fetch = max(int(cut.rows), int(cut.depth), 1) if cut else 0
    with contextlib.ExitStack() as stack:
        conn = conn if conn is not None else stack.enter_context(get_engine().connect())
        conn.execute(sa.text(f"SET LOCAL work_mem = '{_WORK_MEM}'"))  # this transaction only
        while True:
            found = one(sql, {**params, **cut_params, "fetch": fetch}, conn) or {"n": 0, "total": 0, "short": False}
            if not found["short"] or fetch >= int(found["total"]):
                break
            fetch *= _FETCH_GROWTH  # a budget larger than the first rows' cost: read further (docs/ml.md)
    if not found["n"]:
        return {name: [] for name in _CANDIDATE_COLUMNS}, None, int(found["total"] or 0)
    values, width = found["candidate_rows"].split(SEPARATOR), len(_CANDIDATE_COLUMNS)
    columns = {name: values[k::width] for k, name in enumerate(_CANDIDATE_COLUMNS)}
    return columns, found["model_version_id"], int(found["total"])


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
