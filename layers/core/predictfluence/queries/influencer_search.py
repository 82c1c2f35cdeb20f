"""A text search's first scan along the sort index, when its matches are dense there (issue 16.5).

A filtered list's first scan fetches up to COUNT_CAP + 1 matches narrow, to count them and, with few, to sort
them (`influencers._few_matches`). A text search finds them through the trigram index, and each match costs a
rollup heap page (the index is lossy: LIKE rechecks the row): 35-100 ms at 1M influencers for every term with
more than 5,000 matches. When the matches are dense in the sort order — a category's letters, a common first
name — the first COUNT_CAP + 1 of them along the sort index lie within far fewer index entries than that: every
sort index INCLUDEs search_text (`rollup_tables.LIST_FILTER_COLUMNS`), so the walk is index-only (~0.35 µs an
entry at 1M), and the matches it finds are the first ones in the sort order — the page, the capped count and
the pages' bounds at once. A short walk first samples the matches' density; only a term dense enough to reach
the cap within WALK_CAP entries walks (figures: docs/benchmarks.md, "Dense text searches along the sort index").
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.engine import Connection

from predictfluence.queries.common import rows
from predictfluence.queries.influencer_pages import PageSql

# sort-index entries whose matches estimate a term's density, the most entries a counting walk reads, and how many
# times the matches it needs the sample must promise within them (the first entries of a sort can be denser than
# the rest: a walk that falls short costs ~45 ms at 1M)
SAMPLE = 4_000
WALK_CAP = 120_000
MARGIN = 2


def sample(conn: Connection, page: PageSql, narrow_sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """How many of the sort index's first SAMPLE entries there are (walked) and how many match (n): index-only."""
    return rows(page.walked_count(narrow_sql, SAMPLE), params, conn)[0]  # an aggregate: one row


def dense_matches(
    conn: Connection, page: PageSql, narrow_sql: str, params: dict[str, Any], cap: int, sampled: dict[str, Any]
) -> tuple[list[dict[str, Any]], int, list[Any] | None] | None:
    """The page, the total (cap + 1: more than `cap` match) and the pages' bounds of a filtered list from the
    first cap + 1 matches along the sort index, read index-only (`narrow_sql` on covered columns); None when the
    sample (`sample`) says fewer than that lie within WALK_CAP entries, when the walk found fewer, or for a
    page past them — the trigram scan then counts the matches (they may be fewer than the cap)."""
    if params["offset"] + params["limit"] > cap + 1:
        return None
    whole = sampled["walked"] < SAMPLE  # the sample was every row: it counted every match
    if sampled["n"] * WALK_CAP < MARGIN * (cap + 1) * SAMPLE or (whole and sampled["n"] <= cap):
        return None
    found = rows(page.of_matches(narrow_sql, cap + 1, counted=True, walked=WALK_CAP), params, conn)
    if not found or int(found[0]["pf_total"]) <= cap:
        return None
    bounds = found[0]["pf_bounds"]
    for row in found:
        del row["pf_total"], row["pf_bounds"]
    return found, cap + 1, bounds


def selective(term: str) -> bool:
    """Whether the trigram index finds a term's matches among few candidates: pg_trgm takes its trigrams from each
    run of letters and digits, and a run shorter than three (`a T`, `ia P`, `s_91`) yields only padded ones (`  t`)
    that most names hold — `a T` read 481,000 candidates at 1M for 14,518 matches."""
    return any(len(run) >= 3 for run in re.findall(r"[^\W_]+", term))


def walk_is_futile(
    conn: Connection, page: PageSql, term: str, narrow_sql: str, params: dict[str, Any], budget: int,
    sampled: dict[str, Any] | None = None,
) -> bool:
    """Whether a text search (`term`, `narrow_sql`) past its first scan should sort its trigram matches without
    walking `budget` sort-index entries first: its trigrams are selective (the sort reads few candidates) and the
    matches' density among the index's first SAMPLE entries (`sampled`, else sampled here) says the walk cannot
    find the page's offset + limit. A term whose matches cluster elsewhere in the sort order (a name sort's `ucas`:
    every Lucas 40 % down the name index) finds none there, and its walk passed `budget` entries for nothing;
    an unselective term's sort can cost 20 times the walk, so it walks (docs/benchmarks.md, "Text search at 1M:
    the rollup in name order")."""
    if not selective(term):
        return False
    sampled = sampled or sample(conn, page, narrow_sql, params)
    return bool(sampled["n"] * budget < (params["offset"] + params["limit"]) * sampled["walked"])
