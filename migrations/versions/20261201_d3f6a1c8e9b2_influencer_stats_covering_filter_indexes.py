"""The platform × tier and platform × category × country indexes cover every sort key (issue 16.5)

Why: a list filtered by platform and tier or by the platform × category × country multi-select, sorted by a key
the filter's matches lie deep in (nano influencers by views, a category's few thousand creators by followers),
walked the sort index on to the page: at 1M influencers 100,000-600,000 entries (37-130 ms), or fetched its first
5,001 matches through one of these two indexes and the rollup's heap (14-36 ms). Covering the sort keys (like the
growth indexes of migration e2b8f4c6a0d1), a filter's matches are read and sorted index-only from its own index
(the platform × tier filter's 60,000 twitch nano influencers sorted by views: 15 ms); their key columns are
INCLUDEd too, or PostgreSQL does not scan an expression index index-only. At 1M: 131 and 144 MB (7 MB each
before); figures in docs/benchmarks.md, "Platform, tier and multi-select filters".

Downgrade: the two indexes as before, without INCLUDE.

Revision ID: d3f6a1c8e9b2
Revises: b9e4c7a2d5f8
Create Date: 2026-12-01 15:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "d3f6a1c8e9b2"
down_revision: str | None = "b9e4c7a2d5f8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# rollup_tables._SORT_KEYS (a migration does not import the application)
SORT_KEYS = "influencer_id, followers, avg_engagement_rate, avg_likes, avg_views, avg_comments, name, handle"
# index -> (its key, the key's columns)
INDEXES = {
    "ix_influencer_stats_lower_platform_tier": ("lower(platform), lower(follower_tier)", "platform, follower_tier"),
    "ix_influencer_stats_platform_category_country": (
        "lower(platform), lower(category), lower(country)", "platform, category, country"
    ),
}


def upgrade() -> None:
    for name, (key, columns) in INDEXES.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON influencer_stats ({key}) INCLUDE ({SORT_KEYS}, {columns})")
    op.execute("ANALYZE influencer_stats")


def downgrade() -> None:
    for name, (key, _columns) in INDEXES.items():
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON influencer_stats ({key})")
