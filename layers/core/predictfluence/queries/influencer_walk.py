"""A page of the influencer list along its sort index, or every match sorted (issue 16.5).

A filtered page with more than COUNT_CAP matches walks the sort index at most `budget` rows (WALK_BUDGET);
when they hold no full page (a sparse filter's deep page, or a filter correlated with the sort: a tier
sorted by ER), every match is fetched narrow (id + sort key), sorted, and the page's rows read by id. A walk
reads one random heap page per row (20,000 rows: 75-145 ms at 1M influencers), so it first looks at
FIRST_WALK rows: when they hold no page and the matches among them say that the budget will not hold it
either, the walk stops there (figures: docs/benchmarks.md, "List filters at 1M"). Either way the page is
the same: the choice only decides how it is found.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.queries.common import one, order_clause, rows
from predictfluence.tiers import TIER_LOWER_BOUNDS

# the walk of a tier sorted by followers starts at the followers the tier implies (tier and followers come
# from one influencer row)
_B = [*TIER_LOWER_BOUNDS.values(), 2**62]
TIERS = {
    t: f"WHERE followers >= {_B[i] if i else -(2**62)} AND followers < {_B[i + 1]}"
    for i, t in enumerate(TIER_LOWER_BOUNDS)
}
FIRST_WALK = 2_000


def walk_or_sort(
    conn: Connection,
    f: Any,
    where_sql: str,
    params: dict[str, Any],
    *,
    sort_sql: str,
    columns: str,
    budget: int,
) -> list[dict[str, Any]]:
    """The page of `f` (sort, order, tier, q) under `where_sql`, sorted by `sort_sql`, as `columns`."""
    order_sql = order_clause(sort_sql, f.order, "influencer_id")
    tier = TIERS.get(f.tier or "", "") if f.sort == "followers" else ""  # other sorts walk their own index

    def walk(limit: int) -> tuple[list[dict[str, Any]], str]:  # the page among the first `limit` rows
        cut = f"{tier} {order_sql} LIMIT {limit}" if where_sql else ""
        rows_sql = f"(SELECT *, {sort_sql} AS pf_k FROM influencer_stats {cut}) influencer_stats"  # noqa: S608
        sql = f"SELECT {columns} FROM {rows_sql} {where_sql} {order_clause('pf_k', f.order, 'influencer_id')} LIMIT :limit OFFSET :offset"  # noqa: S608
        return rows(sql, params, conn), rows_sql

    first = min(FIRST_WALK, budget)
    found, walked = walk(first)
    if len(found) == params["limit"] or not where_sql:
        return found
    if first < budget:  # walk on when, at the density of the first rows, the budget holds the page
        matched = params["offset"] + len(found) if found or not params["offset"] else None
        if matched is None:  # the page lies past them: count them (their heap pages were just read)
            matched = int(one(f"SELECT count(*) AS n FROM {walked} {where_sql}", params, conn)["n"])  # type: ignore[index]  # noqa: S608
        if matched * budget >= (params["offset"] + params["limit"]) * first:
            found, _ = walk(budget)
            if len(found) == params["limit"]:
                return found
    if f.q is not None:  # the trigram indexes again
        conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
    keys = f"SELECT influencer_id, {sort_sql} AS k FROM influencer_stats {where_sql}"  # noqa: S608
    page = f"SELECT influencer_id FROM m {order_clause('k', f.order, 'influencer_id')} LIMIT :limit OFFSET :offset"  # noqa: S608
    sql = f"WITH m AS MATERIALIZED ({keys}) SELECT {columns} FROM influencer_stats WHERE influencer_id IN ({page}) {order_sql}"  # noqa: S608
    return rows(sql, params, conn)
