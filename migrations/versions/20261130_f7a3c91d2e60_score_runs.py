"""score_run, score_chunk, score_stage, score_run_influencer: batch scoring fanned out in chunks (issue 16.3)

A scoring run splits the influencers into id-range chunks (score_chunk), each scored by its own SQS
message / Lambda invocation into the run's staging rows (score_stage). The run's per-influencer figures
that need the whole population (anomaly flags, clusters) are computed once when the run starts
(score_run_influencer). The chunk that completes the run (score_run.chunks_done reaches chunks_total,
counted under the run row's lock) replaces influencer_score with the staged rows in its own transaction,
so readers see the old scores until then and never a mix of two runs.

Grants: pf_etl (the ML functions' role) writes all four; pf_api reads them (the default privilege).

Revision ID: f7a3c91d2e60
Revises: e4f3aafb71ac
Create Date: 2026-11-30 01:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f7a3c91d2e60"
down_revision: str | None = "e4f3aafb71ac"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCORE_COLUMNS = (
    ("predicted_er", sa.Double(), True),
    ("er_low", sa.Double(), True),
    ("er_high", sa.Double(), True),
    ("performance_tier", sa.String(length=16), True),
    ("tier_probability", sa.Double(), True),
    ("rationale", sa.Text(), True),
    ("cost_per_post", sa.Double(), True),
    ("cost_low", sa.Double(), True),
    ("cost_high", sa.Double(), True),
    ("engagements", sa.Double(), True),
    ("engagements_low", sa.Double(), True),
    ("engagements_high", sa.Double(), True),
    ("engagements_per_dollar", sa.Double(), True),
    ("per_dollar_low", sa.Double(), True),
    ("per_dollar_high", sa.Double(), True),
)


def upgrade() -> None:
    op.create_table(
        "score_run",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("model_version_id", sa.BigInteger(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("chunks_total", sa.Integer(), nullable=False),
        sa.Column("chunks_done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("influencers", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("flagged", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'complete', 'superseded')", name=op.f("ck_score_run_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_version.id"],
            name=op.f("fk_score_run_model_version_id_model_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_run")),
    )
    op.create_table(
        "score_chunk",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("chunk", sa.Integer(), nullable=False),
        sa.Column("lo_id", sa.BigInteger(), nullable=False),
        sa.Column("hi_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("seconds", sa.Double(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'done', 'failed')", name=op.f("ck_score_chunk_status_known")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["score_run.id"], name=op.f("fk_score_chunk_run_id_score_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "chunk", name=op.f("pk_score_chunk")),
    )
    op.create_table(
        "score_run_influencer",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("influencer_id", sa.BigInteger(), nullable=False),
        sa.Column("cluster", sa.Integer(), nullable=True),
        sa.Column("anomaly_score", sa.Double(), nullable=True),
        sa.Column("anomaly_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["score_run.id"], name=op.f("fk_score_run_influencer_run_id_score_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "influencer_id", name=op.f("pk_score_run_influencer")),
    )
    op.create_table(
        "score_stage",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("influencer_id", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        *(sa.Column(name, kind, nullable=nullable) for name, kind, nullable in SCORE_COLUMNS),
        sa.ForeignKeyConstraint(
            ["run_id"], ["score_run.id"], name=op.f("fk_score_stage_run_id_score_run"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "influencer_id", "content_type", name=op.f("pk_score_stage")),
    )
    for table in ("score_run", "score_chunk", "score_run_influencer", "score_stage"):
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO pf_etl")
    op.execute("GRANT USAGE ON SEQUENCE score_run_id_seq TO pf_etl")


def downgrade() -> None:
    for table in ("score_stage", "score_run_influencer", "score_chunk", "score_run"):
        op.drop_table(table)
