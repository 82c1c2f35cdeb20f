"""api rollups: campaign_post_stats, portfolio_stats, daily_platform_stats, rollup_version, search indexes

Why (bench/api.py, 100k influencers / 3.6M daily metric rows): top campaigns aggregated every campaign
post per request (~380 ms p50), the KPIs summed every influencer (~120 ms), the platform trend scanned
every campaign × day row, and every list page counted the whole rollup. Now:
- `campaign_post_stats`: per campaign, sums and counts of its posts' metrics and ERs;
- `portfolio_stats`: one row, influencers and posts with the ER sum and count over all posts;
- `daily_platform_stats`: daily_stats summed over campaigns (date × platform);
- sequence `rollup_version`: bumped by every refresh, so the API can cache list totals per version;
- handle/name trigram indexes on influencer_stats when the server has pg_trgm (Aurora and stock
  PostgreSQL do; the embedded pgserver build does not — there the search stays a scan);
- influencer_stats indexes for the case-insensitive equality filters.

Revision ID: e4a41d3922fa
Revises: 4279e4f58dce
Create Date: 2026-11-28 06:42:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e4a41d3922fa"
down_revision: str | None = "4279e4f58dce"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CAMPAIGN_POST_STATS = """
CREATE MATERIALIZED VIEW campaign_post_stats AS
SELECT campaign_id, count(*)::bigint AS posts,
       coalesce(sum(engagement_rate), 0)::float8 AS er_sum, count(engagement_rate)::bigint AS er_posts,
       coalesce(sum(engagements), 0)::bigint AS engagements,
       coalesce(sum(views), 0)::bigint AS views, count(views)::bigint AS view_posts,
       coalesce(sum(impressions), 0)::bigint AS impressions
FROM post_stats
WHERE campaign_id IS NOT NULL
GROUP BY campaign_id
"""

PORTFOLIO_STATS = """
CREATE MATERIALIZED VIEW portfolio_stats AS
SELECT 1 AS id, count(*)::bigint AS influencers, coalesce(sum(posts), 0)::bigint AS posts,
       coalesce(sum(er_sum), 0)::float8 AS er_sum, coalesce(sum(er_posts), 0)::bigint AS er_posts
FROM influencer_stats
"""

DAILY_PLATFORM_STATS = """
CREATE MATERIALIZED VIEW daily_platform_stats AS
SELECT date, platform, sum(posts)::bigint AS posts, sum(likes)::bigint AS likes, sum(comments)::bigint AS comments,
       sum(shares)::bigint AS shares, sum(saves)::bigint AS saves, sum(engagements)::bigint AS engagements,
       sum(views)::bigint AS views, sum(impressions)::bigint AS impressions,
       sum(er_sum)::float8 AS er_sum, sum(er_posts)::bigint AS er_posts
FROM daily_stats
GROUP BY date, platform
"""

TRIGRAM = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX ix_influencer_stats_handle_trgm ON influencer_stats USING gin (handle gin_trgm_ops);
        CREATE INDEX ix_influencer_stats_name_trgm ON influencer_stats USING gin (name gin_trgm_ops);
    END IF;
END
$$
"""

INDEXES = (
    "CREATE UNIQUE INDEX uq_campaign_post_stats ON campaign_post_stats (campaign_id)",
    "CREATE UNIQUE INDEX uq_portfolio_stats ON portfolio_stats (id)",
    "CREATE UNIQUE INDEX uq_daily_platform_stats ON daily_platform_stats (date, platform)",
    "CREATE INDEX ix_influencer_stats_lower_platform_tier ON influencer_stats (lower(platform), lower(follower_tier))",
    "CREATE INDEX ix_influencer_stats_lower_category ON influencer_stats (lower(category))",
    "CREATE INDEX ix_influencer_stats_lower_country ON influencer_stats (lower(country))",
)


def upgrade() -> None:
    op.execute(CAMPAIGN_POST_STATS)
    op.execute(PORTFOLIO_STATS)
    op.execute(DAILY_PLATFORM_STATS)
    op.execute("CREATE SEQUENCE rollup_version")
    for statement in INDEXES:
        op.execute(statement)
    op.execute(TRIGRAM)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_handle_trgm")
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_lower_platform_tier")
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_lower_category")
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_lower_country")
    op.execute("DROP SEQUENCE IF EXISTS rollup_version")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS daily_platform_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS portfolio_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS campaign_post_stats")
