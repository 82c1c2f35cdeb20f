"""The influencer list's audience filters answered from an index when few influencers pass them (issue 16.5).

"At least N % of the audience is in bucket B" is a condition on the rollup row (`influencer_stats.audience`,
`predictfluence.queries.influencers.AUDIENCE`): nothing indexes it, so a threshold few influencers reach
(none at all: a country's share above every influencer's) read the whole rollup to find them (1M
influencers: 391 MB, 0.5-1.9 s; docs/benchmarks.md, "List filters at 1M"). `audience_candidates` asks
`ix_audience_share_dimension_bucket` (dimension, lower(bucket), share) INCLUDE (influencer_id) instead,
index-only, for at most PROBE_CAP + 1 influencers: when they are few the list reads just their rollup rows by
id (the rollup's own condition still applies to them), when there are none it answers at once. When more pass
but at most SET_CAP (counted in a second range) and no other list filter is asked, the scans that fetch every
match — the first scan and the sort after a short walk — probe the candidate set by id instead of reading
every rollup row they pass: a threshold 1 % of the influencers reach meant reading ~500,000 rows to find the
first scan's 5,001 matches (docs/benchmarks.md, "Audience filters past the probe").

The ids are a superset of the rollup's matches, so the page and total are the rollup's:
- the rollup keeps, per lower(bucket), the largest share of the influencer's buckets: an influencer passes
  there iff one of its audience rows passes here (shares compared 1e-9 lower than asked: no rounding
  through jsonb can drop one);
- audience rows written since the last `rollups.apply` (the rollup still shows the old shares) queued
  their influencer in `rollup_dirty` ('audience', id) in the same transaction: those influencers are
  candidates too, whatever their current rows say.
"""

from __future__ import annotations

from math import isqrt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.queries.common import rows
from predictfluence.queries.influencer_pages import PageSql
from predictfluence.queries.rollups import rollup_rows
from predictfluence.vocab import AUDIENCE_DIMENSIONS

# the most candidate influencers read by id (at most COUNT_CAP match then: their page is one statement)
PROBE_CAP = 5000
# past PROBE_CAP, at most this many candidates restrict the scans that fetch every match as a set (CANDIDATE_SET,
# probed by id): faster than the rollup's filter up to ~40,000 at 1M (docs/benchmarks.md, "Audience filters past
# the probe")
SET_CAP = 30_000
# the candidates of "at least :{p}s of dimension :{p}d is in bucket :{p}a" ({p}: the parameters' prefix)
CANDIDATE_ROWS = (
    "SELECT influencer_id AS id FROM audience_share WHERE dimension = :{p}d AND lower(bucket) = lower(:{p}a) "
    "AND share >= CAST(:{p}s AS float8) - 1e-9 UNION ALL SELECT id FROM rollup_dirty WHERE kind = 'audience'"
)
# how many (up to :cap), and the ids as one text: the driver decoding 5,000 ids as rows or as an array took 13-17 ms
PROBE = f"SELECT count(*), string_agg(id::text, ',') FROM ({CANDIDATE_ROWS.format(p='')} LIMIT :cap) c"  # noqa: S608
# past PROBE_CAP, how many (up to :cap): one index-only range, without the ids' text
COUNT = f"SELECT count(*) FROM ({CANDIDATE_ROWS.format(p='')} LIMIT :cap) c"  # noqa: S608
# the condition that restricts the list to few candidates (bound as :pf_ids, the probe's text)
CANDIDATES = "influencer_id = ANY(CAST(string_to_array(:pf_ids, ',') AS bigint[]))"
# ... and to more of them: a set the scans that fetch every match probe by id, bound as :pf_d, :pf_a, :pf_s
CANDIDATE_SET = "influencer_id IN (" + CANDIDATE_ROWS.format(p="pf_") + ")"
# the condition of a filter nobody passes
NOBODY = "FALSE"
# a walk's test of the candidate set: one hash of the ids, probed by every index entry it passes (wrapped, the
# planner keeps it a hashed subplan instead of joining the set: docs/benchmarks.md, "One audience filter alone")
MEMBERS = f"({CANDIDATE_SET}) IS TRUE"
# how many distinct influencers certainly pass (shares 1e-9 above the threshold: no rounding through jsonb can
# make the rollup fail one), counted among the first :rows index entries
SURE = (
    "SELECT count(DISTINCT influencer_id) FROM (SELECT influencer_id FROM audience_share WHERE dimension = :d "
    "AND lower(bucket) = lower(:a) AND share >= CAST(:s AS float8) + 1e-9 LIMIT :rows) s"
)
# audience rows written since the last apply (the rollup still shows their old shares)
UNAPPLIED = "SELECT EXISTS (SELECT 1 FROM rollup_dirty WHERE kind = 'audience')"
# a rollup row the walk reads costs HASH_WEIGHT times what hashing one candidate does (1M: 1.0-2.6 µs, 0.26-0.31
# µs): the walk passes (offset + limit) * rollup rows / C rows, so it hashes the C candidates when
# C² <= HASH_WEIGHT * (offset + limit) * rollup rows (docs/benchmarks.md, "One audience filter alone")
HASH_WEIGHT = 6
# the most index entries a walk probing the hashed candidates is expected to pass (~0.4 µs each at 1M: a sparse
# filter's deep page, 80 ms, less than the first scan, walk and sort it replaces: 100-136 ms)
MEMBER_WALK = 200_000


