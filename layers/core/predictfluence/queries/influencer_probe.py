"""The influencer list's audience filters answered from an index when few influencers pass them (issue 16.5).

"At least N % of the audience is in bucket B" is a condition on the rollup row (`influencer_stats.audience`,
`predictfluence.queries.influencers.AUDIENCE`): nothing indexes it, so a threshold few influencers reach
(none at all: a country's share above every influencer's) read the whole rollup to find them (1M
influencers: 391 MB, 0.5-1.9 s; docs/benchmarks.md, "List filters at 1M"). `audience_ids` asks
`ix_audience_share_dimension_bucket` (dimension, lower(bucket), share) INCLUDE (influencer_id) instead,
index-only, for at most PROBE_CAP + 1 influencers: when they are few the list reads just their rollup rows
by id (the rollup's own condition still applies to them), when there are none it answers at once.

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
# how many, and the ids as one text: the driver decoding 5,000 ids as rows or as an array took 13-17 ms
PROBE = (
    "SELECT count(*), string_agg(id::text, ',') FROM (SELECT influencer_id AS id FROM audience_share "
    "WHERE dimension = :d AND lower(bucket) = lower(:a) AND share >= CAST(:s AS float8) - 1e-9 "
    "UNION ALL SELECT id FROM rollup_dirty WHERE kind = 'audience' LIMIT :cap) c"
)
# the condition that restricts the list to the candidates (bound as :pf_ids, the probe's text)
CANDIDATES = "influencer_id = ANY(CAST(string_to_array(:pf_ids, ',') AS bigint[]))"


def audience_ids(conn: Connection, f: Any) -> str | None:
    """The candidate influencers of the first audience filter (vocabulary order) at most PROBE_CAP pass, as
    comma-separated ids ('' when none does), else None (many: the list filters the rollup rows as before)."""
    for dimension in AUDIENCE_DIMENSIONS:
        bucket = getattr(f, f"audience_{dimension}")
        if bucket is None:
            continue
        share = getattr(f, f"min_audience_{dimension}_share") or 0.0
        found, ids = conn.execute(
            sa.text(PROBE), {"d": dimension, "a": bucket, "s": share, "cap": PROBE_CAP + 1}
        ).one()
        if found <= PROBE_CAP:
            return ids or ""
    return None
