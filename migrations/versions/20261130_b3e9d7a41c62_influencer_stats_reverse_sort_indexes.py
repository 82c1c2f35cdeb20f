"""influencer_stats: an index for the other direction of every list sort (issue 16.5)

GET /influencers sorts `ORDER BY <column> <asc|desc> NULLS LAST, influencer_id`. The rollup had one index per
sort column, (column DESC NULLS LAST, influencer_id) and (lower(coalesce(name, handle)), influencer_id): a
backward walk of either gives NULLS FIRST and ids descending, so the other direction (avg_er / likes / views /
comments ascending, name descending) sorted every matching row. At 1,000,000 influencers that was a 1-2 s
sort per page (`hide_flagged=true&sort=name&order=desc`, and every text search or discovery filter asked in
that direction). With these five indexes every sort × direction is an index walk that stops after a page
(followers ascending has had one since c5a8e1d4b207).

Revision ID: b3e9d7a41c62
Revises: 6a1d3e8f2b90
Create Date: 2026-11-30 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "b3e9d7a41c62"
down_revision: str | None = "6a1d3e8f2b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_influencer_stats_er_asc": "(avg_engagement_rate, influencer_id)",
    "ix_influencer_stats_likes_asc": "(avg_likes, influencer_id)",
    "ix_influencer_stats_views_asc": "(avg_views, influencer_id)",
    "ix_influencer_stats_comments_asc": "(avg_comments, influencer_id)",
    "ix_influencer_stats_name_desc": "(lower(coalesce(name, handle)) DESC NULLS LAST, influencer_id)",
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON influencer_stats {columns}")


def downgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
