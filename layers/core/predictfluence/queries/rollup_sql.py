"""The rollups' definitions: the SELECT that computes each rollup table from the warehouse (the SQL of the
materialized views they replaced, migration 5f0c2e9a7d41), with a key filter.

Each definition is a format string; its placeholders restrict the rows it computes:
- `{posts}`: a condition on `p.id` (post_stats) — the posts to recompute;
- `{inf}`: a condition on an influencer id column named by the placeholder's caller (influencer_stats);
- `{days}`: a condition on the date column (daily_stats, daily_platform_stats).
`ALL` fills every placeholder with TRUE: the from-scratch recomputation (`rollups.rebuild`, the tests).
Column order is the tables' own, so `INSERT INTO <rollup> <definition>` needs no column list.
"""

from __future__ import annotations

import re

from predictfluence.rollup_tables import NAME_SORT_KEY, SEARCH_SEPARATOR

POST_STATS = """
SELECT p.id AS post_id, p.influencer_id, p.campaign_id, p.platform, p.content_type, p.sponsored, p.posted_at,
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
WHERE {posts}
GROUP BY p.id, i.followers
"""

# {dimension: {lower(bucket): share}} per influencer (the largest share where buckets differ only in case)
AUDIENCE_OF = """
    SELECT influencer_id, jsonb_object_agg(dimension, buckets) AS audience
    FROM (SELECT influencer_id, dimension, jsonb_object_agg(bucket, share) AS buckets
          FROM (SELECT influencer_id, dimension, lower(bucket) AS bucket, max(share) AS share
                FROM audience_share WHERE {inf_audience}
                GROUP BY influencer_id, dimension, lower(bucket)) b
          GROUP BY influencer_id, dimension) d
    GROUP BY influencer_id
"""

INFLUENCER_STATS = """
WITH p AS (
    SELECT influencer_id, count(*) AS posts, count(*) FILTER (WHERE metric_days > 0) AS measured,
           avg(engagement_rate) AS er, coalesce(sum(engagement_rate), 0)::float8 AS er_sum,
           count(engagement_rate) AS er_posts,
           (avg(likes) FILTER (WHERE metric_days > 0))::float8 AS likes,
           (avg(comments) FILTER (WHERE metric_days > 0))::float8 AS comments,
           avg(views)::float8 AS views
    FROM post_stats WHERE {inf_posts}
    GROUP BY influencer_id
), snap AS (
    SELECT DISTINCT ON (influencer_id) influencer_id, as_of, source, followers, posts, avg_likes, avg_views,
           engagement_rate,
           CASE WHEN jsonb_typeof(extra -> 'avg_comments') = 'number'
                THEN (extra ->> 'avg_comments')::float8 END AS avg_comments
    FROM influencer_snapshot WHERE {inf_snap}
    ORDER BY influencer_id, as_of DESC, id DESC
), latest AS (
    SELECT DISTINCT ON (influencer_id) id, influencer_id, as_of, followers
    FROM influencer_snapshot WHERE followers IS NOT NULL AND {inf_snap}
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
), aud AS (""" + AUDIENCE_OF + """), j AS (
    SELECT i.id, i.platform, i.handle, i.name, i.category, i.country, i.language, i.followers, i.follower_tier,
           coalesce(p.posts, 0) AS n_posts, coalesce(p.measured, 0) > 0 AS measured,
           p.er, p.er_sum, p.er_posts, p.likes, p.comments, p.views,
           s.influencer_id IS NOT NULL AS has_snapshot, s.as_of AS s_as_of, s.source AS s_source,
           s.followers AS s_followers, s.posts AS s_posts, s.avg_likes AS s_likes, s.avg_views AS s_views,
           s.engagement_rate AS s_er, s.avg_comments AS s_comments
    FROM influencer i
    LEFT JOIN p ON p.influencer_id = i.id
    LEFT JOIN snap s ON s.influencer_id = i.id
    WHERE {inf_influencer}
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
       g.growth_30d, g.growth_90d, a.audience,
       lower(concat_ws(chr(""" + str(ord(SEARCH_SEPARATOR)) + """), j.handle, j.name, j.category)) AS search_text
FROM j
LEFT JOIN growth g ON g.influencer_id = j.id
LEFT JOIN aud a ON a.influencer_id = j.id
"""  # noqa: S608 - constant SQL

