"""Follower tiers (Mediakix's common split): nano < 10k <= micro < 50k <= mid < 500k <= macro < 1M <= mega."""

from __future__ import annotations

TIERS: tuple[str, ...] = ("nano", "micro", "mid", "macro", "mega")
# Lower bound (inclusive) of each tier.
TIER_LOWER_BOUNDS: dict[str, int] = {"nano": 0, "micro": 10_000, "mid": 50_000, "macro": 500_000, "mega": 1_000_000}


def follower_tier(followers: int | None) -> str | None:
    if followers is None:
        return None
    tier = "nano"
    for name in TIERS:
        if followers >= TIER_LOWER_BOUNDS[name]:
            tier = name
    return tier


def tier_sql(column: str) -> str:
    """The same rule as a SQL CASE expression (used by the generated column `influencer.follower_tier`)."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN {column} >= 1000000 THEN 'mega' WHEN {column} >= 500000 THEN 'macro' "
        f"WHEN {column} >= 50000 THEN 'mid' WHEN {column} >= 10000 THEN 'micro' ELSE 'nano' END"
    )
