"""The statements that read one page of the influencer list (`predictfluence.queries.influencers.list_page`).

Each finds the page's influencer ids narrow first — the id and the sort key, through the sort index or the
filter's indexes — and only then reads the page's whole rollup rows by id. Every sort index of `influencer_stats`
covers the columns the list filters on (`rollup_tables.LIST_FILTER_COLUMNS`, migration a4d7c2e9f1b3), so a walk
along it with a filter other than the audience's is an index-only scan: at 1M influencers a 20,000-row walk read
20,000 random heap pages of the 391 MB rollup (75-280 ms) before, and ~9,500 buffers of the index now, ~34 ms
(docs/benchmarks.md, "The list's walk index-only").
"""

from __future__ import annotations

from predictfluence.queries.common import order_clause
from predictfluence.tiers import TIER_LOWER_BOUNDS

ITEM_COLUMNS = (
    "influencer_id AS id, platform, handle, name, category, country, language, followers, follower_tier, "
    "posts, avg_engagement_rate, avg_likes, avg_views, avg_comments, figures_source, snapshot_source, "
    "snapshot_as_of, snapshot_posts"
)

# the followers range of each tier (the rollup's tier and followers come from one influencer row): a tier filter
# adds it, so that the followers indexes find a tier's rows and a walk by followers starts at the tier
_B = [*TIER_LOWER_BOUNDS.values(), 2**62]
TIER_RANGES = {
    t: f"followers >= {_B[i] if i else -(2**62)} AND followers < {_B[i + 1]}" for i, t in enumerate(TIER_LOWER_BOUNDS)
}


class PageSql:
    """The page statements of one sort (`key_sql`, an allow-listed expression over influencer_stats) and
    direction; pages bind :limit and :offset."""

    def __init__(self, key_sql: str, order: str) -> None:
        self.key_sql = key_sql
        self.descending = order == "desc"
        self.by_key = order_clause(key_sql, order, "influencer_id")
        self.by_pf_k = order_clause("pf_k", order, "influencer_id")
        self.by_page = order_clause("p.pf_k", order, "influencer_id")
        self.by_walk = order_clause("w.pf_k", order, "influencer_id")

    def _rows_of(self, ids_sql: str, extra: str = "", ctes: str = "") -> str:
        """The whole rows of the ids `ids_sql` selects (influencer_id, pf_k, ...), in page order."""
        return (
            f"WITH {ctes}p AS MATERIALIZED ({ids_sql}) SELECT {ITEM_COLUMNS}{extra} "  # noqa: S608
            f"FROM p JOIN influencer_stats USING (influencer_id) {self.by_page}"
        )

    def of_matches(self, where_sql: str, cap: int | None = None, counted: bool = False, walked: int = 0) -> str:
        """The page of every row `where_sql` matches (at most `cap` of them, in no order, when given), sorted
        narrow; `counted` adds pf_total, how many matched (up to `cap`), and, when `cap` matched, pf_bounds (on the
        first row only): the sort key of the last row of every full page of those `cap` (pages of :limit rows), the
        bounds `within` takes. The matches are materialized: a query the planner could flatten walked the sort index
        past most of the rollup to fill a page. `walked`: only the matches among the sort index's first `walked` rows, the
        first `cap` of them in the sort order (`where_sql` on covered columns: index-only)."""
        limit = f" LIMIT {cap}" if cap else ""
        source, key = "influencer_stats", f"{self.key_sql} AS pf_k"
        if walked:
            source, key, limit = self._walked(walked), "pf_k", f" {self.by_pf_k}{limit}"
        total = ", count(*) OVER () AS pf_total" if counted else ""
        matches = f"m AS MATERIALIZED (SELECT influencer_id, {key} FROM {source} {where_sql}{limit}), "  # noqa: S608
        ids = f"SELECT influencer_id, pf_k{total} FROM m {self.by_pf_k} LIMIT :limit OFFSET :offset"  # noqa: S608
        # read only when the cap was reached (the sample is a lower bound of every match), and sent on the page's first
        # row alone: pg8000 parses an array in Python, and ~5,000 keys on every row (bounds × rows = cap) took 20-25 ms
        bounds = (
            f", CASE WHEN row_number() OVER ({self.by_page}) = 1 AND p.pf_total >= {cap} THEN (SELECT array_agg(pf_k "  # noqa: S608
            f"ORDER BY pf_n) FROM (SELECT pf_k, row_number() OVER ({self.by_pf_k}) AS pf_n FROM m) b "
            "WHERE mod(pf_n, :limit) = 0) END AS pf_bounds"
        )
        return self._rows_of(ids, f", p.pf_total{bounds}" if counted else "", matches)

    def within(self, bounds: list[object] | None, offset: int, limit: int) -> tuple[str, object] | None:
        """The condition "the sort key is not past the page's bound" (:pf_bound) and that bound: the page at
        `offset` / `limit` of some matches ends at its bound in `bounds` (of_matches' pf_bounds), so the same page
        of all of them lies within it (their first rows are at least as far up the order as the sample's). None
        without a bound: no bounds, a page past them, an offset off the page size, or a NULL bound (NULLS LAST:
        the page reaches the rows without a key)."""
        end, off = divmod(offset + limit, limit)
        if not bounds or off or end > len(bounds) or bounds[end - 1] is None:
            return None
        return f"{self.key_sql} {'>=' if self.descending else '<='} :pf_bound", bounds[end - 1]

    def _walked(self, budget: int, bounds: str = "") -> str:
        """The rows of the sort index from the first `bounds` admits, at most `budget` of them (0: every row),
        with their sort key pf_k, as a relation named influencer_stats."""
        cut = f"{bounds} {self.by_key} LIMIT {budget}" if budget else ""
        return f"(SELECT *, {self.key_sql} AS pf_k FROM influencer_stats {cut}) influencer_stats"  # noqa: S608

    def walked_count(self, narrow_sql: str, budget: int) -> str:
        """How many of the sort index's first `budget` rows there are (walked; fewer: the whole rollup) and how
        many of them match `narrow_sql` (n; a WHERE)."""
        return f"SELECT count(*) AS walked, count(*) FILTER ({narrow_sql}) AS n FROM {self._walked(budget)}"  # noqa: S608

    def walk(self, bounds: str, budget: int, narrow_sql: str, wide_sql: str) -> str:
        """The page along the sort index, from the first row `bounds` (a WHERE on the key's range, or '')
        admits, walking at most `budget` rows of it (0: no limit) filtered by `narrow_sql` (covered columns:
        index-only) and then, on the rows that pass, `wide_sql` (the audience: their rollup rows, by id)."""
        walk = self._walked(budget, bounds)
        if not wide_sql:
            ids = f"SELECT influencer_id, pf_k FROM {walk} {narrow_sql} {self.by_pf_k} LIMIT :limit OFFSET :offset"  # noqa: S608
            return self._rows_of(ids)
        if not narrow_sql:  # the audience alone: the rows the walk passes are read anyway
            return f"SELECT {ITEM_COLUMNS} FROM {walk} {wide_sql} {self.by_pf_k} LIMIT :limit OFFSET :offset"  # noqa: S608
        return (
            f"SELECT {ITEM_COLUMNS} FROM (SELECT influencer_id, pf_k FROM {walk} {narrow_sql}) w "  # noqa: S608
            f"JOIN influencer_stats USING (influencer_id) {wide_sql} {self.by_walk} LIMIT :limit OFFSET :offset"
        )
