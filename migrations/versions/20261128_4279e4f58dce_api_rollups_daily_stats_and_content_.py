"""api rollups: daily_stats and content_type_stats; audience_totals counts influencers per dimension

Why (bench/api.py at 100k influencers / 3.4M daily metric rows): the portfolio trend and the
content-type breakdown aggregated every daily row / every post per request (hundreds of ms). They now
read small rollups, refreshed with the others by `predictfluence.queries.rollups.refresh()`.
`campaign_key` is campaign_id with 0 for "no campaign" (REFRESH … CONCURRENTLY needs a unique index on
plain non-null columns). Each rollup keeps sums and counts, never averages, so that any filter's mean is
sum / count.

Revision ID: 4279e4f58dce
Revises: 8b144045a3ed
Create Date: 2026-11-28 06:21:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "4279e4f58dce"
down_revision: str | None = "8b144045a3ed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DAILY_STATS = """
CREATE MATERIALIZED VIEW daily_stats AS
SELECT m.date, p.platform, coalesce(p.campaign_id, 0) AS campaign_key,
       count(*)::bigint AS posts,
       sum(m.likes)::bigint AS likes, sum(m.comments)::bigint AS comments,
       sum(m.shares)::bigint AS shares, sum(m.saves)::bigint AS saves,
       sum(m.likes + m.comments + m.shares + m.saves)::bigint AS engagements,
       coalesce(sum(m.views), 0)::bigint AS views, coalesce(sum(m.impressions), 0)::bigint AS impressions,
       coalesce(sum((m.likes + m.comments + m.shares + m.saves)::float8 / NULLIF(i.followers, 0)), 0) AS er_sum,
       count(NULLIF(i.followers, 0))::bigint AS er_posts
FROM post_metric_daily m
JOIN post p ON p.id = m.post_id
JOIN influencer i ON i.id = p.influencer_id
GROUP BY m.date, p.platform, coalesce(p.campaign_id, 0)
"""

CONTENT_TYPE_STATS = """
CREATE MATERIALIZED VIEW content_type_stats AS
SELECT content_type, platform, coalesce(campaign_id, 0) AS campaign_key,
       count(*)::bigint AS posts,
       coalesce(sum(engagement_rate), 0)::float8 AS er_sum, count(engagement_rate)::bigint AS er_posts,
       coalesce(sum(likes) FILTER (WHERE metric_days > 0), 0)::bigint AS likes_sum,
       count(*) FILTER (WHERE metric_days > 0)::bigint AS measured_posts,
       coalesce(sum(views), 0)::bigint AS views, count(views)::bigint AS view_posts,
       coalesce(sum(engagements), 0)::bigint AS engagements, coalesce(sum(impressions), 0)::bigint AS impressions
FROM post_stats
GROUP BY content_type, platform, coalesce(campaign_id, 0)
"""

AUDIENCE_TOTALS = """
CREATE MATERIALIZED VIEW audience_totals AS
WITH scoped AS (
    SELECT a.dimension, a.bucket, a.influencer_id, a.share * i.followers AS audience
    FROM audience_share a JOIN influencer i ON i.id = a.influencer_id
    WHERE i.followers > 0
)
SELECT s.dimension, s.bucket, sum(s.audience)::float8 AS audience, count(*)::bigint AS influencers,
       d.influencers AS dimension_influencers
FROM scoped s
JOIN (SELECT dimension, count(DISTINCT influencer_id)::bigint AS influencers FROM scoped GROUP BY dimension) d
  ON d.dimension = s.dimension
GROUP BY s.dimension, s.bucket, d.influencers
"""

INDEXES = (
    "CREATE UNIQUE INDEX uq_daily_stats ON daily_stats (date, platform, campaign_key)",
    "CREATE INDEX ix_daily_stats_campaign ON daily_stats (campaign_key, date)",
    "CREATE UNIQUE INDEX uq_content_type_stats ON content_type_stats (content_type, platform, campaign_key)",
    "CREATE UNIQUE INDEX uq_audience_totals ON audience_totals (dimension, bucket)",
)


def upgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS audience_totals")
    op.execute(DAILY_STATS)
    op.execute(CONTENT_TYPE_STATS)
    op.execute(AUDIENCE_TOTALS)
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS content_type_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS daily_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS audience_totals")
    op.execute(
        "CREATE MATERIALIZED VIEW audience_totals AS SELECT a.dimension, a.bucket, "
        "sum(a.share * i.followers)::float8 AS audience, count(*)::bigint AS influencers "
        "FROM audience_share a JOIN influencer i ON i.id = a.influencer_id WHERE i.followers > 0 "
        "GROUP BY a.dimension, a.bucket"
    )
    op.execute("CREATE UNIQUE INDEX uq_audience_totals ON audience_totals (dimension, bucket)")
