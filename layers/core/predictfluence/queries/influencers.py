"""Influencer list and profile (lookalikes: predictfluence.queries.lookalikes)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.db import get_engine
from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.filters import Where, like_pattern, page_params
from predictfluence.queries.influencer_filter import AllInfluencers as _AllInfluencers
from predictfluence.queries.influencer_filter import InfluencerFilter
from predictfluence.queries.influencer_pages import TIER_RANGES, PageSql
from predictfluence.queries.influencer_probe import CANDIDATE_SET, NOBODY, audience_candidates, audience_walk
from predictfluence.queries.influencer_search import SAMPLE, dense_matches, sample, walk_is_futile
from predictfluence.queries.rollups import rollup_rows, version
from predictfluence.rollup_tables import NAME_SORT_KEY, SEARCH_SEPARATOR
from predictfluence.vocab import AUDIENCE_DIMENSIONS

# sort name -> SQL expression over influencer_stats (the only identifiers that ever reach ORDER BY)
SORTS: dict[str, str] = {
    "followers": "followers",
    "avg_er": "avg_engagement_rate",
    "avg_likes": "avg_likes",
    "avg_views": "avg_views",
    "avg_comments": "avg_comments",
    "name": NAME_SORT_KEY,
}

# filter name -> (column, operator): the figure ranges (the figures are the posts' or, without any, the snapshot's)
RANGES: dict[str, tuple[str, str]] = {
    "min_er": ("avg_engagement_rate", ">="),
    "max_er": ("avg_engagement_rate", "<="),
    "min_avg_likes": ("avg_likes", ">="),
    "max_avg_likes": ("avg_likes", "<="),
    "min_avg_views": ("avg_views", ">="),
    "max_avg_views": ("avg_views", "<="),
    "min_avg_comments": ("avg_comments", ">="),
    "max_avg_comments": ("avg_comments", "<="),
    "min_growth_30d": ("growth_30d", ">="),
    "max_growth_30d": ("growth_30d", "<="),
    "min_growth_90d": ("growth_90d", ">="),
    "max_growth_90d": ("growth_90d", "<="),
}
# a text search: handle, name or category contains :q (like_pattern), case-insensitively; on search_text, lowercased
# once by the rollup, not three ILIKEs lowercasing every value they compare (migration b9e4c7a2d5f8)
SEARCH = "search_text LIKE lower(:q) ESCAPE '\\'"
# "at least :s_<d> of the audience is in bucket :a_<d>" (op ">="; no least share: op ">", any share above 0); d: a
# vocabulary dimension. The shares are on the rollup row (influencer_stats.audience, migration a9c4e2f71d35): a
# semi-join on audience_share hashed every audience row above the share before the first match (docs/benchmarks.md).
AUDIENCE = "(audience -> '{d}' ->> lower(:a_{d}))::float8 {op} CAST(:s_{d} AS float8)"
# which influencers are flagged, in short (through the partial index ix_influencer_score_flagged)
FLAGGED_SET = (
    "SELECT count(*), coalesce(sum(influencer_id), 0), coalesce(sum(influencer_id * influencer_id), 0) "
    "FROM influencer_score WHERE anomaly_reasons IS NOT NULL AND anomaly_reasons <> CAST('[]' AS jsonb)"
)
# A filtered list counts its matches up to this many; past it the total is a lower bound (exact = False: the API's
# page_info.total_exact, the UI shows "5,000+"): an exact count of a 3-letter search at 1M influencers read tens of
# thousands of wide rollup rows (0.5-5 s: docs/benchmarks.md, "1M influencers"). The unfiltered count stays exact.
COUNT_CAP = 5000
# rows of the sort index a filtered page walks first (see _walk_or_sort); a text search's walk reads the sort
# index alone (index-only), INDEX_ONLY_WALK times as far, before it sorts every match found by the trigram indexes
WALK_BUDGET = 20_000
INDEX_ONLY_WALK = 5
# A filter on covered columns whose walk on to the page would pass more index entries than SORT_WEIGHT times its
# matches sorts them within the first scan's bound instead, when an index covers them (a match sorted costs 0.5-0.9
# µs, an entry walked ~0.2): twitch nano influencers by views walked 595,000 entries (125 ms) where their own index
# holds 60,000 (15 ms; docs/benchmarks.md, "Platform, tier and multi-select filters")
SORT_WEIGHT = 4
# A text search the walk did not fill a page of sorts every match the trigram index finds; left to choose, the
# planner walked the sort index up to the first scan's bound, 350,000 entries where the matches cluster in the sort
# order (1M, q=ann by name: 496 ms against 175 ms for the matches' heap pages; docs/benchmarks.md, "Text search at 1M")
TRIGRAMS_ONLY = "SELECT " + ", ".join(f"set_config('enable_{s}', 'off', true)" for s in ("seqscan", "indexscan", "indexonlyscan"))
# any audience-quality flag: a score of the influencer with anomaly reasons
FLAGGED = (
    "EXISTS (SELECT 1 FROM influencer_score f WHERE f.influencer_id = influencer_stats.influencer_id "
    "AND f.anomaly_reasons IS NOT NULL AND f.anomaly_reasons <> CAST('[]' AS jsonb))"
)


def list_influencers(filters: InfluencerFilter | None = None) -> tuple[list[dict[str, Any]], int]:
    """One page of influencers and the total matching the filters (COUNT_CAP when more match: see list_page)."""
    found, total, _ = list_page(filters)
    return found, total


def list_page(filters: InfluencerFilter | None = None) -> tuple[list[dict[str, Any]], int, bool]:
    """One page of influencers (from the influencer_stats rollup), the total matching the filters and whether
    that total is exact (False: more than COUNT_CAP match; the total says COUNT_CAP)."""
    f = filters or _AllInfluencers()
    narrow, wide = _conditions(f)
    params = {**narrow.params, **wide.params, **page_params(f)}
    page = PageSql(SORTS[f.sort], f.order)
    with get_engine().connect() as conn, conn.begin():
        # one audience filter alone that many pass: a walk, the total known from its index
        if not narrow and (found := audience_walk(conn, f, page, wide.sql(), params, COUNT_CAP, WALK_BUDGET)):
            return found, COUNT_CAP, False
        candidate_set: list[str] = []  # what restricts the scans that fetch every match further
        # fewer pass an audience filter: as a set only without other filters, whose indexes drive the scans (the
        # set's count, ~12 ms at 30,000 candidates, doubled list_discovery's p50 at 1M)
        if (candidates := audience_candidates(conn, f, as_set=not narrow)) is not None:
            condition, values = candidates
            if condition == NOBODY:
                return [], 0, True
            params.update(values)
            # the scans that fetch every match probe a set by id; the walk filters the rows it passes (joining
            # the set there read every candidate's rollup row: docs/benchmarks.md, "Audience filters past the probe")
            if condition == CANDIDATE_SET:
                candidate_set.append(condition)
            else:
                narrow.add(condition, **values)
        where_sql = narrow.sql(*wide.conditions)
        if f.q is not None:  # the trigram index, not a scan of the whole rollup filtering with LIKE
            conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
        key = _total_key(conn, where_sql, params)
        paged = (key, f.sort, f.order, params["limit"])  # the first scan's bounds, by page size
        found, total, bounds = None, _totals.get(key), _bounds.get(paged)
        sampled = None  # a text search on covered columns alone: its matches' density along the sort index
        if total is None and f.q is not None and not wide and not candidate_set:  # dense: along the sort index
            sampled = sample(conn, page, where_sql, params)
            found, total, bounds = dense_matches(conn, page, where_sql, params, COUNT_CAP, sampled) or (None,) * 3
        if where_sql and (total is None or total <= COUNT_CAP):
            found, total, bounds = _few_matches(conn, page, narrow.sql(*wide.conditions, *candidate_set), params)
        elif total is None:
            total = _count(conn, where_sql, params)
        _remember(key, total, paged, bounds)
        # many matches (or no filter): walk the sort index until a page matches
        if found is None and total:
            if f.q is not None:
                conn.execute(sa.text("SET LOCAL enable_seqscan = on"))
            # parallel workers only add start-up to a walk that stops early (docs/benchmarks.md, "Figures behind code decisions")
            conn.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
            found = _walk_or_sort(conn, f, page, narrow, wide, params, bounds, candidate_set, sampled)
    exact = not where_sql or total <= COUNT_CAP
    return found or [], (total if exact else COUNT_CAP), exact


def _few_matches(
    conn: Connection, page: PageSql, where_sql: str, params: dict[str, Any]
) -> tuple[list[dict[str, Any]] | None, int, list[Any] | None]:
    """The page and the total of a filtered list in one scan when at most COUNT_CAP rows match (the page is
    None past that: the total is then a lower bound, COUNT_CAP + 1; the scan stops there). Few matches are fetched
    narrow (id and sort key), counted and sorted, and only the page's rows are read whole: walking the sort index
    instead filters every row it passes, with ILIKE for a text search, and for filters that correlate with the
    sort (high ER and low followers) it passed most of the rollup before `limit` rows matched (figures:
    docs/benchmarks.md, "Figures behind code decisions"). Past the cap, the sort keys where the pages of those
    COUNT_CAP + 1 matches end are the bounds the same pages of all of them lie within (PageSql.within); else
    None."""
    found = rows(page.of_matches(where_sql, COUNT_CAP + 1, counted=True), params, conn)
    total = int(found[0]["pf_total"]) if found else _count(conn, where_sql, params)  # a page past the end
    bounds = found[0]["pf_bounds"] if found else None
    for row in found:
        del row["pf_total"], row["pf_bounds"]
    return (found if total <= COUNT_CAP else None), total, bounds


def _walk_or_sort(
    conn: Connection, f: InfluencerFilter, page: PageSql, narrow: Where, wide: Where, params: dict[str, Any],
    bounds: list[Any] | None = None, candidate_set: list[str] | None = None, sampled: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """A page along the sort index; with a filter, walk at most WALK_BUDGET rows of it first. The walk reads the
    sort index alone when no audience filter is asked (it covers the other filters' columns: influencer_pages),
    and the page's rows by id after. When those rows hold no full page (a sparse filter's deep page, or a filter
    correlated with the sort: a tier sorted by ER), a filter on covered columns walks on as far as the page needs
    (index-only, or whatever plan the planner prefers) or, where that is longer and an index covers the filter,
    sorts its matches within the first scan's bound (_sorting_is_shorter); a text search or an audience filter
    fetches every match narrow (id + sort key: the trigram indexes, the rows; restricted to `candidate_set` too,
    the audience filter's candidates), sorts, and reads the page's rows by id — a search with selective trigrams
    without the walk when its matches' density in the `sampled` entries says it cannot fill the page (figures: docs/benchmarks.md,
    "Figures behind code decisions", "The list's walk index-only", "Audience filters past the probe")."""
    tier = TIER_RANGES.get((f.tier or "").lower(), "") if f.sort == "followers" else ""  # other sorts: own index
    tier = f"WHERE {tier}" if tier else ""
    filtered = bool(narrow or wide)
    budget = WALK_BUDGET * (INDEX_ONLY_WALK if f.q is not None and not wide else 1) if filtered else 0
    searched = f.q is not None and not wide and not candidate_set  # a text search on covered columns
    skip = searched and walk_is_futile(conn, page, str(f.q), narrow.sql(), params, budget, sampled)
    found = [] if skip else rows(page.walk(tier, budget, narrow.sql(), wide.sql()), params, conn)
    if len(found) == params["limit"] or not filtered:
        return found
    # no further than where the first scan's page ended, when it filled one (_few_matches)
    within: list[str] = []
    if bound := page.within(bounds, params["offset"], params["limit"]):
        within, params = [bound[0]], {**params, "pf_bound": bound[1]}
    if f.q is None and not wide:  # the sort index alone as far as the page needs, or the matches within the bound
        matches = page.of_matches(narrow.sql(*within))
        # a range of the sort key itself (min_followers sorted by followers) walks on from the range's first entry
        if within and not _sort_key_bounded(f) and _sorting_is_shorter(conn, page, narrow.sql(), within[0], matches, params):
            return rows(matches, params, conn)
        return rows(page.walk("", 0, narrow.sql(*within), ""), params, conn)
    if f.q is not None:  # the trigram indexes again, not the sort index's range up to the bound (TRIGRAMS_ONLY)
        conn.execute(sa.text(TRIGRAMS_ONLY))
    return rows(page.of_matches(narrow.sql(*wide.conditions, *(candidate_set or ()), *within)), params, conn)


def _sort_key_bounded(f: InfluencerFilter) -> bool:
    """Whether a filter bounds the sort key (a followers range or a tier sorted by followers, an ER range by ER)."""
    names = [name for name, (column, _) in RANGES.items() if column == SORTS[f.sort]]
    if f.sort == "followers":
        names += ["min_followers", "max_followers", "tier"]
    return any(getattr(f, name) is not None for name in names)


def _sorting_is_shorter(
    conn: Connection, page: PageSql, narrow_sql: str, within: str, matches: str, params: dict[str, Any]
) -> bool:
    """Whether sorting the matches within the first scan's bound (`matches`, PageSql.of_matches) costs less than
    walking on to the page. The walk passes at most the sort index's entries up to the bound (`within`), and
    about (offset + limit) / density of them (the matches' density among its first SAMPLE); the sort reads,
    index-only, as many entries as the planner expects to match `narrow_sql`, each SORT_WEIGHT times an entry
    walked (docs/benchmarks.md, "Platform, tier and multi-select filters"). A plan through the rollup's heap (no
    index covers the filter) walks on."""
    sort = SORT_WEIGHT * _plan(conn, f"SELECT 1 FROM influencer_stats {narrow_sql}", params)["Plan Rows"]  # noqa: S608
    if _plan(conn, f"SELECT 1 FROM influencer_stats WHERE {within}", params)["Plan Rows"] <= sort:  # noqa: S608
        return False
    sampled = rows(page.walked_count(narrow_sql, SAMPLE), params, conn)[0]  # an aggregate: one row
    if sampled["n"] and (params["offset"] + params["limit"]) * sampled["walked"] <= sort * sampled["n"]:
        return False

    def scans(node: dict[str, Any], inside: bool) -> list[str]:  # how the CTE m reads influencer_stats
        inside = inside or node.get("Subplan Name") == "CTE m"
        here = [node["Node Type"]] if inside and node.get("Relation Name") == "influencer_stats" else []
        return here + [t for child in node.get("Plans", []) for t in scans(child, inside)]

    return set(scans(_plan(conn, matches, params), False)) == {"Index Only Scan"}


def _plan(conn: Connection, sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The planner's plan of `sql` (EXPLAIN, not run)."""
    plan = conn.execute(sa.text(f"EXPLAIN (FORMAT JSON) {sql}"), params).scalar_one()
    return (plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]  # type: ignore[no-any-return]


