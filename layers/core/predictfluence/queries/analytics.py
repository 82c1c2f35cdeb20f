"""Portfolio analytics: KPIs, daily engagement trend, top campaigns, audience demographics, content types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from predictfluence.queries.common import one, ratio, rows
from predictfluence.queries.filters import Where


def kpis() -> dict[str, Any]:
    row = one(
        """
        SELECT (SELECT count(*) FROM campaign) AS total_campaigns,
               (SELECT count(*) FROM campaign WHERE status = 'active') AS active_campaigns,
               coalesce(p.influencers, 0) AS total_influencers, coalesce(p.posts, 0) AS total_posts,
               p.er_sum / NULLIF(p.er_posts, 0) AS avg_engagement_rate,
               coalesce(p.snapshot_influencers, 0) AS snapshot_influencers,
               p.snapshot_er_sum / NULLIF(p.snapshot_er_count, 0) AS snapshot_avg_engagement_rate,
               h.spent AS total_spent, h.hires
        FROM (SELECT coalesce(sum(agreed_cost), 0) AS spent, count(*) AS hires
              FROM campaign_influencer WHERE status <> 'cancelled') h
        LEFT JOIN portfolio_stats p ON true
        """
    )
    assert row is not None
    row["avg_cost_per_influencer"] = ratio(row["total_spent"], row.pop("hires"))
    row["by_currency"] = rows(
        """
        SELECT c.currency, count(*) AS campaigns, coalesce(sum(c.budget), 0) AS budget,
               coalesce(sum(h.spent), 0) AS spent
        FROM campaign c
        LEFT JOIN (SELECT campaign_id, sum(agreed_cost) AS spent FROM campaign_influencer
                   WHERE status <> 'cancelled' GROUP BY campaign_id) h ON h.campaign_id = c.id
        GROUP BY c.currency ORDER BY c.currency
        """
    )
    return row


_TREND_COLUMNS = ("posts", "likes", "comments", "shares", "saves", "engagements", "views", "impressions")

# the daily_stats rollup has no category: with one, the days are summed from the metric rows themselves
_DAILY_BY_CATEGORY = """
    SELECT m.date, p.platform, coalesce(p.campaign_id, 0) AS campaign_key, count(*) AS posts,
           sum(m.likes) AS likes, sum(m.comments) AS comments, sum(m.shares) AS shares, sum(m.saves) AS saves,
           sum(m.likes + m.comments + m.shares + m.saves) AS engagements, coalesce(sum(m.views), 0) AS views,
           coalesce(sum(m.impressions), 0) AS impressions,
           coalesce(sum((m.likes + m.comments + m.shares + m.saves)::float8 / NULLIF(i.followers, 0)), 0) AS er_sum,
           count(NULLIF(i.followers, 0)) AS er_posts
    FROM post_metric_daily m JOIN post p ON p.id = m.post_id JOIN influencer i ON i.id = p.influencer_id
    WHERE m.date BETWEEN :start AND :end AND lower(i.category) = lower(:category)
    GROUP BY m.date, p.platform, coalesce(p.campaign_id, 0)
