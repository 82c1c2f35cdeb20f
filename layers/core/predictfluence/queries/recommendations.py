"""Recommendations and model versions, served from influencer_score and model_version (filled by the
retrain function). No ML code here: the API function ships without numpy / scikit-learn."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.db import get_engine
from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Where
from predictfluence.tiers import TIER_LOWER_BOUNDS, TIERS, follower_tier
from predictfluence.vocab import RANKING_OBJECTIVES, RankingObjective

# the tiers a ranking walks (None: the rows without a tier), or with a budget how each is read (`_tier_top`)
_Walks = tuple[str | None, ...] | dict[str | None, str] | None
_HIRED = "campaign_id = :campaign_id AND status <> 'cancelled'"


def campaign_remaining_budget(campaign_id: int, conn: Connection | None = None) -> float | None:
    """The campaign's budget − the agreed cost of its non-cancelled hires; NotFound for no such campaign."""
    found = one(
        f"SELECT c.budget - coalesce((SELECT sum(agreed_cost) FROM campaign_influencer WHERE {_HIRED}), 0) "  # noqa: S608 - a constant fragment
        "AS remaining FROM campaign c WHERE c.id = :campaign_id",
        {"campaign_id": campaign_id},
        conn,
    )
    if found is None:
        raise NotFound("campaign", campaign_id)
    return float(found["remaining"]) if found["remaining"] is not None else None


def recommend(
    *,
    objective: RankingObjective = "engagements_per_dollar",
    platform: str | None = None,
    category: str | None = None,
    content_type: str | None = None,
    tiers: list[str] | None = None,
    min_followers: int | None = None,
    max_followers: int | None = None,
    campaign_id: int | None = None,
    remaining_budget: float | None = None,
    include_flagged: bool = False,
    limit: int = 20,
    conn: Connection | None = None,
) -> list[dict[str, Any]]:
    """Scored influencers ranked by `objective` (highest first, ties by influencer id; rows without it last,
    by predicted ER), without flagged influencers unless `include_flagged`. Every filter is a fixed
    fragment with bound values; the objective picks one of three fixed column names."""
    if objective not in RANKING_OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r}")
    who = Where()  # the conditions on the influencer alone
    # case-insensitive equality written as ILIKE of the escaped value: the planner estimates it from the
    # column's most common values (lower(x) = … gets a fixed 0.5 %, and then scans and sorts)
    who.optional("i.platform ILIKE :platform ESCAPE '\\'", platform=_literal(platform))
    who.optional("i.category ILIKE :category ESCAPE '\\'", category=_literal(category))
    who.optional("i.followers >= :min_followers", min_followers=min_followers)
    who.optional("i.followers <= :max_followers", max_followers=max_followers)
    where = Where(*who.conditions, **who.params)
    # the tier on the score row (kept equal to the influencer's by triggers): a tier's rows come in
    # objective order from the (content_type, follower_tier, objective) indexes
    for n, tier in enumerate(tiers or []):
        where.add(f"s.follower_tier = :tier{n}", **{f"tier{n}": tier})
    where.optional("s.content_type = lower(:content_type)", content_type=content_type)
    if not include_flagged:  # flagged: any audience-quality reason (bought engagement is the usual cause)
        # (written so that the planner estimates it from the column's common values: a function of the
        # column compared with a constant gets a fixed 0.5 %, and a plan that scans and sorts)
        where.add("(s.anomaly_reasons IS NULL OR s.anomaly_reasons = CAST('[]' AS jsonb))")
    if campaign_id is not None:
        where.add(
            "NOT EXISTS (SELECT 1 FROM campaign_influencer h WHERE h.influencer_id = i.id "
            "AND h.campaign_id = :campaign_id AND h.status <> 'cancelled')",
            campaign_id=campaign_id,
        )
    picked = who if not tiers and _influencers_first(objective, max_followers, conn) else None  # a ceiling: its influencers first
    budget = remaining_budget is not None and picked is None  # each tier's fitting rows walked or read (`_tier_top`)
    if remaining_budget is not None:  # a campaign's: `_fits`
        where.params["remaining"] = remaining_budget
        where.conditions += [] if budget else [_fits("s")]
    walks = (tuple(tiers) if budget else None) if tiers else _tier_walks(min_followers, max_followers)
    if budget and not (walks := _fitting_tiers(walks or (), content_type, where.params, conn)):
        return []  # no score row fits the budget
    sql = _ranking_sql(where, _COLUMN_OF.get(objective, objective), per_content_type=content_type is None, picked=picked,
                       walks=walks, budget=budget)
    found = _without_jit(sql, {**where.params, "limit": limit, "few": _FEW_FITTING}, conn)
    return [
        {
            "rank": rank,
            **{_RENAMED.get(k, k): v for k, v in r.items()},
            "anomaly_reasons": list(r["anomaly_reasons"] or []),
            "cost_is_forecast": True,
        }
        for rank, r in enumerate(found, start=1)
    ]