def _choices(value: str | None) -> list[str] | None:
    return None if value is None else [item.strip() for item in value.split(",")]


def _where(f: InfluencerFilter) -> tuple[str, dict[str, Any]]:
    """The list's WHERE over influencer_stats and its parameters."""
    narrow, wide = _conditions(f)
    return narrow.sql(*wide.conditions), {**narrow.params, **wide.params}


def _conditions(f: InfluencerFilter) -> tuple[Where, Where]:
    """The list's conditions: on the columns every sort index covers (influencer_pages.COVERED), and on the
    audience shares (the rollup row's jsonb)."""
    where, wide = Where(), Where()
    for column, value in (("platform", f.platform), ("category", f.category), ("country", f.country)):
        where.any_of(column, _choices(value))
    for column, value in (("follower_tier", f.tier), ("language", f.language)):
        where.optional(f"lower({column}) = lower(:{column})", **{column: value})
    if f.tier is not None and f.tier.lower() in TIER_RANGES:  # the same rows, and the followers indexes find them
        where.add(TIER_RANGES[f.tier.lower()])
    where.optional("followers >= :min_followers", min_followers=f.min_followers)
    where.optional("followers <= :max_followers", max_followers=f.max_followers)
    for name, (column, op) in RANGES.items():
        where.optional(f"{column} {op} :{name}", **{name: getattr(f, name)})
    where.optional("figures_source = :figures_source", figures_source=f.figures_source)
    for dimension in AUDIENCE_DIMENSIONS:  # "at least N % of the audience is in bucket B" (default: any)
        bucket, share = getattr(f, f"audience_{dimension}"), getattr(f, f"min_audience_{dimension}_share")
        if bucket is not None:
            op = ">=" if share else ">"
            wide.add(
                AUDIENCE.format(d=dimension, op=op),
                **{f"a_{dimension}": bucket, f"s_{dimension}": share or 0.0},
            )
    if f.hide_flagged:
        where.add(f"NOT {FLAGGED}")
    if f.q is not None and SEARCH_SEPARATOR not in f.q:  # the three ILIKEs' rows, one LIKE on lowercased text
        where.add(SEARCH, q=like_pattern(f.q))
    else:  # a newline could match across two of the fields joined in search_text
        where.contains("q", f.q, "handle", "name", "category")
    return where, wide