"""


def engagement_trend(
    start: dt.date,
    end: dt.date,
    platform: str | None = None,
    campaign_id: int | None = None,
    category: str | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One point per day from start to end (inclusive), zero-filled, from the daily_stats rollup; and the totals.

    A day's ER is the mean over the posts measured that day of (that day's engagements / followers); the
    totals' ER is the same mean over every (post, day) of the window.
    """
    where = Where("s.date BETWEEN :start AND :end", start=start, end=end)
    where.optional("lower(s.platform) = lower(:platform)", platform=platform)
    where.optional("s.campaign_key = :campaign_id", campaign_id=campaign_id)
    # summed over campaigns (a few rows per day) unless one campaign is asked for
    source = "daily_platform_stats" if campaign_id is None else "daily_stats"
    if category is not None:
        source = f"({_DAILY_BY_CATEGORY})"
        where.params["category"] = category
    found = rows(
        f"""
        WITH d AS (
            SELECT s.date, sum(s.posts) AS posts, sum(s.likes) AS likes, sum(s.comments) AS comments,
                   sum(s.shares) AS shares, sum(s.saves) AS saves, sum(s.engagements) AS engagements,
                   sum(s.views) AS views, sum(s.impressions) AS impressions,
                   sum(s.er_sum) AS er_sum, sum(s.er_posts) AS er_posts
            FROM {source} s
            {where.sql()}
            GROUP BY s.date
        )
        SELECT g.date::date AS date, coalesce(d.posts, 0)::bigint AS posts, coalesce(d.likes, 0)::bigint AS likes,
               coalesce(d.comments, 0)::bigint AS comments, coalesce(d.shares, 0)::bigint AS shares,
               coalesce(d.saves, 0)::bigint AS saves, coalesce(d.engagements, 0)::bigint AS engagements,
               coalesce(d.views, 0)::bigint AS views, coalesce(d.impressions, 0)::bigint AS impressions,
               coalesce(d.er_sum, 0)::float8 AS er_sum, coalesce(d.er_posts, 0)::bigint AS er_posts,
               d.er_sum / NULLIF(d.er_posts, 0) AS engagement_rate
        FROM generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') AS g(date)
        LEFT JOIN d ON d.date = g.date::date
        ORDER BY g.date
        """,  # noqa: S608 - the WHERE parts and the source are fixed strings
        where.params,
    )
    totals: dict[str, Any] = {c: sum(int(p[c]) for p in found) for c in _TREND_COLUMNS}
    er_sum, er_posts = sum(float(p.pop("er_sum")) for p in found), sum(int(p.pop("er_posts")) for p in found)
    totals["engagement_rate"] = er_sum / er_posts if er_posts else None
    return found, totals


_CAMPAIGN_POSTS = """(SELECT campaign_id, posts, er_sum / NULLIF(er_posts, 0) AS avg_engagement_rate,
                           engagements, views FROM campaign_post_stats)"""


def top_campaigns(
    limit: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    platform: str | None = None,
    category: str | None = None,
) -> list[dict[str, Any]]:
    """Campaigns by mean post ER; with a filter, over their posts published in the period / on the platform / by
    influencers of the category (spend stays the campaign's whole hired cost)."""
    where = Where("s.campaign_id IS NOT NULL")
    where.optional("s.posted_at::date >= :start", start=start)
    where.optional("s.posted_at::date <= :end", end=end)
    where.optional("lower(s.platform) = lower(:platform)", platform=platform)
    where.optional("lower(i.category) = lower(:category)", category=category)
    source = _CAMPAIGN_POSTS
    if len(where.conditions) > 1:
        source = f"""(SELECT s.campaign_id, count(*) AS posts, avg(s.engagement_rate) AS avg_engagement_rate,
                            sum(s.engagements) AS engagements, coalesce(sum(s.views), 0) AS views
                     FROM post_stats s JOIN influencer i ON i.id = s.influencer_id {where.sql()}
                     GROUP BY s.campaign_id)"""  # noqa: S608 - the WHERE parts are fixed strings
    found = rows(
        f"""
        SELECT c.id AS campaign_id, c.name, c.brand, c.status, c.currency, coalesce(p.posts, 0) AS posts,
               p.avg_engagement_rate, coalesce(p.engagements, 0) AS engagements, coalesce(p.views, 0) AS views,
               coalesce(h.spent, 0) AS spent
        FROM campaign c
        LEFT JOIN {source} p ON p.campaign_id = c.id
        LEFT JOIN (SELECT campaign_id, sum(agreed_cost) AS spent FROM campaign_influencer
                   WHERE status <> 'cancelled' GROUP BY campaign_id) h ON h.campaign_id = c.id
        ORDER BY p.avg_engagement_rate DESC NULLS LAST, c.id
        LIMIT :limit
        """,  # noqa: S608 - the WHERE parts and the source are fixed strings
        {**where.params, "limit": limit},
    )
    for row in found:
        row["cpe"] = ratio(row["spent"], row["engagements"])
    return found


