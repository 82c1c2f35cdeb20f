"""The API's rollup tables and their queue (migration 5f0c2e9a7d41), declared on the warehouse metadata by `declare` (models.py calls it) so
that models and migrations agree and the tests' per-test TRUNCATE empties them with the facts.

They are written only by `predictfluence.queries.rollups` (apply / rebuild) and read by the query layer
with SQL; no ORM class maps them. Columns keep the types of the materialized views they replaced.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

_BIG = ("posts", "likes", "comments", "shares", "saves", "engagements", "views", "impressions")


def _big(*names: str) -> list[Column]:
    return [Column(n, BigInteger) for n in names]


_SORT_KEYS = ["influencer_id", "followers", "avg_engagement_rate", "avg_likes", "avg_views", "avg_comments", "name",
              "handle"]


def _desc(column: str) -> tuple:
    return text(f"{column} DESC NULLS LAST"), "influencer_id"


# what every sort index of influencer_stats INCLUDEs besides its key: every column a list filter other than the
# audience's reads (the audience shares are a jsonb on the row), so that a filtered walk is index-only
# (predictfluence.queries.influencer_pages)
LIST_FILTER_COLUMNS = (
    "platform", "category", "country", "follower_tier", "language", "followers", "avg_engagement_rate", "avg_likes",
    "avg_views", "avg_comments", "growth_30d", "growth_90d", "figures_source", "search_text",
)
# INCLUDEd too where a walk computes the name sort's key: the name indexes, and the followers' (a followers range
# sorted by name, index-only); the other eight are 17 % narrower without them (162 against 196 MB at 1M,
# migration b9e4c7a2d5f8)
NAME_KEY_COLUMNS = ("name", "handle")
# the name sort's key as SQL: the list sorts by it (predictfluence.queries.influencers.SORTS) and a rebuild writes
# influencer_stats in its order (predictfluence.queries.rollup_sql.HEAP_ORDER); _NAME below is the same expression
NAME_SORT_KEY = "lower(coalesce(name, handle))"
# influencer_stats.search_text: lower(handle, name and category joined by SEARCH_SEPARATOR), what a text search
# matches with one LIKE instead of three ILIKEs (migration b9e4c7a2d5f8; predictfluence.queries.influencers)
SEARCH_SEPARATOR = "\n"
# the list's sort keys by index name
_SORTED = (("followers", "followers"), ("er", "avg_engagement_rate"), ("likes", "avg_likes"),
           ("views", "avg_views"), ("comments", "avg_comments"))
_NAME = func.lower(func.coalesce(text("name"), text("handle")))


def _covered(key: str | None = None) -> list[str]:
    return [c for c in LIST_FILTER_COLUMNS if c != key] + (list(NAME_KEY_COLUMNS) if key in (None, "followers") else [])


def _per_key(metadata: MetaData) -> None:
    _M = metadata  # noqa: N806
    Table(
        "post_stats", _M,
        Column("post_id", BigInteger), Column("influencer_id", BigInteger), Column("campaign_id", BigInteger),
        Column("platform", String(32)), Column("content_type", String(32)), Column("sponsored", Boolean),
        Column("posted_at", DateTime(timezone=True)),
        *_big("metric_days", "likes", "comments", "shares", "saves", "engagements", "views", "impressions"),
        Column("engagement_rate", Double),
        Index("uq_post_stats_post", "post_id", unique=True),
        Index("ix_post_stats_influencer", "influencer_id"),
        Index("ix_post_stats_campaign", "campaign_id", postgresql_where=text("campaign_id IS NOT NULL")),
        Index("ix_post_stats_content_type", "content_type"),
    )
    Table(
        "influencer_stats", _M,
        Column("influencer_id", BigInteger), Column("platform", String(32)), Column("handle", String(255)),
        Column("name", Text), Column("category", String(64)), Column("country", String(64)),
        Column("language", String(32)), Column("followers", BigInteger), Column("follower_tier", String(8)),
        Column("posts", BigInteger), Column("avg_engagement_rate", Double), Column("er_sum", Double),
        Column("er_posts", BigInteger), Column("avg_likes", Double), Column("avg_views", Double),
        Column("avg_comments", Double), Column("figures_source", Text), Column("snapshot_source", String),
        Column("snapshot_as_of", Date), Column("snapshot_posts", BigInteger),
        Column("growth_30d", Double), Column("growth_90d", Double),
        Column("audience", JSONB),  # {dimension: {lower(bucket): share}} (migration a9c4e2f71d35)
        Column("search_text", Text),  # see SEARCH_SEPARATOR
        Index("uq_influencer_stats_influencer", "influencer_id", unique=True),
        # the list's sort indexes, both directions (ORDER BY x DESC / ASC, NULLS LAST, id), each covering the
        # columns the list filters on (migration a4d7c2e9f1b3): a filtered walk is index-only
        *(Index(f"ix_influencer_stats_{n}", *_desc(c), postgresql_include=_covered(c)) for n, c in _SORTED),
        *(Index(f"ix_influencer_stats_{n}_asc", c, "influencer_id", postgresql_include=_covered(c))
          for n, c in _SORTED),
        Index("ix_influencer_stats_name", _NAME, "influencer_id", postgresql_include=_covered()),
        Index("ix_influencer_stats_name_desc", _NAME.desc().nulls_last(), "influencer_id",
              postgresql_include=_covered()),
        # the min_er / max_er range as a bitmap: the covering ER indexes are 4x wider (migration e7b1d4a9c2f6)
        Index("ix_influencer_stats_er_range", "avg_engagement_rate"),
        Index("ix_influencer_stats_platform_category", "platform", "category"),
        # platform × tier, and the multi-select below, covering every sort key and their own columns: a filter's
        # matches sorted index-only (migration d3f6a1c8e9b2)
        Index("ix_influencer_stats_lower_platform_tier", func.lower(text("platform")), func.lower(text("follower_tier")),
              postgresql_include=[*_SORT_KEYS, "platform", "follower_tier"]),
        Index("ix_influencer_stats_lower_category", func.lower(text("category"))),
        Index("ix_influencer_stats_lower_country", func.lower(text("country"))),
        Index("ix_influencer_stats_lower_language", func.lower(text("language"))),
        # the discovery filters without another index (migration e2b8f4c6a0d1): growth ranges (covering every
        # sort key: many matches are sorted index-only), multi-select
        *(Index(f"ix_influencer_stats_{g}", g, postgresql_include=_SORT_KEYS) for g in ("growth_30d", "growth_90d")),
        Index("ix_influencer_stats_platform_category_country", func.lower(text("platform")),
              func.lower(text("category")), func.lower(text("country")),
              postgresql_include=[*_SORT_KEYS, "platform", "category", "country"]),
        Index("ix_influencer_stats_search_trgm", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}),
    )


def _aggregates(metadata: MetaData) -> None:
    _M = metadata  # noqa: N806
    Table(
        "portfolio_stats", _M,
        Column("id", Integer), *_big("influencers", "posts"), Column("er_sum", Double), Column("er_posts", BigInteger),
        Column("snapshot_influencers", BigInteger), Column("snapshot_er_sum", Double),
        Column("snapshot_er_count", BigInteger),
        Index("uq_portfolio_stats", "id", unique=True),
    )
    Table(
        "campaign_post_stats", _M,
        Column("campaign_id", BigInteger), Column("posts", BigInteger), Column("er_sum", Double),
        *_big("er_posts", "engagements", "views", "view_posts", "impressions"),
        Index("uq_campaign_post_stats", "campaign_id", unique=True),
    )
    Table(
        "content_type_stats", _M,
        Column("content_type", String(32)), Column("platform", String(32)), Column("campaign_key", BigInteger),
        Column("posts", BigInteger), Column("er_sum", Double),
        *_big("er_posts", "likes_sum", "measured_posts", "views", "view_posts", "engagements", "impressions"),
        Index("uq_content_type_stats", "content_type", "platform", "campaign_key", unique=True),
    )
    Table(
        "daily_stats", _M,
        Column("date", Date), Column("platform", String(32)), Column("campaign_key", BigInteger),
        *_big(*_BIG), Column("er_sum", Double), Column("er_posts", BigInteger),
        Index("uq_daily_stats", "date", "platform", "campaign_key", unique=True),
        Index("ix_daily_stats_campaign", "campaign_key", "date"),
    )
    Table(
        "daily_platform_stats", _M,
        Column("date", Date), Column("platform", String(32)),
        *_big(*_BIG), Column("er_sum", Double), Column("er_posts", BigInteger),
        Index("uq_daily_platform_stats", "date", "platform", unique=True),
    )
    Table(
        "audience_totals", _M,
        Column("dimension", String(16)), Column("bucket", String(64)), Column("audience", Double),
        Column("influencers", BigInteger), Column("dimension_influencers", BigInteger),
        Index("uq_audience_totals", "dimension", "bucket", unique=True),
    )


def declare(metadata: MetaData) -> None:
    """Add the rollup tables and the queue to `metadata` (the warehouse's, models.Base.metadata)."""
    _per_key(metadata)
    _aggregates(metadata)
    # The queue of keys touched since the last apply (kind: post, day, influencer, followers, moved, audience).
    Table("rollup_dirty", metadata, Column("kind", String(16), nullable=False), Column("id", BigInteger, nullable=False))
    # Appended daily metric rows summed per post (and statement), added to post_stats by the next apply.
    Table("rollup_metric_delta", metadata, Column("post_id", BigInteger, nullable=False),
          Column("metric_days", BigInteger, nullable=False),
          *(Column(c, Numeric, nullable=False) for c in ("likes", "comments", "shares", "saves")),
          Column("views", Numeric), Column("views_n", BigInteger, nullable=False),
          Column("impressions", Numeric), Column("impressions_n", BigInteger, nullable=False))