# (rollup version, WHERE, filter values) -> total: the rollup only changes when it is refreshed. With the sort,
# direction and page size: the first scan's page bounds (_few_matches), for the next pages of a list past the cap.
_totals: dict[tuple[Any, ...], int] = {}
_bounds: dict[tuple[Any, ...], list[Any]] = {}


def _total_key(conn: Connection, where_sql: str, params: dict[str, Any]) -> tuple[Any, ...]:
    values = (
        (k, tuple(v) if isinstance(v, list) else v) for k, v in params.items() if k not in ("limit", "offset")
    )
    key: tuple[Any, ...] = (version(conn), where_sql, tuple(sorted(values)))
    # a scoring run changes the flags without refreshing the rollups: key on them too
    if FLAGGED in where_sql:
        key += tuple(conn.execute(sa.text(FLAGGED_SET)).one())
    return key


def _count(conn: Connection, where_sql: str, params: dict[str, Any]) -> int:
    """How many rows match; a filtered count stops one past the cap (a LIMIT under the count: the scan too). All
    of them: the portfolio rollup's count, kept by the same apply (a count of 1M rows: 90 ms after every load)."""
    if not where_sql and (n := rollup_rows(conn)) is not None:
        return n
    cap = f" LIMIT {COUNT_CAP + 1}" if where_sql else ""
    count_sql = f"SELECT count(*) AS n FROM (SELECT 1 FROM influencer_stats {where_sql}{cap}) x"  # noqa: S608
    return int(one(count_sql, params, conn)["n"])  # type: ignore[index]


