"""column_mapping: saved header mappings per source (issue 12, item 3)

A manager previews a file on the Data page (etl_jobs.infer.preview), corrects the inferred mapping and
saves it; later files with the same header signature (sha256 of the normalised, sorted header cells)
load with it automatically, whether uploaded, dropped in S3 or loaded from the CLI. One mapping per
signature (the primary key): saving again replaces it.

Grants (see the database_roles revision): pf_api writes the table (PUT / DELETE /imports/mappings),
pf_etl only reads it (the loader looks the signature up).

Revision ID: 5b1e2c7d9a40
Revises: 5b2e9c41f0a7
Create Date: 2026-11-29 22:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "5b1e2c7d9a40"
down_revision: str | None = "5b2e9c41f0a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "column_mapping",
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=True),
        sa.Column("saved_by", sa.Text(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("signature", name=op.f("pk_column_mapping")),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON column_mapping TO pf_api")
    op.execute("GRANT SELECT ON column_mapping TO pf_etl")


def downgrade() -> None:
    op.drop_table("column_mapping")
