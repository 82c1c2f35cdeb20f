"""Follower tiers (Mediakix's common split): nano < 10k <= micro < 50k <= mid < 500k <= macro < 1M <= mega."""

from __future__ import annotations

from predictfluence.vocab import FOLLOWER_TIERS

TIERS: tuple[str, ...] = FOLLOWER_TIERS
# Lower bound (inclusive) of each tier, smallest tier first.
TIER_LOWER_BOUNDS: dict[str, int] = dict(zip(TIERS, (0, 10_000, 50_000, 500_000, 1_000_000), strict=True))


def follower_tier(followers: int | None) -> str | None:
    if followers is None:
        return None
    tier = TIERS[0]
    for name in TIERS:
        if followers >= TIER_LOWER_BOUNDS[name]:
            tier = name
    return tier


def tier_sql(column: str) -> str:
    """The same rule as a SQL CASE expression (used by the generated column `influencer.follower_tier`)."""
    upper = " ".join(f"WHEN {column} >= {TIER_LOWER_BOUNDS[t]} THEN '{t}'" for t in reversed(TIERS[1:]))
    return f"CASE WHEN {column} IS NULL THEN NULL {upper} ELSE '{TIERS[0]}' END"
