"""app_user: the API's record of Cognito users (role, disabled), checked by the authorizer

Why (issue 14, points 2 and 4; revocation from the hardening issue): a Cognito ID token stays valid for
its lifetime (an hour) after the user is disabled, and its `cognito:groups` claim keeps the group the user
had when signing in. The authorizer therefore checks this local record, with the same short per-process
cache as API keys: a disabled user (`disabled_at` set) is refused, and the recorded role wins over the
token's group (a demotion applies before the token expires). Users invited through the API or the CLI get
a record; a token whose user has none is judged by its group alone.

- email: lower-cased, unique; sub: Cognito's immutable user id, unique when known.
- invited_by: principal.actor of the admin who invited the user (null for the local stack's admin).
- pf_api reads, inserts and updates it (invites, role changes, disabling); pf_etl may not read it.

Revision ID: e4f3aafb71ac
Revises: b41f7c2e9d58
Create Date: 2026-11-30 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4f3aafb71ac"
down_revision: str | None = "b41f7c2e9d58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("sub", sa.String(length=64), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("invited_by", sa.Text(), nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'manager', 'admin')", name=op.f("ck_app_user_role_known")),
        sa.CheckConstraint("email = lower(email)", name=op.f("ck_app_user_email_lower")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("email", name=op.f("uq_app_user_email")),
        sa.UniqueConstraint("sub", name=op.f("uq_app_user_sub")),
    )
    op.execute("REVOKE ALL ON app_user FROM pf_api, pf_etl")
    op.execute("GRANT SELECT, INSERT, UPDATE ON app_user TO pf_api")
    op.execute("GRANT USAGE ON SEQUENCE app_user_id_seq TO pf_api")


def downgrade() -> None:
    op.drop_table("app_user")