def _remember(key: tuple[Any, ...], total: int, paged: tuple[Any, ...] | None = None,
              bounds: list[Any] | None = None) -> None:
    if len(_totals) > 10_000:
        _totals.clear()
    if len(_bounds) > 2_000:
        _bounds.clear()
    _totals[key] = total
    if bounds and len(bounds) <= 500:  # 5,001 / page size keys: pages of ≥ 10 rows (≤ ~30 MB in all)
        _bounds[paged] = bounds


def _total(conn: Connection, where_sql: str, params: dict[str, Any]) -> int:
    """The (capped) total matching `where_sql`, cached per rollup version (the export's count)."""
    key = _total_key(conn, where_sql, params)
    if key not in _totals:
        _remember(key, _count(conn, where_sql, params))
    return _totals[key]


def profile(influencer_id: int) -> dict[str, Any]:
    """Everything the profile page shows; NotFound when the influencer does not exist."""
    with get_engine().connect() as conn:
        return _profile(conn, influencer_id)


def _profile(conn: Connection, influencer_id: int) -> dict[str, Any]:
    base = one(
        "SELECT i.id, i.platform, i.handle, i.name, i.category, i.country, i.language, "
        "i.category_source, i.country_source, coalesce(i.followers, s.followers) AS followers, "
        "CASE WHEN i.followers IS NOT NULL THEN 'profile' WHEN s.followers IS NOT NULL THEN 'snapshot' END "
        "AS followers_source, "
        "i.follower_tier, coalesce(s.posts, (SELECT count(*) FROM post p WHERE p.influencer_id = i.id)) AS posts, "
        "s.avg_engagement_rate, s.avg_likes, s.avg_views, s.avg_comments, s.figures_source, s.snapshot_source, "
        "s.snapshot_as_of, s.snapshot_posts "
        "FROM influencer i LEFT JOIN influencer_stats s ON s.influencer_id = i.id WHERE i.id = :id",
        {"id": influencer_id},
        conn,
    )
    if base is None:
        raise NotFound("influencer", influencer_id)
    base["trend"] = trend(influencer_id, conn=conn)
    audience: dict[str, list[dict[str, Any]]] = {dimension: [] for dimension in AUDIENCE_DIMENSIONS}
    for row in rows(
        "SELECT dimension, bucket, share FROM audience_share WHERE influencer_id = :id "
        "ORDER BY dimension, share DESC, bucket",
        {"id": influencer_id},
        conn,
    ):
        audience.setdefault(row["dimension"], []).append({"bucket": row["bucket"], "share": row["share"]})
    base["audience"] = audience
    base["scores"] = rows(
        "SELECT content_type, predicted_er AS predicted_engagement_rate, er_low AS interval_low, "
        "er_high AS interval_high, performance_tier, tier_probability, cluster, anomaly_score, anomaly_reasons, "
        "rationale, model_version_id, scored_at, cost_per_post, cost_low, cost_high "
        "FROM influencer_score WHERE influencer_id = :id ORDER BY content_type",
        {"id": influencer_id},
        conn,
    )
    base["campaigns"] = rows(
        "SELECT c.id AS campaign_id, c.name, c.brand, c.status AS campaign_status, h.status AS hire_status, "
        "h.agreed_cost, h.hired_at FROM campaign_influencer h JOIN campaign c ON c.id = h.campaign_id "
        "WHERE h.influencer_id = :id ORDER BY h.hired_at DESC, c.id",
        {"id": influencer_id},
        conn,
    )
    base["latest_snapshot"] = one(
        "SELECT as_of, source, followers, posts, avg_likes, avg_views, engagement_rate FROM influencer_snapshot "
        "WHERE influencer_id = :id ORDER BY as_of DESC, id DESC LIMIT 1",
        {"id": influencer_id},
        conn,
    )
    base["snapshots"] = rows(
        "SELECT as_of, source, followers, posts, avg_likes, avg_views, engagement_rate, "
        "CASE WHEN jsonb_typeof(extra -> 'avg_comments') = 'number' THEN (extra ->> 'avg_comments')::float8 END "
        "AS avg_comments, id FROM influencer_snapshot WHERE influencer_id = :id "
        "ORDER BY as_of DESC, id DESC LIMIT 500",
        {"id": influencer_id},
        conn,
    )[::-1]  # the latest 500, oldest first
    return base


