"""influencer_stats: every sort index covers the columns the list filters on (issue 16.5)

GET /influencers walks the sort index of its `sort` and filters the rows it passes; with a filter the walk read
each passed row's heap page of the rollup (1M influencers: 391 MB, 20,000 rows 75-280 ms, 4-14 µs a row) to test
the filter, and a filter correlated with the sort (a tier sorted by ER, a followers range sorted by ER) sorted
every match through the heap instead (0.2-0.6 s). Each of the twelve sort indexes (six keys, both directions)
now INCLUDEs every column a list filter other than the audience's reads (`rollup_tables.LIST_FILTER_COLUMNS`: platform,
category, country, tier, language, followers, the four averages, both growths, figures source, name, handle),
so the walk is an index-only scan and reads the page's whole rows by id after (docs/benchmarks.md, "The list's
walk index-only"). Cost at 1M: the twelve grow from 36-52 MB to ~173 MB each (2.3 GB of influencer_stats indexes
in all); what the rollup's apply writes per changed influencer grows with them (same section).

Revision ID: a4d7c2e9f1b3
Revises: d4e9a1c7b5f3
Create Date: 2026-11-30 12:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "a4d7c2e9f1b3"
down_revision: str | None = "d4e9a1c7b5f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# rollup_tables.LIST_FILTER_COLUMNS as of this revision (a migration does not import the application)
COVERED = (
    "platform", "category", "country", "follower_tier", "language", "followers", "avg_engagement_rate", "avg_likes",
    "avg_views", "avg_comments", "growth_30d", "growth_90d", "figures_source", "name", "handle",
)
NAME = "lower(COALESCE(name, handle::text))"
# index -> (its key, the column of the key: not INCLUDEd again)
SORT_INDEXES = {
    "ix_influencer_stats_followers": ("followers DESC NULLS LAST, influencer_id", "followers"),
    "ix_influencer_stats_followers_asc": ("followers, influencer_id", "followers"),
    "ix_influencer_stats_er": ("avg_engagement_rate DESC NULLS LAST, influencer_id", "avg_engagement_rate"),
    "ix_influencer_stats_er_asc": ("avg_engagement_rate, influencer_id", "avg_engagement_rate"),
    "ix_influencer_stats_likes": ("avg_likes DESC NULLS LAST, influencer_id", "avg_likes"),
    "ix_influencer_stats_likes_asc": ("avg_likes, influencer_id", "avg_likes"),
    "ix_influencer_stats_views": ("avg_views DESC NULLS LAST, influencer_id", "avg_views"),
    "ix_influencer_stats_views_asc": ("avg_views, influencer_id", "avg_views"),
    "ix_influencer_stats_comments": ("avg_comments DESC NULLS LAST, influencer_id", "avg_comments"),
    "ix_influencer_stats_comments_asc": ("avg_comments, influencer_id", "avg_comments"),
    "ix_influencer_stats_name": (f"{NAME}, influencer_id", None),
    "ix_influencer_stats_name_desc": (f"{NAME} DESC NULLS LAST, influencer_id", None),
}
# before: the keys alone, but the lookalikes' followers walk up covered the other sort keys (e2b8f4c6a0d1)
FOLLOWERS_ASC_BEFORE = "avg_engagement_rate, avg_likes, avg_views, avg_comments, name, handle"


def upgrade() -> None:
    for name, (key, column) in SORT_INDEXES.items():
        include = ", ".join(c for c in COVERED if c != column)
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON influencer_stats ({key}) INCLUDE ({include})")


def downgrade() -> None:
    for name, (key, _column) in SORT_INDEXES.items():
        include = f" INCLUDE ({FOLLOWERS_ASC_BEFORE})" if name == "ix_influencer_stats_followers_asc" else ""
        op.execute(f"DROP INDEX {name}")
        op.execute(f"CREATE INDEX {name} ON influencer_stats ({key}){include}")
