"""Lookalikes of an influencer: the same ML cluster when scored, else the nearest in followers."""

from __future__ import annotations

from typing import Any

from predictfluence.queries.common import one, rows
from predictfluence.queries.errors import NotFound
from predictfluence.queries.influencer_pages import ITEM_COLUMNS


def similar(influencer_id: int, limit: int = 10) -> tuple[str, list[dict[str, Any]]]:
    """Lookalikes: the same ML cluster when scored, else the same platform/category/tier nearest in followers.

    Returns (method, items); NotFound when the influencer does not exist.
    """
    me = one(
        "SELECT id, platform, category, follower_tier, followers, "
        "(SELECT cluster FROM influencer_score WHERE influencer_id = :id AND cluster IS NOT NULL "
        " ORDER BY content_type LIMIT 1) AS cluster FROM influencer WHERE id = :id",
        {"id": influencer_id},
    )
    if me is None:
        raise NotFound("influencer", influencer_id)
    params = {"id": influencer_id, "limit": limit, "followers": me["followers"] or 0}
    if me["cluster"] is not None:
        params["cluster"] = me["cluster"]
        member = (
            "EXISTS (SELECT 1 FROM influencer_score c WHERE c.influencer_id = s.influencer_id "
            "AND c.cluster = :cluster)"
        )
        return "cluster", rows(_nearest_in_followers(member), params)
    params.update(platform=me["platform"], category=me["category"], tier=me["follower_tier"])
    same = [
        "platform = :platform",
        "category = :category" if me["category"] is not None else "category IS NULL",
        "follower_tier = :tier" if me["follower_tier"] is not None else "follower_tier IS NULL",
    ]
    return "nearest", rows(_nearest_in_followers(" AND ".join(same)), params)


def _nearest_in_followers(member: str) -> str:
    """The `limit` members closest to :followers (no count = 0), ties by id: the nearest above, the nearest
    below and those without a count, each walked along the followers index and cut at `limit`, then merged —
    the cost grows with the page, not with the group's size (a cluster holds thousands at 100k influencers).
    Each order matches an index (ix_influencer_stats_followers_asc up; the DESC NULLS LAST one down: no NULL
    is below a count): a mismatch sorts every member above or below (docs/benchmarks.md, 1M influencers)."""
    base = f"SELECT {ITEM_COLUMNS}, %s AS distance FROM influencer_stats s WHERE s.influencer_id <> :id AND {member} AND "  # noqa: S608
    above = (
        base % "followers - :followers"
        + "followers >= :followers ORDER BY followers, influencer_id LIMIT :limit"
    )
    below = (
        base % ":followers - followers"
        + "followers < :followers ORDER BY followers DESC NULLS LAST, influencer_id LIMIT :limit"
    )
    unknown = base % "CAST(:followers AS bigint)" + "followers IS NULL ORDER BY influencer_id LIMIT :limit"
    outer = ITEM_COLUMNS.replace("influencer_id AS id", "id")
    return (
        f"SELECT {outer} FROM (({above}) UNION ALL ({below}) UNION ALL ({unknown})) x "  # noqa: S608
        "ORDER BY distance, id LIMIT :limit"
    )
