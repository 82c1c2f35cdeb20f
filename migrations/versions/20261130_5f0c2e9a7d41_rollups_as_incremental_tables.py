"""rollups: the eight materialized views become tables maintained from the keys each write touched

Why (issue 16.1): every load refreshed all eight rollups in full (11.3 s at 3M daily metric rows, growing
with the warehouse). Now:
- post_stats, influencer_stats, portfolio_stats, campaign_post_stats, content_type_stats, daily_stats,
  daily_platform_stats and audience_totals are TABLES with the same names, columns (types copied from
  the views with LIKE), indexes and contents, so every reader keeps working;
- `rollup_dirty (kind, id)`: the queue of touched keys. AFTER … FOR EACH STATEMENT triggers with transition
  tables on post_metric_daily, post, influencer, influencer_snapshot and audience_share append what a
  statement touched ('post', 'day', 'influencer', 'followers', 'moved', 'audience'); the trigger functions
  are SECURITY DEFINER (owner), so the API's and the ETL's roles need no grant on the queue to be tracked,
  and foreign-key cascades / SET NULL are caught like any write;
- `rollup_metric_delta`: appended daily metric rows summed per post (the INSERT trigger), so that a daily
  delta adds to post_stats instead of re-reading each post's history;
- `predictfluence.queries.rollups.apply()` drains the queue and recomputes only those keys; `rebuild()`
  recomputes from scratch (the definitions below are the views' SQL, also in queries/rollup_sql.py);
- pf_etl (the ETL, which applies after each batch) may write the rollup tables and the queue; pf_api only
  reads them, as before. pf_refresh_rollup (REFRESH MATERIALIZED VIEW for pf_etl) has nothing left to
  refresh and is dropped.
Downgrade: the tables, queue and triggers go; the materialized views (populated), their indexes, grants
and pf_refresh_rollup come back.

Revision ID: 5f0c2e9a7d41
Revises: f7a3c91d2e60
Create Date: 2026-11-30 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "5f0c2e9a7d41"
down_revision: str | None = "f7a3c91d2e60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rollups in dependency order and their SQL at this revision (frozen copy of queries/rollup_sql.py).
DEFINITIONS: dict[str, str] = {
    "post_stats": """SELECT p.id AS post_id, p.influencer_id, p.campaign_id, p.platform, p.content_type, p.sponsored, p.posted_at,
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
WHERE TRUE
GROUP BY p.id, i.followers
""",
    "influencer_stats": """WITH p AS (
    SELECT influencer_id, count(*) AS posts, count(*) FILTER (WHERE metric_days > 0) AS measured,
           avg(engagement_rate) AS er, coalesce(sum(engagement_rate), 0)::float8 AS er_sum,
           count(engagement_rate) AS er_posts,
           (avg(likes) FILTER (WHERE metric_days > 0))::float8 AS likes,
           (avg(comments) FILTER (WHERE metric_days > 0))::float8 AS comments,
           avg(views)::float8 AS views
    FROM post_stats WHERE TRUE
    GROUP BY influencer_id
), snap AS (
    SELECT DISTINCT ON (influencer_id) influencer_id, as_of, source, followers, posts, avg_likes, avg_views,
           engagement_rate,
           CASE WHEN jsonb_typeof(extra -> 'avg_comments') = 'number'
                THEN (extra ->> 'avg_comments')::float8 END AS avg_comments
    FROM influencer_snapshot WHERE TRUE
    ORDER BY influencer_id, as_of DESC, id DESC
), latest AS (
    SELECT DISTINCT ON (influencer_id) id, influencer_id, as_of, followers
    FROM influencer_snapshot WHERE followers IS NOT NULL AND TRUE
    ORDER BY influencer_id, as_of DESC, id DESC
), growth AS (
    SELECT l.influencer_id,
           (l.followers - b30.followers)::float8 / NULLIF(b30.followers, 0)::float8 AS growth_30d,
           (l.followers - b90.followers)::float8 / NULLIF(b90.followers, 0)::float8 AS growth_90d
    FROM latest l
    LEFT JOIN LATERAL (SELECT b.followers FROM influencer_snapshot b
                       WHERE b.influencer_id = l.influencer_id AND b.followers IS NOT NULL
                         AND b.as_of <= l.as_of - 30
                       ORDER BY b.as_of DESC, b.id DESC LIMIT 1) b30 ON true
    LEFT JOIN LATERAL (SELECT b.followers FROM influencer_snapshot b
                       WHERE b.influencer_id = l.influencer_id AND b.followers IS NOT NULL
                         AND b.as_of <= l.as_of - 90
                       ORDER BY b.as_of DESC, b.id DESC LIMIT 1) b90 ON true
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
    WHERE TRUE
)
SELECT j.id AS influencer_id, j.platform, j.handle, j.name, j.category, j.country, j.language,
       coalesce(j.followers, j.s_followers) AS followers, j.follower_tier,
       j.n_posts AS posts,
       CASE WHEN j.measured OR NOT j.has_snapshot THEN j.er ELSE j.s_er END AS avg_engagement_rate,
       coalesce(j.er_sum, 0)::float8 AS er_sum,
       coalesce(j.er_posts, 0)::bigint AS er_posts,
       CASE WHEN j.measured OR NOT j.has_snapshot THEN j.likes ELSE j.s_likes END AS avg_likes,
       CASE WHEN j.measured OR NOT j.has_snapshot THEN j.views ELSE j.s_views END AS avg_views,
       CASE WHEN j.measured OR NOT j.has_snapshot THEN j.comments ELSE j.s_comments END AS avg_comments,
       CASE WHEN j.measured THEN 'posts' WHEN j.has_snapshot THEN 'snapshot' END AS figures_source,
       CASE WHEN NOT j.measured THEN j.s_source END AS snapshot_source,
       CASE WHEN NOT j.measured THEN j.s_as_of END AS snapshot_as_of,
       CASE WHEN NOT j.measured THEN j.s_posts END AS snapshot_posts,
       g.growth_30d, g.growth_90d