_TIER_SHARES: dict[str, Any] = {"at": -1e9, "shares": {}}
_TIER_SHARES_TTL_S = 300.0


def _tier_shares(conn: Connection | None) -> dict[str, float]:
    """Each follower tier's share of the influencers, from the planner's statistics (pg_stats: no scan),
    kept for five minutes; {} before the table was analysed."""
    if time.monotonic() - _TIER_SHARES["at"] > _TIER_SHARES_TTL_S:
        found = one("SELECT most_common_vals::text::text[] AS tiers, most_common_freqs AS freqs FROM pg_stats "
                    "WHERE schemaname = current_schema() AND tablename = 'influencer' AND attname = 'follower_tier'",
                    None, conn)
        shares = dict(zip(found["tiers"], found["freqs"], strict=True)) if found and found["tiers"] else {}
        _TIER_SHARES.update(at=time.monotonic(), shares={k: float(v) for k, v in shares.items()})
    return _TIER_SHARES["shares"]


_FEW = 0.10  # a filter matching at most this share of the influencers looks them up


def _influencers_first(objective: str, max_followers: int | None, conn: Connection | None) -> bool:
    """Whether the ranking under a follower ceiling (without a tier filter: a tier's rows come in objective
    order from the (content_type, follower_tier, objective) indexes) starts from the matching influencers
    (then looks their scores up) instead of walking the objective's index until `limit` rows match. The
    planner, assuming the filter independent of the objective, would walk; but engagements per post grow
    with followers, and engagements per dollar falls with them at the price floor: a low tier's rows sit
    at the far end. Looking up costs per matching influencer, walking per row ranked above the matches:
    so look up when the ceiling's tiers hold few (≤ 10 %), or — for engagements — fewer than the tiers above.
    Measured at 100,000 influencers (shares nano 1 %, micro 4 %, mid 50 %, macro 45 %), lookup vs walk:
    engagements micro 56 vs 895 ms, mid 190 vs 108, macro 181 vs 5; per dollar micro 21 vs 126, mid 185
    vs 7; ER micro 17 vs 13, mid 175 vs 5. The rows are the same either way."""
    if max_followers is None:
        return False
    top = follower_tier(max_followers)
    wanted = set(TIERS[: TIERS.index(top) + 1]) if top else set(TIERS)
    shares = _tier_shares(conn)
    if not shares:  # no statistics yet (a small or new table): as before they existed
        return objective == "engagements"
    matched = sum(shares.get(t, 0.0) for t in wanted)
    highest = max((TIERS.index(t) for t in wanted), default=len(TIERS) - 1)
    above = sum(shares.get(t, 0.0) for t in TIERS[highest + 1:])
    return matched <= _FEW or (objective == "engagements" and matched < above)


def _literal(text: str | None) -> str | None:
    """An ILIKE pattern (ESCAPE '\\') that matches `text` exactly, case-insensitively."""
    return None if text is None else text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _without_jit(sql: str, params: dict[str, Any], conn: Connection | None) -> list[dict[str, Any]]:
    """Run the ranking with JIT compilation off (for this transaction): the planner's cost for these
    LIMIT-ed index scans is far above jit_above_cost, and compiling took 40 ms to 1.4 s per request at
    100,000 influencers for a query that then runs in under 10 ms."""
    if conn is None:
        with get_engine().begin() as own:
            return _without_jit(sql, params, own)
    conn.execute(sa.text("SET LOCAL jit = off"))
    return rows(sql, params, conn)


# the objective -> its influencer_score column (the other objectives are named after theirs)
_COLUMN_OF = {"engagement_rate": "predicted_er"}

# score columns -> the names the API shows
_RENAMED = {
    "predicted_er": "predicted_engagement_rate",
    "er_low": "interval_low",
    "er_high": "interval_high",
    "engagements": "expected_engagements",
    "engagements_low": "expected_engagements_low",
    "engagements_high": "expected_engagements_high",
    "per_dollar_low": "engagements_per_dollar_low",
    "per_dollar_high": "engagements_per_dollar_high",
}


