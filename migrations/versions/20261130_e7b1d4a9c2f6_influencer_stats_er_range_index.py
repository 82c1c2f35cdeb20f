"""influencer_stats: a narrow index for the engagement-rate range (issue 16.5)

Migration a4d7c2e9f1b3 made every sort index cover the list's filter columns (154-173 MB each at 1M instead of
36-52 MB). The ER sort indexes also answered `min_er` / `max_er` as a bitmap range (the discovery filters'
few-matches count); four times wider, they cost the planner more than a parallel sequential scan of the
rollup: at 100k the discovery URL of `bench/api.py` (min_er=0.02 with growth, gender share, platforms,
hide_flagged; 1,936 matches) went 17.6 → 37 ms (bitmap of the narrow ER index, 86 index pages + 1,904 heap
pages → a parallel scan of all 5,000). This narrow index (7 MB at 100k) gives the range its bitmap back: 19 ms
(docs/benchmarks.md, "The list's walk index-only").

Revision ID: e7b1d4a9c2f6
Revises: a4d7c2e9f1b3
Create Date: 2026-11-30 13:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "e7b1d4a9c2f6"
down_revision: str | None = "a4d7c2e9f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_influencer_stats_er_range ON influencer_stats (avg_engagement_rate)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_influencer_stats_er_range")
