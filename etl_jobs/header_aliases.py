"""The alias tables of the `profiles` kind's header resolution (etl_jobs.headers): data, no logic.

Every alias is written normalised (etl_jobs.reading.alias_key: case-folded, punctuation and whitespace runs
as one space). The rules that use these tables are in the docstring of etl_jobs.headers; docs/etl-profiles.md
lists them for users.
"""

from __future__ import annotations

# Profiles columns → aliases (normalised), best first. Order matters: earlier columns claim a header
# first, so a header listed for two columns (e.g. "channel name") goes to the first one that lacks a
# better match.
ALIASES: dict[str, tuple[str, ...]] = {
    "handle": (
        "handle",
        "influencer name",
        "username",
        "user name",
        "channel info",
        "account",
        "channel",
        "instagram handle",
        "tiktok handle",
        "youtube handle",
        "account handle",
        "profile",
        "influencer",
        "creator",
        "channel name",
        "account name",
    ),
    "platform": ("platform", "network", "social network", "social media", "social platform"),
    "name": (
        "name",
        "full name",
        "display name",
        "influencer full name",
        "channel name",
        "account name",
        "title",
    ),
    "category": (
        "category",
        "niche",
        "topic",
        "categories",
        "main category",
        "genre",
        "vertical",
        "topic of influence",
    ),
    "country": (
        "country",
        "audience country",
        "top country",
        "location",
        "top audience country",
        "main audience country",
        "audience country top",
        "audience location",
        "country region",
    ),
    "followers": (
        "followers",
        "subscribers",
        "subscribers count",
        "followers count",
        "follower count",
        "subscriber count",
        "fans",
        "total followers",
        "total subscribers",
        "subs",
        "audience size",
    ),
    "posts": (
        "total posts",
        "posts",
        "videos",
        "uploads",
        "posts count",
        "post count",
        "video count",
        "media count",
        "number of posts",
    ),
    "avg_likes": (
        "avg likes",
        "likes avg",
        "average likes",
        "likes average",
        "avg likes per post",
        "mean likes",
        "avg like",  # the real top-200 file has both "Avg likes" and "Avg Like": the latter loses
    ),
    "avg_views": (
        "avg views",
        "views avg",
        "average views",
        "views average",
        "avg video views",
        "mean views",
    ),
    "engagement_rate": (
        "engagement rate",
        "60 day eng rate",
        "er",
        "eng rate",
        "engagement",
        "avg engagement rate",
        "engagement rate avg",
        "avg er",
    ),
    "as_of": ("as of", "date", "snapshot date", "report date", "export date", "data date"),
}
COLUMNS: tuple[str, ...] = tuple(ALIASES)
# Value type of each column: text | count (whole number) | amount (non-negative number) | rate | date.
COLUMN_TYPES: dict[str, str] = {
    "handle": "text",
    "platform": "text",
    "name": "text",
    "category": "text",
    "country": "text",
    "followers": "count",
    "posts": "count",
    "avg_likes": "amount",
    "avg_views": "amount",
    "engagement_rate": "rate",
    "as_of": "date",
}
# Known extras: key in influencer_snapshot.extra → (aliases, value type).
EXTRAS: dict[str, tuple[tuple[str, ...], str]] = {
    "rank": (("rank", "ranking", "position"), "count"),
    "influence_score": (("influence score", "influencer score", "score"), "amount"),
    "new_post_avg_likes": (("new post avg like", "new post avg likes", "new post average likes"), "amount"),
    "total_likes": (("total likes", "likes total"), "count"),
    "avg_comments": (("comments avg", "avg comments", "average comments", "comments average"), "amount"),
    "avg_shares": (("shares avg", "avg shares", "average shares"), "amount"),
    "total_views": (("total views", "views total"), "count"),
}
# When a header loses its column to a better alias, the extra key it is kept under.
LOSER_EXTRA_KEYS: dict[str, str] = {"avg like": "new_post_avg_likes"}
MAPPING_DEFAULTS: tuple[str, ...] = ("@platform", "@as_of", "@source")
UNIT_SCALES: dict[str, int] = {
    "k": 1_000,
    "thousand": 1_000,
    "thousands": 1_000,
    "000s": 1_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "b": 1_000_000_000,
    "bn": 1_000_000_000,
    "billion": 1_000_000_000,
    "billions": 1_000_000_000,
}
PERCENT_WORDS: tuple[str, ...] = ("percent", "pct", "in percent")