def _fits(alias: str, plus: str = "") -> str:
    """Whether the row's cost fits the campaign's remaining budget: the forecast cost of a post when there is
    one, else the average of past hires (looked up only then); a row with neither stays in. A range on
    cost_per_post (the (content_type, follower_tier, cost_per_post) index) OR the rows without one."""
    return (
        f"({alias}.cost_per_post {plus}<= :remaining OR {alias}.cost_per_post IS NULL "
        f"AND coalesce({_past_cost(alias)}, :remaining) <= :remaining)"
    )


def _past_cost(alias: str) -> str:
    """The average agreed cost of the influencer's earlier non-cancelled hires (an index lookup)."""
    return (
        "(SELECT avg(h.agreed_cost)::float8 FROM campaign_influencer h "  # noqa: S608 - a fixed alias
        f"WHERE h.influencer_id = {alias}.influencer_id AND h.status <> 'cancelled' AND h.agreed_cost > 0)"
    )


_COLUMNS = (
    "s.influencer_id, s.content_type, s.predicted_er, s.er_low, s.er_high, s.engagements, s.engagements_low, "
    "s.engagements_high, s.engagements_per_dollar, s.per_dollar_low, s.per_dollar_high, s.cost_per_post, "
    "s.cost_low, s.cost_high, s.performance_tier, s.tier_probability, s.anomaly_score, s.anomaly_reasons, "
    "s.rationale, i.handle, i.name, i.platform, i.category, i.country, i.followers, i.follower_tier "
)
# the rows to rank: every score with its influencer, or (`picked`) the scores of the matching influencers
_JOINED = "FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id "
_PICKED = (
    "FROM picked i CROSS JOIN LATERAL "
    "(SELECT * FROM influencer_score s WHERE s.influencer_id = i.id OFFSET 0) s "  # OFFSET 0: look up per row
)


def _top(
    where: Where, column: str, source: str, *extra: str, walks: _Walks = None, fit: str | None = None
) -> str:
    """The top `limit` rows in `_order(column)`: the rows with a value of `column`, then (only when those
    are fewer than `limit`) the rows without one, by predicted ER. `walks` (no tier filter): each is the
    top `limit` of every one of these tiers merged, each tier read in order from its
    (content_type, follower_tier, objective DESC, influencer_id) index — the only ranking indexes. `fit`
    (a campaign's budget): the content type's SQL, to count each tier's fitting rows (`_tier_top`)."""
    if column == "predicted_er":
        return _merged(where, "predicted_er", source, extra, walks, fit)
    ranked = _merged(where, column, source, (*extra, f"s.{column} IS NOT NULL"), walks, fit)
    unranked = _merged(where, "predicted_er", source, (*extra, f"s.{column} IS NULL"), walks, fit)
    return f"SELECT * FROM (({ranked}) UNION ALL ({unranked})) u LIMIT :limit"  # noqa: S608 - fixed fragments


def _tier_walks(low: int | None, high: int | None) -> tuple[str | None, ...]:
    """The tiers whose follower range meets [low, high] (a tier outside the bounds has no match: its walk
    would read the whole tier); None, the rows without a tier (no follower count), only without bounds."""
    bounds = [*TIER_LOWER_BOUNDS.values(), None]
    kept: list[str | None] = [t for t, lo, up in zip(TIERS, bounds, bounds[1:], strict=False)
                              if (high is None or lo <= high) and (low is None or up is None or up > low)]
    return (*kept, None) if low is None and high is None else tuple(kept)


def _merged(
    where: Where, column: str, source: str, extra: tuple[str, ...], walks: _Walks,
    fit: str | None = None,
) -> str:
    """The top `limit` rows by `column` DESC, influencer_id: read in that order, or, over the tiers of
    `walks` (None: the rows without a tier), one ordered index walk per tier merged by PostgreSQL (a
    Merge Append of the per-tier (content_type, follower_tier, objective DESC, influencer_id) scans stops
    after `limit` rows in all). The tier names are fixed vocabulary. The statement is longer than pg8000's
    8 KiB write buffer; predictfluence.db sends it without Nagle's delay (TCP_NODELAY)."""
    order = f"ORDER BY s.{column} DESC, s.influencer_id LIMIT :limit"
    if walks is None:
        return f"SELECT {_COLUMNS}{source}{where.sql(*extra)} {order}"
    parts = [part for t in walks for part in _tier_top(where, column, source, (*extra, _tier_is(t)), t, fit, walks)]
    return f"SELECT * FROM ({' UNION ALL '.join(parts)}) t ORDER BY {column} DESC, influencer_id LIMIT :limit"  # noqa: S608


