"""influencer_stats (followers, influencer_id) ascending: lookalikes walk up from a follower count (issue 16.5)

GET /influencers/{id}/similar takes the nearest members above a follower count `ORDER BY followers,
influencer_id` and the nearest below `ORDER BY followers DESC, influencer_id`. The only followers index was
(followers DESC NULLS LAST, influencer_id): neither order matches it (a backward walk gives ids descending,
and DESC means NULLS FIRST), so at 1,000,000 influencers PostgreSQL sorted every member above the count
(EXPLAIN ANALYZE: parallel seq scan + external merge sort, 540 ms). This index serves the walk up; the walk
down now says NULLS LAST (no NULL is below a count) and uses the existing index.

Revision ID: c5a8e1d4b207
Revises: 9d2e4b7c1a03
Create Date: 2026-11-30 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c5a8e1d4b207"
down_revision: str | None = "9d2e4b7c1a03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_influencer_stats_followers_asc ON influencer_stats (followers, influencer_id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_influencer_stats_followers_asc")
