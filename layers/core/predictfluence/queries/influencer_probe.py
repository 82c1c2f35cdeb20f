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

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

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