# a tier's rows whose cost fits a campaign's remaining budget are read and sorted, rather than found by the
# walk, when fewer than this many of its score rows of the content type fit (or have no cost)
_FEW_FITTING = 2_000

# the content types (a loose index scan)
_TYPES = (
    "types AS (SELECT min(content_type) AS ct FROM influencer_score UNION ALL "
    "SELECT (SELECT min(content_type) FROM influencer_score WHERE content_type > types.ct) "
    "FROM types WHERE types.ct IS NOT NULL)"
)


def _fitting(fit: str, tier: str | None) -> str:
    """How many of the tier's score rows of the content type `fit` (SQL) fit :remaining or have no cost, up
    to :few each: two index-only scans of (content_type, follower_tier, cost_per_post)."""
    rows_of = f"SELECT 1 FROM influencer_score x WHERE x.content_type = {fit} AND {_tier_is(tier, 'x')} AND x.cost_per_post"  # noqa: S608
    return f"(SELECT count(*) FROM (({rows_of} <= :remaining LIMIT :few) UNION ALL ({rows_of} IS NULL LIMIT :few)) n)"  # noqa: S608


def _fitting_tiers(
    walks: tuple[str | None, ...], content_type: str | None, params: dict[str, Any], conn: Connection | None
) -> dict[str | None, str]:
    """The tiers of `walks` that have rows fitting the budget, each with how to read them (`_tier_top`):
    "walk" when every content type has :few or more, "read" when each has fewer, else "either" (chosen in
    the query per content type). One query of capped counts: a tier with nothing that fits is left out."""
    fit, source = ("t.ct", f"WITH RECURSIVE {_TYPES} SELECT") if content_type is None else ("lower(:content_type)", "SELECT")
    counts = ", ".join(f"{_fitting(fit, t)} AS n{k}" for k, t in enumerate(walks))
    where = "FROM types t WHERE t.ct IS NOT NULL" if content_type is None else ""
    found = rows(f"{source} {counts} {where}", {**params, "few": _FEW_FITTING}, conn)  # noqa: S608
    kept: dict[str | None, str] = {}
    for k, tier in enumerate(walks):
        n = [int(r[f"n{k}"]) for r in found]
        if any(n):
            kept[tier] = "walk" if min(n) >= _FEW_FITTING else "read" if max(n) < _FEW_FITTING else "either"
    return kept


def _tier_top(
    where: Where, column: str, source: str, extra: tuple[str, ...], tier: str | None, fit: str | None,
    walks: _Walks,
) -> list[str]:
    """One tier's top `limit` by `column` DESC, influencer_id: its index walk; with a campaign's budget
    (`fit`: the content type's SQL) two branches of which one runs, chosen by a count of the tier's rows
    that fit the budget (or have no cost), capped at :few, in (content_type, follower_tier, cost_per_post):
    :few or more, the walk (it meets fitting rows soon); fewer, those rows read from that index and
    sorted — a walk past the tier's rows that do not fit would read the whole tier for nothing (a nearly
    spent campaign at 1M: 1.5-4 s). Both give the same rows. The counts come first (`_fitting_tiers`, the
    choice in `walks`); "either" keeps both branches, the count (per content type) a one-time filter."""
    order = f"ORDER BY s.{column} DESC, s.influencer_id"
    if fit is None:
        return [f"(SELECT {_COLUMNS}{source}{where.sql(*extra)} {order} LIMIT :limit)"]  # noqa: S608
    choice = walks[tier] if isinstance(walks, dict) else "either"
    many, few = ((f"{_fitting(fit, tier)} >= :few",), (f"{_fitting(fit, tier)} < :few",)) if choice == "either" else ((), ())
    # the walk: the budget filters the walked rows (`cost_per_post + 0`: no index range on it, whose estimate,
    # cost and objective taken as independent, would have the planner read every fitting row and sort them)
    walk = f"(SELECT {_COLUMNS}{source}{where.sql(*extra, _fits('s', '+ 0'), *many)} {order} LIMIT :limit)"  # noqa: S608
    read = f"SELECT {_COLUMNS}{source}{where.sql(*extra, _fits('s'), *few)} OFFSET 0"  # noqa: S608
    read = f"(SELECT * FROM ({read}) f ORDER BY {column} DESC, influencer_id LIMIT :limit)"  # noqa: S608
    return [walk] if choice == "walk" else [read] if choice == "read" else [walk, read]


