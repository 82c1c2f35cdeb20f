"""influencer_score: cost forecast per post and the ranking objectives

Why (issue 11, items 2 and 3): a manager commits budget, so every candidate needs a cost, not only those
hired before, and a ranking in the units a manager thinks in. The retrain batch now writes per influencer ×
content type:
- cost_per_post with its 80 % interval (cost_low, cost_high), from the cost model trained on past hires;
- engagements (expected engagements per post = predicted ER × followers) with its interval;
- engagements_per_dollar (engagements / cost per post) with its interval.
All are nullable: scores written before this revision have none. Two indexes on (content_type, objective)
keep the ranking by either objective an index scan, like the one on predicted_er.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c057f0eca57a"
down_revision: str | None = "a7a014bc99e0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_COLUMNS = (
    "cost_per_post", "cost_low", "cost_high", "engagements", "engagements_low", "engagements_high",
    "engagements_per_dollar", "per_dollar_low", "per_dollar_high",
)


def upgrade() -> None:
    for name in NEW_COLUMNS:
        op.add_column("influencer_score", sa.Column(name, sa.Double(), nullable=True))
    op.create_index("ix_influencer_score_content_engagements", "influencer_score", ["content_type", "engagements"])
    op.create_index("ix_influencer_score_content_per_dollar", "influencer_score",
                    ["content_type", "engagements_per_dollar"])


def downgrade() -> None:
    op.drop_index("ix_influencer_score_content_per_dollar", table_name="influencer_score")
    op.drop_index("ix_influencer_score_content_engagements", table_name="influencer_score")
    for name in reversed(NEW_COLUMNS):
        op.drop_column("influencer_score", name)
