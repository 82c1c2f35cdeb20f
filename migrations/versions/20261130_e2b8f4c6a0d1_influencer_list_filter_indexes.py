"""Indexes for the influencer list's discovery filters at 1M influencers (issue 16.5)

GET /influencers found few or no matches of filters on unindexed columns by reading the whole rollup
(391 MB at 1,000,000 influencers, 0.4-1.9 s): a follower growth range, the platform × category × country
multi-select (correlated columns: one single-column bitmap of 166,666 rows for 0 matches) and an audience
share threshold (`influencer_stats.audience`, a jsonb condition on every row). These indexes let such a
filter find its matches, or learn there are none, from an index (docs/benchmarks.md, "List filters at 1M"):

- `ix_influencer_stats_growth_30d`, `ix_influencer_stats_growth_90d`: the growth ranges, covering every
  sort key (INCLUDE the id, followers, the four averages, name and handle): a range with many matches whose
  page the sort index's walk does not reach sorts every match index-only (1M, 376,906 matches: 167-314 ms;
  a bitmap heap scan of a plain growth index 905-1,050 ms, the sequential scan before 650 ms); 110 MB each
  at 1M (a plain one: 21 MB);
- `ix_influencer_stats_followers_asc` (followers, influencer_id) again, now also covering every other sort key:
  a followers range with many matches (`min_followers`/`max_followers`) sorted by another key, whose page
  the sort index's walk does not reach (followers and ER are inversely correlated), sorts its matches
  index-only (1M, 252,571 matches by ER: bitmap heap scan 1,209 ms, index-only 161-186 ms); the lookalikes'
  walk up uses it as before;
- `ix_influencer_stats_platform_category_country` on (lower(platform), lower(category), lower(country)):
  the multi-select's `= ANY` lists, all three in the index condition; with the statistics object
  `st_influencer_stats_platform_category_country` (mcv, dependencies) on the same three expressions, so
  that the planner knows which combinations are rare or absent (at 1M it estimated 110,913 rows for a
  combination with none, chose a sequential scan under the list's LIMIT 5001 and read 391 MB: 1.4 s);
- `ix_audience_share_dimension_bucket` again, with `INCLUDE (influencer_id, bucket)`: the list probes
  (dimension, lower(bucket), share ≥ s) for the influencers above a share and reads their rollup rows by
  id when they are few (`predictfluence.queries.influencer_probe`). `bucket` is included so that the
  probe is an index-only scan: PostgreSQL does not scan an expression index index-only unless the
  expression's column is in it too (100k influencers, 5,001 ids: bitmap heap scan 9-65 ms, index-only
  1.7 ms).

Revision ID: e2b8f4c6a0d1
Revises: a9c4e2f71d35
Create Date: 2026-11-30 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e2b8f4c6a0d1"
down_revision: str | None = "a9c4e2f71d35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SORT_KEYS = "influencer_id, followers, avg_engagement_rate, avg_likes, avg_views, avg_comments, name, handle"
INDEXES = {
    "ix_influencer_stats_growth_30d": f"influencer_stats (growth_30d) INCLUDE ({SORT_KEYS})",
    "ix_influencer_stats_growth_90d": f"influencer_stats (growth_90d) INCLUDE ({SORT_KEYS})",
    "ix_influencer_stats_platform_category_country": (
        "influencer_stats (lower(platform), lower(category), lower(country))"
    ),
}
AUDIENCE = "ix_audience_share_dimension_bucket ON audience_share (dimension, lower(bucket), share)"
STATISTICS = "st_influencer_stats_platform_category_country"
FOLLOWERS = "ix_influencer_stats_followers_asc ON influencer_stats (followers, influencer_id)"
FOLLOWERS_INCLUDE = "avg_engagement_rate, avg_likes, avg_views, avg_comments, name, handle"


def upgrade() -> None:
    for name, on in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {on}")
    op.execute(
        f"CREATE STATISTICS {STATISTICS} (mcv, dependencies) "
        "ON lower(platform), lower(category), lower(country) FROM influencer_stats"
    )
    op.execute("DROP INDEX ix_influencer_stats_followers_asc")
    op.execute(f"CREATE INDEX {FOLLOWERS} INCLUDE ({FOLLOWERS_INCLUDE})")
    op.execute("DROP INDEX ix_audience_share_dimension_bucket")
    op.execute(f"CREATE INDEX {AUDIENCE} INCLUDE (influencer_id, bucket)")
    op.execute("ANALYZE influencer_stats")
    op.execute("ANALYZE audience_share")


def downgrade() -> None:
    op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    op.execute("DROP INDEX ix_influencer_stats_followers_asc")
    op.execute(f"CREATE INDEX {FOLLOWERS}")
    op.execute("DROP INDEX ix_audience_share_dimension_bucket")
    op.execute(f"CREATE INDEX {AUDIENCE}")
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
