"""shortlist, shortlist_item: named lists of influencers shared by the workspace (issue 13, item 2)

Viewers read them, managers create, rename, delete and fill them (with a note per creator); a shortlist
seeds the campaign planner (filters.influencer_ids) and the compare page.

Grants (see the database_roles revision): pf_api reads and writes both tables; pf_etl only reads them
(the default privilege; deleting an influencer cascades to its shortlist rows through the foreign key).

Revision ID: 3c8d1f2a6b57
Revises: 5b1e2c7d9a40
Create Date: 2026-11-29 22:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c8d1f2a6b57"
down_revision: str | None = "5b1e2c7d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shortlist",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist")),
        sa.UniqueConstraint("name", name=op.f("uq_shortlist_name")),
    )
    op.create_table(
        "shortlist_item",
        sa.Column("shortlist_id", sa.BigInteger(), nullable=False),
        sa.Column("influencer_id", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["shortlist_id"],
            ["shortlist.id"],
            name=op.f("fk_shortlist_item_shortlist_id_shortlist"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["influencer_id"],
            ["influencer.id"],
            name=op.f("fk_shortlist_item_influencer_id_influencer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("shortlist_id", "influencer_id", name=op.f("pk_shortlist_item")),
    )
    op.create_index(
        op.f("ix_shortlist_item_influencer_id"), "shortlist_item", ["influencer_id"], unique=False
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON shortlist, shortlist_item TO pf_api")


def downgrade() -> None:
    op.drop_index(op.f("ix_shortlist_item_influencer_id"), table_name="shortlist_item")
    op.drop_table("shortlist_item")
    op.drop_table("shortlist")
