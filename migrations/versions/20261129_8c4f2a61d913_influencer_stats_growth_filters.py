"""influencer_stats: follower growth over 30 / 90 days; indexes for the discovery filters

Why (issue 13, item 1): managers filter influencers by follower growth, audience share, language and
audience-quality flags. Growth comes from imported profile snapshots (`influencer_snapshot`, one per
influencer, date and source), so it belongs in the rollup that is refreshed after each load:
- growth_30d / growth_90d = (latest − base) / base, where latest is the influencer's latest snapshot with a
  follower count (as_of DESC, id DESC) and base the latest snapshot with a follower count dated at least
  30 (90) days before it; NULL when there is no such snapshot or base is 0 (unknown, never 0 %).
A materialized view cannot be altered, so this drops and recreates it (and portfolio_stats, which reads it)
with every index the earlier revisions put on them, plus:
- ix_influencer_stats_lower_language (the language filter);
- ix_influencer_stats_category_trgm (where pg_trgm is installed): the text search `q` now also matches the
  category, and is fetched through the trigram indexes (queries.influencers);
- ix_audience_share_dimension_bucket on audience_share (dimension, lower(bucket), share): the audience
  filters ("at least 30 % of the audience in US") look up the matching influencers by bucket;
- ix_influencer_score_flagged, partial (scores with anomaly reasons): `hide_flagged` anti-joins the few
  flagged influencers instead of every score row (bench/api.py list_hide_flagged, docs/benchmarks.md).

Revision ID: 8c4f2a61d913
Revises: 3c8d1f2a6b57
Create Date: 2026-11-29 22:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "8c4f2a61d913"
down_revision: str | None = "3c8d1f2a6b57"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INFLUENCER_STATS = """
CREATE MATERIALIZED VIEW influencer_stats AS
WITH p AS (
    SELECT influencer_id, count(*)::bigint AS posts,
           count(*) FILTER (WHERE metric_days > 0)::bigint AS measured,
           avg(engagement_rate) AS er,
           coalesce(sum(engagement_rate), 0)::float8 AS er_sum,
           count(engagement_rate)::bigint AS er_posts,
           avg(likes) FILTER (WHERE metric_days > 0)::float8 AS likes,
           avg(comments) FILTER (WHERE metric_days > 0)::float8 AS comments,
           avg(views)::float8 AS views
    FROM post_stats GROUP BY influencer_id
), snap AS (
    SELECT DISTINCT ON (influencer_id) influencer_id, as_of, source, followers, posts, avg_likes, avg_views,
           engagement_rate,
           CASE WHEN jsonb_typeof(extra -> 'avg_comments') = 'number'
                THEN (extra ->> 'avg_comments')::float8 END AS avg_comments
    FROM influencer_snapshot
    ORDER BY influencer_id, as_of DESC, id DESC
), latest AS (
    SELECT DISTINCT ON (influencer_id) id, influencer_id, as_of, followers
    FROM influencer_snapshot WHERE followers IS NOT NULL
    ORDER BY influencer_id, as_of DESC, id DESC
), growth AS (
    SELECT l.influencer_id,
           (l.followers - b30.followers)::float8 / NULLIF(b30.followers, 0) AS growth_30d,
           (l.followers - b90.followers)::float8 / NULLIF(b90.followers, 0) AS growth_90d
    FROM latest l
    LEFT JOIN LATERAL (SELECT b.followers FROM influencer_snapshot b
                       WHERE b.influencer_id = l.influencer_id AND b.followers IS NOT NULL
                         AND b.as_of <= l.as_of - 30 ORDER BY b.as_of DESC, b.id DESC LIMIT 1) b30 ON true
    LEFT JOIN LATERAL (SELECT b.followers FROM influencer_snapshot b
                       WHERE b.influencer_id = l.influencer_id AND b.followers IS NOT NULL
                         AND b.as_of <= l.as_of - 90 ORDER BY b.as_of DESC, b.id DESC LIMIT 1) b90 ON true
), j AS (
    SELECT i.id, i.platform, i.handle, i.name, i.category, i.country, i.language, i.followers, i.follower_tier,
           coalesce(p.posts, 0) AS n_posts, coalesce(p.measured, 0) > 0 AS measured,
           p.er, p.er_sum, p.er_posts, p.likes, p.comments, p.views,
           s.influencer_id IS NOT NULL AS has_snapshot, s.as_of AS s_as_of, s.source AS s_source,
           s.followers AS s_followers, s.posts AS s_posts, s.avg_likes AS s_likes, s.avg_views AS s_views,
           s.engagement_rate AS s_er, s.avg_comments AS s_comments
    FROM influencer i
    LEFT JOIN p ON p.influencer_id = i.id
    LEFT JOIN snap s ON s.influencer_id = i.id
)
SELECT id AS influencer_id,
       platform, handle, name, category, country, language,
       coalesce(followers, s_followers) AS followers, follower_tier,
       n_posts::bigint AS posts,
       CASE WHEN measured OR NOT has_snapshot THEN er ELSE s_er END AS avg_engagement_rate,
       coalesce(er_sum, 0)::float8 AS er_sum,
       coalesce(er_posts, 0)::bigint AS er_posts,
       (CASE WHEN measured OR NOT has_snapshot THEN likes ELSE s_likes END)::float8 AS avg_likes,
       (CASE WHEN measured OR NOT has_snapshot THEN views ELSE s_views END)::float8 AS avg_views,
       (CASE WHEN measured OR NOT has_snapshot THEN comments ELSE s_comments END)::float8 AS avg_comments,
       CASE WHEN measured THEN 'posts' WHEN has_snapshot THEN 'snapshot' END AS figures_source,
       CASE WHEN NOT measured THEN s_source END AS snapshot_source,
       CASE WHEN NOT measured THEN s_as_of END AS snapshot_as_of,
       CASE WHEN NOT measured THEN s_posts END AS snapshot_posts,
       g.growth_30d, g.growth_90d