PORTFOLIO_STATS = """
SELECT 1 AS id, count(*)::bigint AS influencers, coalesce(sum(posts), 0)::bigint AS posts,
       coalesce(sum(er_sum), 0)::float8 AS er_sum, coalesce(sum(er_posts), 0)::bigint AS er_posts,
       count(*) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_influencers,
       coalesce(sum(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot'), 0)::float8
           AS snapshot_er_sum,
       count(avg_engagement_rate) FILTER (WHERE figures_source = 'snapshot')::bigint AS snapshot_er_count
FROM influencer_stats
"""

CAMPAIGN_POST_STATS = """
SELECT campaign_id, count(*)::bigint AS posts,
       coalesce(sum(engagement_rate), 0)::float8 AS er_sum, count(engagement_rate)::bigint AS er_posts,
       coalesce(sum(engagements), 0)::bigint AS engagements,
       coalesce(sum(views), 0)::bigint AS views, count(views)::bigint AS view_posts,
       coalesce(sum(impressions), 0)::bigint AS impressions
FROM post_stats
WHERE campaign_id IS NOT NULL
GROUP BY campaign_id
"""

CONTENT_TYPE_STATS = """
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

DAILY_STATS = """
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
WHERE {days}
GROUP BY m.date, p.platform, coalesce(p.campaign_id, 0)
"""

DAILY_PLATFORM_STATS = """
SELECT date, platform, sum(posts)::bigint AS posts, sum(likes)::bigint AS likes, sum(comments)::bigint AS comments,
       sum(shares)::bigint AS shares, sum(saves)::bigint AS saves, sum(engagements)::bigint AS engagements,
       sum(views)::bigint AS views, sum(impressions)::bigint AS impressions,
       sum(er_sum)::float8 AS er_sum, sum(er_posts)::bigint AS er_posts
FROM daily_stats
WHERE {days}
GROUP BY date, platform
"""

AUDIENCE_TOTALS = """
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

# Every rollup in dependency order (a rollup reads only the ones before it) with its definition.
DEFINITIONS: dict[str, str] = {
    "post_stats": POST_STATS,
    "influencer_stats": INFLUENCER_STATS,
    "portfolio_stats": PORTFOLIO_STATS,
    "campaign_post_stats": CAMPAIGN_POST_STATS,
    "content_type_stats": CONTENT_TYPE_STATS,
    "daily_stats": DAILY_STATS,
    "daily_platform_stats": DAILY_PLATFORM_STATS,
    "audience_totals": AUDIENCE_TOTALS,
}
ALL = {"posts": "TRUE", "inf_posts": "TRUE", "inf_snap": "TRUE", "inf_audience": "TRUE", "inf_influencer": "TRUE",
       "days": "TRUE"}
# The same definitions restricted to the keys of the pf_d_* temporary tables (rollups.apply).
TOUCHED = {
    "posts": "p.id IN (SELECT id FROM pf_d_post)",
    "inf_posts": "influencer_id IN (SELECT id FROM pf_d_influencer)",
    "inf_snap": "influencer_id IN (SELECT id FROM pf_d_influencer)",
    "inf_audience": "influencer_id IN (SELECT id FROM pf_d_influencer)",
    "inf_influencer": "i.id IN (SELECT id FROM pf_d_influencer)",
    "days": "date IN (SELECT date FROM pf_d_day)",
}


# The order a rebuild writes a rollup's rows in (the heap's, until updates move rows): influencer_stats by the name
# sort key, so that a text search's matches, which cluster by name, lie on few heap pages of the rollup
# (docs/benchmarks.md, "Text search at 1M: the rollup in name order").
HEAP_ORDER = {"influencer_stats": f"{NAME_SORT_KEY}, influencer_id"}


def from_scratch(name: str, reading: dict[str, str] | None = None) -> str:
    """The SELECT computing every row of rollup `name` (in HEAP_ORDER when it has one); `reading` renames the
    earlier rollups it reads (a rebuild reads `influencer_stats_next` while it fills that beside the live table:
    rollups._rebuild_in)."""
    sql = DEFINITIONS[name].format(**ALL)
    for rollup, table in (reading or {}).items():
        sql = re.sub(rf"\b{rollup}\b", table, sql)
    return f"SELECT * FROM ({sql}) s ORDER BY {HEAP_ORDER[name]}" if name in HEAP_ORDER else sql  # noqa: S608


def for_touched(name: str) -> str:
    """The SELECT computing the rows of rollup `name` for the touched keys (pf_d_* tables)."""
    return DEFINITIONS[name].format(**TOUCHED)
