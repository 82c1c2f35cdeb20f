"""influencer_stats: snapshot figures for creators without post metrics

Why (issue 12, item 5): an influencer known only from an imported profile snapshot (`influencer_snapshot`)
showed "—" for ER, likes and views everywhere, because influencer_stats averaged post metrics only. The
rollup now gives every row its figures from post metrics when the influencer has any measured post, else
from its latest snapshot (as_of DESC, id DESC), and says which:
- figures_source: 'posts' | 'snapshot' | NULL (neither);
- snapshot_source, snapshot_as_of, snapshot_posts: the snapshot's, on rows whose figures come from it;
- avg_comments (new): mean comments per measured post, else the snapshot's `extra.avg_comments` when numeric;
- followers: the influencer's, else the snapshot's.
er_sum / er_posts stay post-only (portfolio_stats sums them: the portfolio ER is a mean over posts);
portfolio_stats adds snapshot_influencers, snapshot_er_sum, snapshot_er_count (the KPIs' snapshot figure).
A materialized view cannot be altered, so this drops and recreates it (and portfolio_stats, which reads
it) with every index the earlier revisions put on them, plus one for the comments sort.

Revision ID: d67c1ef3d743
Revises: c057f0eca57a
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "d67c1ef3d743"
down_revision: str | None = "c057f0eca57a"
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

OLD_INFLUENCER_STATS = """
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

OLD_PORTFOLIO_STATS = """
CREATE MATERIALIZED VIEW portfolio_stats AS
SELECT 1 AS id, count(*)::bigint AS influencers, coalesce(sum(posts), 0)::bigint AS posts,
       coalesce(sum(er_sum), 0)::float8 AS er_sum, coalesce(sum(er_posts), 0)::bigint AS er_posts
FROM influencer_stats
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
NEW_INDEXES = (
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


def upgrade() -> None:
    _recreate(INFLUENCER_STATS, PORTFOLIO_STATS, INDEXES + NEW_INDEXES)


def downgrade() -> None:
    _recreate(OLD_INFLUENCER_STATS, OLD_PORTFOLIO_STATS, INDEXES)
