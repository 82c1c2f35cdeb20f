"""audit_event (append-only) and who made each write: campaign created/edited by, hire made by, key created by

Why (issue 14, points 2 and 5): nothing recorded who did what. Writes now store `principal.actor`
("key:<id>" for an API key, "user:<email>" for a signed-in Cognito user) and every write through the API
appends one row to `audit_event`: who (actor, role), when, what (action, target, a few changed fields),
from which address (source_ip) and in which request.

- campaign.created_by, campaign.updated_by; campaign_influencer.hired_by; api_key.created_by: nullable,
  rows written before this revision have no author.
- Uploads are recorded by their audit row (action `upload.create`, target `upload` = the S3 key); the ETL
  load of that key shows its uploader through it.
- audit_event is append-only: a trigger refuses UPDATE and DELETE for everyone (the owner included; TRUNCATE,
  an owner's privilege, is how tests empty it), and pf_api may only INSERT and SELECT it; pf_etl reads it.

Revision ID: b41f7c2e9d58
Revises: e1d2c3b4a5f6
Create Date: 2026-11-30 01:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b41f7c2e9d58"
down_revision: str | None = "e1d2c3b4a5f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUTHORS = (("campaign", "created_by"), ("campaign", "updated_by"), ("campaign_influencer", "hired_by"),
           ("api_key", "created_by"))

REFUSE = """
CREATE FUNCTION pf_audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    for table, column in AUTHORS:
        op.add_column(table, sa.Column(column, sa.Text(), nullable=True))
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=True),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"], unique=False)
    op.create_index("ix_audit_event_target", "audit_event", ["target_type", "target_id"], unique=False)
    op.execute(REFUSE)
    op.execute("CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
               "FOR EACH STATEMENT EXECUTE FUNCTION pf_audit_event_append_only()")
    op.execute("GRANT SELECT, INSERT ON audit_event TO pf_api")
    op.execute("GRANT USAGE ON SEQUENCE audit_event_id_seq TO pf_api")
    op.execute("GRANT SELECT ON audit_event TO pf_etl")


def downgrade() -> None:
    op.drop_table("audit_event")
    op.execute("DROP FUNCTION IF EXISTS pf_audit_event_append_only()")
    for table, column in AUTHORS:
        op.drop_column(table, column)
