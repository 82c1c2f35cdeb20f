"""etl_load_progress: rows processed so far by each running load (issue 13.9)

A load writes its `etl_load` row and every data row in ONE transaction (etl_jobs.pipeline), so nobody else
sees that row, nor anything written to it, until the load commits. The ETL therefore reports progress on
a second, autocommitted connection into this table: one row per running load (keyed by the load's id,
which the sequence hands out before the commit; no foreign key, since the load's row is not committed
yet), updated once per chunk or batch and deleted when the load ends. `GET /etl/loads` shows a load
with a recent progress row as `processing` with its `rows_processed`.

Grants: pf_etl writes it; pf_api reads it (the default privilege).

Revision ID: 9d2e4b7c1a03
Revises: 5f0c2e9a7d41
Create Date: 2026-11-30 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9d2e4b7c1a03"
down_revision: str | None = "5f0c2e9a7d41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "etl_load_progress",
        sa.Column("load_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("file_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("rows_processed", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("load_id", name=op.f("pk_etl_load_progress")),
    )
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON etl_load_progress TO pf_etl")


def downgrade() -> None:
    op.drop_table("etl_load_progress")