def audience_candidates(conn: Connection, f: Any, as_set: bool = True) -> tuple[str, dict[str, Any]] | None:
    """A condition that restricts the list to the candidates of an audience filter, and its parameters: the ids
    of the first filter (vocabulary order) at most PROBE_CAP pass (NOBODY when none does), else (`as_set`) the
    set of the filter fewest pass when at most SET_CAP do; None when every audience filter has more candidates
    (the list filters the rollup rows as before)."""
    fewest: tuple[int, dict[str, Any]] | None = None
    for dimension in AUDIENCE_DIMENSIONS:
        bucket = getattr(f, f"audience_{dimension}")
        if bucket is None:
            continue
        share = getattr(f, f"min_audience_{dimension}_share") or 0.0
        values = {"d": dimension, "a": bucket, "s": share}
        found, ids = conn.execute(sa.text(PROBE), {**values, "cap": PROBE_CAP + 1}).one()
        if found <= PROBE_CAP:
            return (CANDIDATES, {"pf_ids": ids}) if found else (NOBODY, {})
        if not as_set or SET_CAP <= PROBE_CAP:
            continue
        found = conn.execute(sa.text(COUNT), {**values, "cap": SET_CAP + 1}).scalar_one()
        if found <= SET_CAP and (fewest is None or found < fewest[0]):
            fewest = found, {"pf_d": dimension, "pf_a": bucket, "pf_s": share}
    return None if fewest is None else (CANDIDATE_SET, fewest[1])


def audience_walk(
    conn: Connection, f: Any, page: PageSql, wide_sql: str, params: dict[str, Any], count_cap: int, budget: int
) -> list[dict[str, Any]] | None:
    """The page of a list filtered by one audience filter alone (`wide_sql`), when more than `count_cap`
    influencers certainly pass it: the total is known then (more than the cap) without a first scan of the rollup,
    and the page is a walk along the sort index that tests either the candidates, hashed (few: the walk is
    index-only), or the rollup rows' shares (many: dense in any order). The rollup rows the walk yields are
    filtered by `wide_sql` in both cases: the page is the rollup's. None (the caller's scans) with the probe off,
    several audience filters, audience rows written since the last apply, fewer than `count_cap` + 1 sure, a walk
    expected to pass more than `budget` rollup rows (MEMBER_WALK index entries), or one that fell short (at twice
    that)."""
    asked = [d for d in AUDIENCE_DIMENSIONS if getattr(f, f"audience_{d}") is not None]
    if PROBE_CAP < 0 or len(asked) != 1 or conn.execute(sa.text(UNAPPLIED)).scalar_one():
        return None
    dimension = asked[0]
    values = {"d": dimension, "a": getattr(f, f"audience_{dimension}"),
              "s": getattr(f, f"min_audience_{dimension}_share") or 0.0}
    if conn.execute(sa.text(SURE), {**values, "rows": 2 * (count_cap + 1)}).scalar_one() <= count_cap:
        return None
    reach, rollup = params["offset"] + params["limit"], rollup_rows(conn) or 0
    most = isqrt(HASH_WEIGHT * reach * rollup)  # candidates worth hashing
    candidates = conn.execute(sa.text(COUNT), {**values, "cap": most + 1}).scalar_one()
    hashed = candidates <= most
    walk = MEMBER_WALK if hashed else budget
    if reach * rollup > walk * candidates:  # the walk passes reach / density rows (the density: C / rollup)
        return None
    conn.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))  # a walk that stops early
    if hashed:  # room for the hash, whatever the planner estimates the set's size
        conn.execute(sa.text("SET LOCAL work_mem = '64MB'"))
    sql = page.walk("", 2 * walk, f"WHERE {MEMBERS}" if hashed else "", wide_sql)  # twice: room for the skew
    found = rows(sql, {**params, **{f"pf_{k}": v for k, v in values.items()}}, conn)
    return found if len(found) == params["limit"] else None
