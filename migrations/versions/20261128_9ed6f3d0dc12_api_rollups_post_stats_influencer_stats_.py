"""api rollups: post_stats, influencer_stats, audience_totals materialized views

The API's lists, sorts and portfolio analytics read these instead of aggregating the daily facts on
every request (see docs/api.md, "Freshness"). They are refreshed after each load by
`predictfluence.queries.rollups.refresh()`. Materialized views are not tables, so they stay out of the
ORM metadata and the models-vs-migrations comparison.

Revision ID: 9ed6f3d0dc12
Revises: 85c91fba49c3
Create Date: 2026-11-28 06:14:17.470658
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "9ed6f3d0dc12"
down_revision: str | None = "85c91fba49c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POST_STATS = """
CREATE MATERIALIZED VIEW post_stats AS
SELECT p.id AS post_id,
       p.influencer_id,
       p.campaign_id,
       p.platform,
       p.content_type,
       p.sponsored,
       p.posted_at,
       count(m.post_id)::bigint AS metric_days,
       coalesce(sum(m.likes), 0)::bigint AS likes,
       coalesce(sum(m.comments), 0)::bigint AS comments,
       coalesce(sum(m.shares), 0)::bigint AS shares,
       coalesce(sum(m.saves), 0)::bigint AS saves,
       coalesce(sum(m.likes + m.comments + m.shares + m.saves), 0)::bigint AS engagements,
       sum(m.views)::bigint AS views,
       sum(m.impressions)::bigint AS impressions,
       CASE WHEN count(m.post_id) > 0 AND i.followers > 0
            THEN sum(m.likes + m.comments + m.shares + m.saves)::float8 / i.followers END AS engagement_rate
FROM post p
JOIN influencer i ON i.id = p.influencer_id
LEFT JOIN post_metric_daily m ON m.post_id = p.id
GROUP BY p.id, i.followers
"""

INFLUENCER_STATS = """
CREATE MATERIALIZED VIEW influencer_stats AS
SELECT i.id AS influencer_id,
       i.platform, i.handle, i.name, i.category, i.country, i.language, i.followers, i.follower_tier,
       count(s.post_id)::bigint AS posts,
       avg(s.engagement_rate) AS avg_engagement_rate,
       coalesce(sum(s.engagement_rate), 0)::float8 AS er_sum,
       count(s.engagement_rate)::bigint AS er_posts,
       avg(s.likes) FILTER (WHERE s.metric_days > 0)::float8 AS avg_likes,
       avg(s.views)::float8 AS avg_views
FROM influencer i
LEFT JOIN post_stats s ON s.influencer_id = i.id
GROUP BY i.id
"""

AUDIENCE_TOTALS = """
CREATE MATERIALIZED VIEW audience_totals AS
SELECT a.dimension, a.bucket,
       sum(a.share * i.followers)::float8 AS audience,
       count(*)::bigint AS influencers
FROM audience_share a
JOIN influencer i ON i.id = a.influencer_id
WHERE i.followers > 0
GROUP BY a.dimension, a.bucket
"""

INDEXES = (
    "CREATE UNIQUE INDEX uq_post_stats_post ON post_stats (post_id)",
    "CREATE INDEX ix_post_stats_influencer ON post_stats (influencer_id)",
    "CREATE INDEX ix_post_stats_campaign ON post_stats (campaign_id) WHERE campaign_id IS NOT NULL",
    "CREATE INDEX ix_post_stats_content_type ON post_stats (content_type)",
    "CREATE UNIQUE INDEX uq_influencer_stats_influencer ON influencer_stats (influencer_id)",
    "CREATE INDEX ix_influencer_stats_followers ON influencer_stats (followers DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_er ON influencer_stats (avg_engagement_rate DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_likes ON influencer_stats (avg_likes DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_views ON influencer_stats (avg_views DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_name ON influencer_stats (lower(coalesce(name, handle)), influencer_id)",
    "CREATE INDEX ix_influencer_stats_platform_category ON influencer_stats (platform, category)",
    "CREATE UNIQUE INDEX uq_audience_totals ON audience_totals (dimension, bucket)",
)


def upgrade() -> None:
    op.execute(POST_STATS)
    op.execute(INFLUENCER_STATS)
    op.execute(AUDIENCE_TOTALS)
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS audience_totals")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS influencer_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS post_stats")