FROM j LEFT JOIN growth g ON g.influencer_id = j.id
"""

PREVIOUS_INFLUENCER_STATS = """
CREATE MATERIALIZED VIEW influencer_stats AS
WITH p AS (
    SELECT influencer_id, count(*)::bigint AS posts,
           count(*) FILTER (WHERE metric_days > 0)::bigint AS measured,
           avg(engagement_rate) AS er,
           coalesce(sum(engagement_rate), 0)::float8 AS er_sum,
           count(engagement_rate)::bigint AS er_posts,
           avg(likes) FILTER (WHERE metric_days > 0)::float8 AS likes,
           avg(comments) FILTER (WHERE metric_days > 0)::float8 AS comments,
           avg(views)::float8 AS views
    FROM post_stats GROUP BY influencer_id
), snap AS (
    SELECT DISTINCT ON (influencer_id) influencer_id, as_of, source, followers, posts, avg_likes, avg_views,
           engagement_rate,
           CASE WHEN jsonb_typeof(extra -> 'avg_comments') = 'number'
                THEN (extra ->> 'avg_comments')::float8 END AS avg_comments
    FROM influencer_snapshot
    ORDER BY influencer_id, as_of DESC, id DESC
), j AS (
    SELECT i.id, i.platform, i.handle, i.name, i.category, i.country, i.language, i.followers, i.follower_tier,
           coalesce(p.posts, 0) AS n_posts, coalesce(p.measured, 0) > 0 AS measured,
           p.er, p.er_sum, p.er_posts, p.likes, p.comments, p.views,
           s.influencer_id IS NOT NULL AS has_snapshot, s.as_of AS s_as_of, s.source AS s_source,
           s.followers AS s_followers, s.posts AS s_posts, s.avg_likes AS s_likes, s.avg_views AS s_views,
           s.engagement_rate AS s_er, s.avg_comments AS s_comments
    FROM influencer i
    LEFT JOIN p ON p.influencer_id = i.id
    LEFT JOIN snap s ON s.influencer_id = i.id
)
SELECT id AS influencer_id,
       platform, handle, name, category, country, language,
       coalesce(followers, s_followers) AS followers, follower_tier,
       n_posts::bigint AS posts,
       CASE WHEN measured OR NOT has_snapshot THEN er ELSE s_er END AS avg_engagement_rate,
       coalesce(er_sum, 0)::float8 AS er_sum,
       coalesce(er_posts, 0)::bigint AS er_posts,
       (CASE WHEN measured OR NOT has_snapshot THEN likes ELSE s_likes END)::float8 AS avg_likes,
       (CASE WHEN measured OR NOT has_snapshot THEN views ELSE s_views END)::float8 AS avg_views,
       (CASE WHEN measured OR NOT has_snapshot THEN comments ELSE s_comments END)::float8 AS avg_comments,
       CASE WHEN measured THEN 'posts' WHEN has_snapshot THEN 'snapshot' END AS figures_source,
       CASE WHEN NOT measured THEN s_source END AS snapshot_source,
       CASE WHEN NOT measured THEN s_as_of END AS snapshot_as_of,
       CASE WHEN NOT measured THEN s_posts END AS snapshot_posts
