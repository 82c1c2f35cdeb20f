"""influencer_stats carries each influencer's audience shares (issue 16.5: discovery at 1M influencers)

Why: the influencer list's audience filters ("at least N % of the audience is in bucket B", per dimension)
were a semi-join on audience_share. PostgreSQL answered them with a hash of every audience row above the
share (600,000 rows at 1M influencers, 1.1 s) before the first match, so neither the page's walk along a
sort index nor the capped count could stop early (docs/benchmarks.md, "1M influencers"). With the shares
on the rollup row the filter is a condition on that row.

- `influencer_stats.audience jsonb`: {dimension: {lower(bucket): share}}, the largest share when buckets
  differ only in case (the filter compared `lower(bucket)`), NULL without audience rows; filled here by
  writing the rows again (kept in a temporary table, the rollup emptied, then inserted with the column);
- pf_rollup_mark_audience() queues ('audience', influencer_id) for each influencer whose audience rows a
  statement wrote (it queued ('audience', 0) before), and rollups.apply recomputes those influencers'
  influencer_stats rows (audience_totals as before).

Downgrade: the column goes, the trigger function queues ('audience', 0) again.

Revision ID: a9c4e2f71d35
Revises: 8e5b2d7c4f19
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a9c4e2f71d35"
down_revision: str | None = "8e5b2d7c4f19"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rows are written once more, not updated in place: an UPDATE of every row would leave the table twice its
# size (dead versions) until a VACUUM FULL, and the list's counts scan it.
KEEP = "CREATE TEMP TABLE pf_stats_before ON COMMIT DROP AS SELECT * FROM influencer_stats"
FILL = """
INSERT INTO influencer_stats
SELECT s.*, a.audience
FROM pf_stats_before s
LEFT JOIN (SELECT influencer_id, jsonb_object_agg(dimension, buckets) AS audience
           FROM (SELECT influencer_id, dimension, jsonb_object_agg(bucket, share) AS buckets
                 FROM (SELECT influencer_id, dimension, lower(bucket) AS bucket, max(share) AS share
                       FROM audience_share GROUP BY influencer_id, dimension, lower(bucket)) b
                 GROUP BY influencer_id, dimension) d
           GROUP BY influencer_id) a ON a.influencer_id = s.influencer_id
"""
_FN = """
CREATE OR REPLACE FUNCTION pf_rollup_mark_audience() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
{body}
    RETURN NULL;
END
$$
"""
PER_INFLUENCER = """
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT DISTINCT 'audience', influencer_id FROM pf_new;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT DISTINCT 'audience', influencer_id FROM pf_old;
    END IF;"""
WHOLE = """
    INSERT INTO rollup_dirty (kind, id) VALUES ('audience', 0);"""


def upgrade() -> None:
    op.execute(KEEP)
    op.execute("TRUNCATE influencer_stats")
    op.execute("ALTER TABLE influencer_stats ADD COLUMN audience jsonb")
    op.execute(FILL)
    op.execute(_FN.format(body=PER_INFLUENCER))
    op.execute("ANALYZE influencer_stats")


def downgrade() -> None:
    op.execute(_FN.format(body=WHOLE))
    op.execute("ALTER TABLE influencer_stats DROP COLUMN audience")