def _tier_is(tier: str | None, alias: str = "s") -> str:
    """The condition of one tier's walk (None: the rows without a tier). Tiers are the fixed vocabulary."""
    if tier is None:
        return f"{alias}.follower_tier IS NULL"
    if tier not in TIERS:
        raise ValueError(f"not a follower tier: {tier!r}")
    return f"{alias}.follower_tier = '{tier}'"


def _order(column: str) -> str:
    """The ranking (before the influencer id, which breaks ties): `column` DESC NULLS LAST; the rows
    without it (scored before the cost model existed) by predicted ER."""
    if column == "predicted_er":
        return "predicted_er DESC"
    return f"{column} DESC NULLS LAST, CASE WHEN {column} IS NULL THEN predicted_er END DESC"


def _ranking_sql(
    where: Where, column: str, *, per_content_type: bool, picked: Where | None,
    walks: _Walks = None, budget: bool = False,
) -> str:
    order, walks = _order(column), walks if picked is None else None  # `picked` looks up per influencer
    fit = ("t.ct" if per_content_type else "lower(:content_type)") if budget else None
    source = _JOINED if picked is None else _PICKED
    ctes = "" if picked is None else f"picked AS MATERIALIZED (SELECT * FROM influencer i {picked.sql()}), "  # noqa: S608
    if not per_content_type:
        # (influencer, content type) is the key: rank directly (each tier's index, merged)
        top = _top(where, column, source, walks=walks, fit=fit)
        ranked = f"SELECT * FROM ({top}) x ORDER BY {order}, influencer_id LIMIT :limit"  # noqa: S608
        return _with_past_cost(f"WITH {ctes[:-2]} {ranked}" if ctes else ranked, order)
    # One row per influencer, its best content type. An influencer in the top `limit` has its best row
    # in the top `limit` of that content type (every row above it there is another influencer with a
    # better best), so: the content types (a loose index scan), the top `limit` of each through the
    # per-tier (content_type, follower_tier, objective) indexes, then the best row per influencer — never a
    # sort of the table.
    per_type = _top(where, column, source, "s.content_type = t.ct", walks=walks, fit=fit)
    ranked = (
        f"WITH RECURSIVE {ctes}{_TYPES}, "  # noqa: S608
        f"candidates AS (SELECT x.* FROM types t CROSS JOIN LATERAL ({per_type}) x WHERE t.ct IS NOT NULL), "
        f"best AS (SELECT DISTINCT ON (influencer_id) * FROM candidates ORDER BY influencer_id, {order}, content_type) "
        f"SELECT * FROM best ORDER BY {order}, influencer_id LIMIT :limit"
    )
    return _with_past_cost(ranked, order)


def _with_past_cost(ranked: str, order: str) -> str:
    """The ranked rows with their past-hires average, looked up for these rows only."""
    return (
        f"SELECT r.*, {_past_cost('r')} AS past_agreed_cost FROM ({ranked}) r ORDER BY {order}, influencer_id"  # noqa: S608
    )


def scoring_model(conn: Connection | None = None) -> dict[str, Any] | None:
    """The model version that wrote the current scores."""
    return one(
        "SELECT m.id, m.version, m.trained_at FROM model_version m "
        "WHERE m.id = (SELECT model_version_id FROM influencer_score LIMIT 1)",
        None,
        conn,
    )


def model_versions(
    kind: str | None = None, limit: int = 50
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Recent versions (newest first) and the champion (of `kind`, else of any kind)."""
    select = (
        "SELECT id, kind, version, status, metrics, details ->> 'decision' AS decision, artifact_uri, sha256, "
        "trained_at, CAST(details -> 'data_window' ->> 'train_rows' AS integer) AS train_rows, "
        "CAST(coalesce(details -> 'data_window' ->> 'holdout_rows', metrics ->> 'holdout_rows') AS integer) "
        "AS holdout_rows FROM model_version WHERE (CAST(:kind AS text) IS NULL OR kind = :kind) "
    )
    with get_engine().connect() as conn:
        items = rows(
            select + "ORDER BY trained_at DESC, id DESC LIMIT :limit", {"kind": kind, "limit": limit}, conn
        )
        champion = one(
            select + "AND status = 'champion' ORDER BY trained_at DESC LIMIT 1", {"kind": kind}, conn
        )
    return items, champion