def trend(influencer_id: int, days: int = 30, conn: Connection | None = None) -> list[dict[str, Any]]:
    """Daily totals of the influencer's posts over the last `days` days (today included), zero-filled."""
    return rows(
        """
        WITH d AS (
            SELECT m.date, count(*) AS posts, sum(m.likes) AS likes, sum(m.comments) AS comments,
                   sum(m.shares) AS shares, sum(m.saves) AS saves,
                   sum(m.likes + m.comments + m.shares + m.saves) AS engagements,
                   coalesce(sum(m.views), 0) AS views, coalesce(sum(m.impressions), 0) AS impressions,
                   avg((m.likes + m.comments + m.shares + m.saves)::float8 / NULLIF(i.followers, 0)) AS er
            FROM post p
            JOIN influencer i ON i.id = p.influencer_id
            JOIN post_metric_daily m ON m.post_id = p.id
            WHERE p.influencer_id = :id AND m.date > CURRENT_DATE - CAST(:days AS int) AND m.date <= CURRENT_DATE
            GROUP BY m.date
        )
        SELECT g.date::date AS date, coalesce(d.posts, 0) AS posts, coalesce(d.likes, 0) AS likes,
               coalesce(d.comments, 0) AS comments, coalesce(d.shares, 0) AS shares,
               coalesce(d.saves, 0) AS saves, coalesce(d.engagements, 0) AS engagements,
               coalesce(d.views, 0) AS views, coalesce(d.impressions, 0) AS impressions,
               d.er AS engagement_rate
        FROM generate_series(CURRENT_DATE - (CAST(:days AS int) - 1), CURRENT_DATE, interval '1 day') AS g(date)
        LEFT JOIN d ON d.date = g.date::date
        ORDER BY g.date
        """,
        {"id": influencer_id, "days": days},
        conn,
    )


def exists(influencer_id: int) -> bool:
    return one("SELECT 1 AS found FROM influencer WHERE id = :id", {"id": influencer_id}) is not None