FROM j
LEFT JOIN growth g ON g.influencer_id = j.id
""",
    "portfolio_stats": """SELECT 1 AS id, count(*)::bigint AS influencers, coalesce(sum(posts), 0)::bigint AS posts,
       coalesce(sum(er_sum), 0)::float8 AS er_sum, coalesce(sum(er_posts), 0)::bigint AS er_posts,
       count(*) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_influencers,
       coalesce(sum(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot'), 0)::float8
           AS snapshot_er_sum,
       count(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_er_count
FROM influencer_stats
""",
    "campaign_post_stats": """SELECT campaign_id, count(*)::bigint AS posts,
       coalesce(sum(engagement_rate), 0)::float8 AS er_sum, count(engagement_rate)::bigint AS er_posts,
       coalesce(sum(engagements), 0)::bigint AS engagements,
       coalesce(sum(views), 0)::bigint AS views, count(views)::bigint AS view_posts,
       coalesce(sum(impressions), 0)::bigint AS impressions
FROM post_stats
WHERE campaign_id IS NOT NULL
GROUP BY campaign_id
""",
    "content_type_stats": """SELECT content_type, platform, coalesce(campaign_id, 0) AS campaign_key,
       count(*)::bigint AS posts,
       coalesce(sum(engagement_rate), 0)::float8 AS er_sum, count(engagement_rate)::bigint AS er_posts,
       coalesce(sum(likes) FILTER (WHERE metric_days > 0), 0)::bigint AS likes_sum,
       count(*) FILTER (WHERE metric_days > 0)::bigint AS measured_posts,
       coalesce(sum(views), 0)::bigint AS views, count(views)::bigint AS view_posts,
       coalesce(sum(engagements), 0)::bigint AS engagements, coalesce(sum(impressions), 0)::bigint AS impressions
FROM post_stats
GROUP BY content_type, platform, coalesce(campaign_id, 0)
""",
    "daily_stats": """SELECT m.date, p.platform, coalesce(p.campaign_id, 0) AS campaign_key,
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
WHERE TRUE
GROUP BY m.date, p.platform, coalesce(p.campaign_id, 0)
""",
    "daily_platform_stats": """SELECT date, platform, sum(posts)::bigint AS posts, sum(likes)::bigint AS likes, sum(comments)::bigint AS comments,
       sum(shares)::bigint AS shares, sum(saves)::bigint AS saves, sum(engagements)::bigint AS engagements,
       sum(views)::bigint AS views, sum(impressions)::bigint AS impressions,
       sum(er_sum)::float8 AS er_sum, sum(er_posts)::bigint AS er_posts
FROM daily_stats
WHERE TRUE
GROUP BY date, platform
""",
    "audience_totals": """WITH scoped AS (
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
""",
}
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
    "CREATE INDEX ix_influencer_stats_comments ON influencer_stats (avg_comments DESC NULLS LAST, influencer_id)",
    "CREATE INDEX ix_influencer_stats_name ON influencer_stats (lower(coalesce(name, handle)), influencer_id)",
    "CREATE INDEX ix_influencer_stats_platform_category ON influencer_stats (platform, category)",
    "CREATE INDEX ix_influencer_stats_lower_platform_tier ON influencer_stats (lower(platform), lower(follower_tier))",
    "CREATE INDEX ix_influencer_stats_lower_category ON influencer_stats (lower(category))",
    "CREATE INDEX ix_influencer_stats_lower_country ON influencer_stats (lower(country))",
    "CREATE INDEX ix_influencer_stats_lower_language ON influencer_stats (lower(language))",
    "CREATE UNIQUE INDEX uq_portfolio_stats ON portfolio_stats (id)",
    "CREATE UNIQUE INDEX uq_campaign_post_stats ON campaign_post_stats (campaign_id)",
    "CREATE UNIQUE INDEX uq_content_type_stats ON content_type_stats (content_type, platform, campaign_key)",
    "CREATE UNIQUE INDEX uq_daily_stats ON daily_stats (date, platform, campaign_key)",
    "CREATE INDEX ix_daily_stats_campaign ON daily_stats (campaign_key, date)",
    "CREATE UNIQUE INDEX uq_daily_platform_stats ON daily_platform_stats (date, platform)",
    "CREATE UNIQUE INDEX uq_audience_totals ON audience_totals (dimension, bucket)",
)
TRIGRAM = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX ix_influencer_stats_handle_trgm ON influencer_stats USING gin (handle gin_trgm_ops);
        CREATE INDEX ix_influencer_stats_name_trgm ON influencer_stats USING gin (name gin_trgm_ops);
        CREATE INDEX ix_influencer_stats_category_trgm ON influencer_stats USING gin (category gin_trgm_ops);
    END IF;
END
$$
"""

# Appended daily metric rows, summed per post and statement: apply() adds them to the post's row instead of
# reading the post's whole history (an update or delete of metric rows queues the post for a recompute).
METRIC_DELTA = """
CREATE TABLE rollup_metric_delta (
    post_id BIGINT NOT NULL, metric_days BIGINT NOT NULL, likes NUMERIC NOT NULL, comments NUMERIC NOT NULL,
    shares NUMERIC NOT NULL, saves NUMERIC NOT NULL, views NUMERIC, views_n BIGINT NOT NULL,
    impressions NUMERIC, impressions_n BIGINT NOT NULL
)
"""

# Trigger functions: what each statement touched, appended to the queue (see the module docstring).
_FN = """
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
BEGIN
{body}
    RETURN NULL;
END
$$
"""
MARKERS: dict[str, tuple[str, str]] = {  # table: (function, body)
    "post_metric_daily": ("pf_rollup_mark_metrics", """
    IF TG_OP = 'INSERT' THEN
        INSERT INTO rollup_metric_delta
        SELECT post_id, count(*), sum(likes), sum(comments), sum(shares), sum(saves),
               sum(views), count(views), sum(impressions), count(impressions)
        FROM pf_new GROUP BY post_id;
        INSERT INTO rollup_dirty (kind, id) SELECT 'day', d - DATE '1970-01-01' FROM (SELECT DISTINCT date AS d FROM pf_new) n;
    ELSE
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'post', post_id FROM (SELECT DISTINCT post_id FROM pf_old) o
        UNION ALL SELECT 'day', d - DATE '1970-01-01' FROM (SELECT DISTINCT date AS d FROM pf_old) o;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'post', post_id FROM (SELECT DISTINCT post_id FROM pf_new) n
        UNION ALL SELECT 'day', d - DATE '1970-01-01' FROM (SELECT DISTINCT date AS d FROM pf_new) n;
    END IF;"""),
    "post": ("pf_rollup_mark_posts", """
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'post', id FROM pf_new
        UNION ALL SELECT 'influencer', influencer_id FROM (SELECT DISTINCT influencer_id FROM pf_new) n;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'post', id FROM pf_old
        UNION ALL SELECT 'influencer', influencer_id FROM (SELECT DISTINCT influencer_id FROM pf_old) o;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'moved', n.id FROM pf_new n JOIN pf_old o ON o.id = n.id
        WHERE (n.platform, n.campaign_id, n.influencer_id) IS DISTINCT FROM (o.platform, o.campaign_id, o.influencer_id);
    END IF;"""),
    "influencer": ("pf_rollup_mark_influencers", """
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT 'influencer', id FROM pf_new;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT 'influencer', id FROM pf_old;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO rollup_dirty (kind, id)
        SELECT 'followers', n.id FROM pf_new n JOIN pf_old o ON o.id = n.id WHERE n.followers IS DISTINCT FROM o.followers;
    END IF;"""),
    "influencer_snapshot": ("pf_rollup_mark_snapshots", """
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT DISTINCT 'influencer', influencer_id FROM pf_new;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO rollup_dirty (kind, id) SELECT DISTINCT 'influencer', influencer_id FROM pf_old;
    END IF;"""),
    "audience_share": ("pf_rollup_mark_audience", """
    INSERT INTO rollup_dirty (kind, id) VALUES ('audience', 0);"""),
}
_TRIGGERS = {  # event: transition tables
    "INSERT": "NEW TABLE AS pf_new",
    "UPDATE": "OLD TABLE AS pf_old NEW TABLE AS pf_new",
    "DELETE": "OLD TABLE AS pf_old",
}

REFRESH_FUNCTION = """
CREATE FUNCTION pf_refresh_rollup(view_name text, use_concurrently boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_matviews WHERE schemaname = 'public' AND matviewname = view_name) THEN
        RAISE EXCEPTION 'not a rollup: %', view_name USING ERRCODE = 'undefined_table';
    END IF;
    IF use_concurrently THEN
        EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY public.%I', view_name);
    ELSE
        EXECUTE format('REFRESH MATERIALIZED VIEW public.%I', view_name);
    END IF;
END
$$
"""


def _grant(privileges: dict[str, str], relations: str) -> None:
    """GRANT to the roles of migration a7a014bc99e0 that exist (they always do after it; kept safe)."""
    for role, what in privileges.items():
        op.execute(f"""
            DO $$
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                    GRANT {what} ON {relations} TO {role};
                END IF;
            END
            $$
        """)  # noqa: S608 - role names and relations are constants


def upgrade() -> None:
    names = list(DEFINITIONS)
    for name in names:
        op.execute(f"CREATE TABLE {name}__table (LIKE {name})")
    for name in reversed(names):
        op.execute(f"DROP MATERIALIZED VIEW {name}")
    for name in names:
        op.execute(f"ALTER TABLE {name}__table RENAME TO {name}")
    op.execute("ALTER TABLE post_stats SET (fillfactor = 80)")  # room for in-place (HOT) updates
    for statement in INDEXES:
        op.execute(statement)
    op.execute(TRIGRAM)
    for name in names:
        op.execute(f"INSERT INTO {name} {DEFINITIONS[name]}")
        op.execute(f"ANALYZE {name}")
    op.execute("CREATE TABLE rollup_dirty (kind VARCHAR(16) NOT NULL, id BIGINT NOT NULL)")
    op.execute(METRIC_DELTA)
    for table, (function, body) in MARKERS.items():
        op.execute(_FN.format(name=function, body=body))
        op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
        for event, transition in _TRIGGERS.items():
            op.execute(f"CREATE TRIGGER trg_{table}_rollup_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {transition} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    relations = ", ".join([*names, "rollup_dirty", "rollup_metric_delta"])
    _grant({"pf_api": "SELECT", "pf_etl": "SELECT, INSERT, UPDATE, DELETE"}, relations)
    op.execute("DROP FUNCTION IF EXISTS pf_refresh_rollup(text, boolean)")


def downgrade() -> None:
    names = list(DEFINITIONS)
    for table, (function, _body) in MARKERS.items():
        for event in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_rollup_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.execute("DROP TABLE IF EXISTS rollup_dirty")
    op.execute("DROP TABLE IF EXISTS rollup_metric_delta")
    for name in reversed(names):
        op.execute(f"DROP TABLE {name}")
    for name in names:
        op.execute(f"CREATE MATERIALIZED VIEW {name} AS {DEFINITIONS[name]}")
    for statement in INDEXES:
        op.execute(statement)
    op.execute(TRIGRAM)
    _grant({"pf_api": "SELECT", "pf_etl": "SELECT"}, ", ".join(names))
    op.execute(REFRESH_FUNCTION)
    op.execute("REVOKE ALL ON FUNCTION pf_refresh_rollup(text, boolean) FROM PUBLIC")
    _grant({"pf_etl": "EXECUTE"}, "FUNCTION pf_refresh_rollup(text, boolean)")
