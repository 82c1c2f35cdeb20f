"""influencer: category_source and country_source

Why (issue 12, item 4): discovery filters on country and category, and exports write them every which
way ("United States", "USA", "Estados Unidos"; "Beauty & Fashion", "beauty"). The loaders now store the
normalised value (ISO 3166-1 alpha-2; a label of predictfluence.vocab.CATEGORIES) in `country` /
`category` and the file's own text, when it differs, in these two columns, so nothing the manager
uploaded is lost and the profile can show it. Nullable text: rows loaded before keep NULL.

Revision ID: 5b2e9c41f0a7
Revises: d67c1ef3d743
Create Date: 2026-11-29 22:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e9c41f0a7"
down_revision: str | None = "d67c1ef3d743"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("influencer", sa.Column("category_source", sa.Text(), nullable=True))
    op.add_column("influencer", sa.Column("country_source", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("influencer", "country_source")
    op.drop_column("influencer", "category_source")