def demographics(
    dimension: str, campaign_id: int | None = None, platform: str | None = None, category: str | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Follower-weighted audience: share(bucket) = Σ followers × share / Σ over buckets of the same.

    Over every influencer (the audience_totals rollup), or over those of a platform / category, or over a
    campaign's hires that are not cancelled. Returns (influencers with data for the dimension, buckets by share
    descending).
    """
    if campaign_id is None and platform is None and category is None:
        found = rows(
            "SELECT bucket, audience, dimension_influencers FROM audience_totals WHERE dimension = :d",
            {"d": dimension},
        )
    else:
        where = Where("a.dimension = :d", d=dimension).add("i.followers > 0")
        where.optional("lower(i.platform) = lower(:platform)", platform=platform)
        where.optional("lower(i.category) = lower(:category)", category=category)
        where.optional(
            "EXISTS (SELECT 1 FROM campaign_influencer h WHERE h.influencer_id = a.influencer_id "
            "AND h.campaign_id = :c AND h.status <> 'cancelled')",
            c=campaign_id,
        )
        # the scope's rows are read once: the buckets' sums and the influencers' count come from them (two
        # statements read every audience and influencer row of a 500-hire campaign twice)
        found = rows(
            "WITH s AS MATERIALIZED (SELECT a.influencer_id, a.bucket, a.share * i.followers AS weighted "  # noqa: S608
            f"FROM audience_share a JOIN influencer i ON i.id = a.influencer_id {where.sql()}) "
            "SELECT bucket, sum(weighted)::float8 AS audience, "
            "(SELECT count(DISTINCT influencer_id) FROM s) AS dimension_influencers FROM s GROUP BY bucket",
            where.params,
        )
    total = sum(float(r["audience"]) for r in found)
    buckets = [
        {
            "bucket": r["bucket"],
            "audience": float(r["audience"]),
            "share": float(r["audience"]) / total if total else 0.0,
        }
        for r in found
    ]
    buckets.sort(key=lambda b: (-b["audience"], b["bucket"]))
    return int(found[0]["dimension_influencers"]) if found else 0, buckets


def content_types(
    platform: str | None = None,
    campaign_id: int | None = None,
    category: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Per content type: posts, mean post ER, mean likes and views per post, totals.

    From the content_type_stats rollup; with a category or a period (of the posts' publication dates), from
    post_stats (one row per post) joined to the influencer.
    """
    where = Where().optional("lower(s.platform) = lower(:platform)", platform=platform)
    if category is None and start is None and end is None:
        where.optional("s.campaign_key = :campaign_id", campaign_id=campaign_id)
        source = "content_type_stats"
    else:
        where.optional("s.campaign_id = :campaign_id", campaign_id=campaign_id)
        where.optional("lower(s.category) = lower(:category)", category=category)
        where.optional("s.posted_at::date >= :start", start=start)
        where.optional("s.posted_at::date <= :end", end=end)
        source = (
            "(SELECT s.content_type, s.platform, s.campaign_id, s.posted_at, i.category, 1 AS posts, "
            "coalesce(s.engagement_rate, 0) AS er_sum, (s.engagement_rate IS NOT NULL)::int AS er_posts, "
            "CASE WHEN s.metric_days > 0 THEN s.likes ELSE 0 END AS likes_sum, "
            "(s.metric_days > 0)::int AS measured_posts, coalesce(s.views, 0) AS views, "
            "(s.views IS NOT NULL)::int AS view_posts, s.engagements, coalesce(s.impressions, 0) AS impressions "
            "FROM post_stats s JOIN influencer i ON i.id = s.influencer_id)"
        )
    return rows(
        f"""
        SELECT s.content_type, sum(s.posts)::bigint AS posts,
               sum(s.er_sum) / NULLIF(sum(s.er_posts), 0) AS avg_engagement_rate,
               sum(s.likes_sum)::float8 / NULLIF(sum(s.measured_posts), 0) AS avg_likes,
               sum(s.views)::float8 / NULLIF(sum(s.view_posts), 0) AS avg_views,
               sum(s.engagements)::bigint AS engagements, sum(s.views)::bigint AS views,
               sum(s.impressions)::bigint AS impressions
        FROM {source} s {where.sql()}
        GROUP BY s.content_type
        ORDER BY 3 DESC NULLS LAST, s.content_type
        """,  # noqa: S608 - the WHERE parts and the source are fixed strings
        where.params,
    )