FROM j
"""

PORTFOLIO_STATS = """
CREATE MATERIALIZED VIEW portfolio_stats AS
SELECT 1 AS id, count(*)::bigint AS influencers, coalesce(sum(posts), 0)::bigint AS posts,
       coalesce(sum(er_sum), 0)::float8 AS er_sum, coalesce(sum(er_posts), 0)::bigint AS er_posts,
       count(*) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_influencers,
       coalesce(sum(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot'), 0)::float8
           AS snapshot_er_sum,
       count(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_er_count
FROM influencer_stats
"""

INDEXES = (
    "CREATE UNIQUE INDEX uq_influencer_stats_influencer ON influencer_stats (influencer_id)",
    "CREATE INDEX ix_influencer_stats_followers ON influencer_stats (followers DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_er ON influencer_stats (avg_engagement_rate DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_likes ON influencer_stats (avg_likes DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_views ON influencer_stats (avg_views DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_name ON influencer_stats (lower(coalesce(name, handle)), influencer_id)",
    "CREATE INDEX ix_influencer_stats_platform_category ON influencer_stats (platform, category)",
    "CREATE INDEX ix_influencer_stats_lower_platform_tier ON influencer_stats (lower(platform), lower(follower_tier))",
    "CREATE INDEX ix_influencer_stats_lower_category ON influencer_stats (lower(category))",
    "CREATE INDEX ix_influencer_stats_lower_country ON influencer_stats (lower(country))",
    "CREATE UNIQUE INDEX uq_portfolio_stats ON portfolio_stats (id)",
)
COMMENTS_INDEX = (
    "CREATE INDEX ix_influencer_stats_comments ON influencer_stats (avg_comments DESC NULLS LAST, influencer_id)",
)

TRIGRAM = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX ix_influencer_stats_handle_trgm ON influencer_stats USING gin (handle gin_trgm_ops);
        CREATE INDEX ix_influencer_stats_name_trgm ON influencer_stats USING gin (name gin_trgm_ops);
    END IF;
END
$$
"""


def _recreate(influencer_stats: str, portfolio_stats: str, indexes: tuple[str, ...]) -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS portfolio_stats")
    op.execute("DROP MATERIALIZED VIEW IF EXISTS influencer_stats")
    op.execute(influencer_stats)
    op.execute(portfolio_stats)
    for statement in indexes:
        op.execute(statement)
    op.execute(TRIGRAM)
    # The roles revision granted SELECT on the rollups it saw; default privileges cover new ones, but
    # say it here too so that a database migrated before those defaults keeps its readers.
    op.execute("""
        DO $$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_api') THEN
                GRANT SELECT ON influencer_stats, portfolio_stats TO pf_api;
            END IF;
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pf_etl') THEN
                GRANT SELECT ON influencer_stats, portfolio_stats TO pf_etl;
            END IF;
        END
        $$
    """)


FILTER_INDEXES = ("CREATE INDEX ix_influencer_stats_lower_language ON influencer_stats (lower(language))",)
AUDIENCE_INDEX = "CREATE INDEX IF NOT EXISTS ix_audience_share_dimension_bucket ON audience_share (dimension, lower(bucket), share)"


# hide_flagged: the flagged few (1 in 50 in the bench) as a small hash, not every score row
FLAGGED_INDEX = (
    "CREATE INDEX IF NOT EXISTS ix_influencer_score_flagged ON influencer_score (influencer_id) "
    "WHERE anomaly_reasons IS NOT NULL AND anomaly_reasons <> CAST('[]' AS jsonb)"
)

CATEGORY_TRIGRAM = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX ix_influencer_stats_category_trgm ON influencer_stats USING gin (category gin_trgm_ops);
    END IF;
END
$$
"""


def upgrade() -> None:
    _recreate(INFLUENCER_STATS, PORTFOLIO_STATS, INDEXES + COMMENTS_INDEX + FILTER_INDEXES)
    op.execute(CATEGORY_TRIGRAM)
    op.execute(AUDIENCE_INDEX)
    op.execute(FLAGGED_INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_influencer_score_flagged")
    op.execute("DROP INDEX IF EXISTS ix_audience_share_dimension_bucket")
    _recreate(PREVIOUS_INFLUENCER_STATS, PORTFOLIO_STATS, INDEXES + COMMENTS_INDEX)
