"""influencer_score: drop the (content_type, objective) ranking indexes (issue 16.3 / 16.5)

Why: since c7a1e9d3b5f2 the scores carry a `follower_tier` copy and three per-tier ranking indexes
(content_type, follower_tier, objective DESC, influencer_id). `GET /recommendations` without `?tier=` still
walked the three older (content_type, objective) indexes; it now reads the top `limit` of each tier from the
per-tier indexes and keeps the best `limit` of those (queries.recommendations._merged). Nothing else reads
the old three (the planner's pool, the profile and shortlists read by influencer_id or scan), and every row
the scoring swap (queries.score_runs.swap) inserts paid their maintenance: at 100,000 influencers (300,000
scores) the swap's insert with the four c7a1e9d3b5f2 indexes took ~2x its time before them
(docs/benchmarks.md, "The scoring swap after the per-tier indexes").

Dropped: ix_influencer_score_content_er, ix_influencer_score_content_engagements,
ix_influencer_score_content_per_dollar (downgrade rebuilds them).

Revision ID: f5d9b2a7c3e1
Revises: c7a1e9d3b5f2
Create Date: 2026-11-30 10:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "f5d9b2a7c3e1"
down_revision: str | None = "c7a1e9d3b5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_influencer_score_content_er": "content_type, predicted_er",
    "ix_influencer_score_content_engagements": "content_type, engagements",
    "ix_influencer_score_content_per_dollar": "content_type, engagements_per_dollar",
}


def upgrade() -> None:
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON influencer_score ({columns})")
