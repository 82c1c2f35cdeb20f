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


def engagement_trend(start: dt.date, end: dt.date, platform: str | None = None,
                     campaign_id: int | None = None) -> list[dict[str, Any]]:
    """One point per day from start to end (inclusive), zero-filled, from the daily_stats rollup.

    A day's ER is the mean over the posts measured that day of (that day's engagements / followers).
    """
    where = Where("s.date BETWEEN :start AND :end", start=start, end=end)
    where.optional("lower(s.platform) = lower(:platform)", platform=platform)
    where.optional("s.campaign_key = :campaign_id", campaign_id=campaign_id)
    # summed over campaigns (a few rows per day) unless one campaign is asked for
    source = "daily_platform_stats" if campaign_id is None else "daily_stats"
    return rows(
        f"""
        WITH d AS (
            SELECT s.date, sum(s.posts) AS posts, sum(s.likes) AS likes, sum(s.comments) AS comments,
                   sum(s.shares) AS shares, sum(s.saves) AS saves, sum(s.engagements) AS engagements,
                   sum(s.views) AS views, sum(s.impressions) AS impressions,
                   sum(s.er_sum) / NULLIF(sum(s.er_posts), 0) AS er
            FROM {source} s
            {where.sql()}
            GROUP BY s.date
        )
        SELECT g.date::date AS date, coalesce(d.posts, 0)::bigint AS posts, coalesce(d.likes, 0)::bigint AS likes,
               coalesce(d.comments, 0)::bigint AS comments, coalesce(d.shares, 0)::bigint AS shares,
               coalesce(d.saves, 0)::bigint AS saves, coalesce(d.engagements, 0)::bigint AS engagements,
               coalesce(d.views, 0)::bigint AS views, coalesce(d.impressions, 0)::bigint AS impressions,
               d.er AS engagement_rate
        FROM generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') AS g(date)
        LEFT JOIN d ON d.date = g.date::date
        ORDER BY g.date
        """,  # noqa: S608 - the WHERE parts are fixed strings
        where.params,
    )


def top_campaigns(limit: int) -> list[dict[str, Any]]:
    found = rows(
        """
        SELECT c.id AS campaign_id, c.name, c.brand, c.status, c.currency, coalesce(p.posts, 0) AS posts,
               p.avg_engagement_rate, coalesce(p.engagements, 0) AS engagements, coalesce(p.views, 0) AS views,
               coalesce(h.spent, 0) AS spent
        FROM campaign c
        LEFT JOIN (SELECT campaign_id, posts, er_sum / NULLIF(er_posts, 0) AS avg_engagement_rate,
                          engagements, views
                   FROM campaign_post_stats) p ON p.campaign_id = c.id
        LEFT JOIN (SELECT campaign_id, sum(agreed_cost) AS spent FROM campaign_influencer
                   WHERE status <> 'cancelled' GROUP BY campaign_id) h ON h.campaign_id = c.id
        ORDER BY p.avg_engagement_rate DESC NULLS LAST, c.id
        LIMIT :limit
        """,
        {"limit": limit},
    )
    for row in found:
        row["cpe"] = ratio(row["spent"], row["engagements"])
    return found


def demographics(dimension: str, campaign_id: int | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Follower-weighted audience: share(bucket) = Σ followers × share / Σ over buckets of the same.

    Over every influencer (the audience_totals rollup), or over a campaign's hires that are not cancelled.
    Returns (influencers with data for the dimension, buckets by share descending).
    """
    if campaign_id is None:
        found = rows("SELECT bucket, audience, dimension_influencers FROM audience_totals WHERE dimension = :d",
                     {"d": dimension})
        count = {"n": found[0]["dimension_influencers"]} if found else None
    else:
        params = {"d": dimension, "c": campaign_id}
        scope = ("FROM audience_share a JOIN influencer i ON i.id = a.influencer_id "
                 "JOIN campaign_influencer h ON h.influencer_id = a.influencer_id AND h.campaign_id = :c "
                 "AND h.status <> 'cancelled' WHERE a.dimension = :d AND i.followers > 0")
        found = rows(f"SELECT a.bucket, sum(a.share * i.followers)::float8 AS audience {scope} GROUP BY a.bucket",  # noqa: S608
                     params)
        count = one(f"SELECT count(DISTINCT a.influencer_id) AS n {scope}", params)  # noqa: S608
    total = sum(float(r["audience"]) for r in found)
    buckets = [{"bucket": r["bucket"], "audience": float(r["audience"]),
                "share": float(r["audience"]) / total if total else 0.0} for r in found]
    buckets.sort(key=lambda b: (-b["audience"], b["bucket"]))
    return int(count["n"]) if count else 0, buckets


def content_types(platform: str | None = None, campaign_id: int | None = None) -> list[dict[str, Any]]:
    """Per content type (content_type_stats rollup): posts, mean post ER, mean likes and views per post, totals."""
    where = Where().optional("lower(platform) = lower(:platform)", platform=platform)
    where.optional("campaign_key = :campaign_id", campaign_id=campaign_id)
    return rows(
        f"""
        SELECT content_type, sum(posts)::bigint AS posts,
               sum(er_sum) / NULLIF(sum(er_posts), 0) AS avg_engagement_rate,
               sum(likes_sum)::float8 / NULLIF(sum(measured_posts), 0) AS avg_likes,
               sum(views)::float8 / NULLIF(sum(view_posts), 0) AS avg_views,
               sum(engagements)::bigint AS engagements, sum(views)::bigint AS views,
               sum(impressions)::bigint AS impressions
        FROM content_type_stats {where.sql()}
        GROUP BY content_type
        ORDER BY 3 DESC NULLS LAST, content_type
        """,  # noqa: S608 - the WHERE parts are fixed strings
        where.params,
    )
