"""Operational tables, beside the warehouse of predictfluence.models (which imports this module, so
Base.metadata holds every table): API keys and signed-in users, the audit log, saved header mappings,
shortlists, and batch scoring runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from predictfluence.models_base import Base, ScoreFigures, _created, _in
from predictfluence.vocab import API_ROLES


class ApiKey(Base):
    """API keys are stored hashed (sha256); `prefix` finds the row, the hash proves the key."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint(_in("role", API_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = _created()
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(Text)  # principal.actor of the admin who created it


class AppUser(Base):
    """A Cognito user as the API knows them: role and disabled flag, checked by the authorizer so that a
    disabled user's still-valid ID token is refused (predictfluence.api.auth)."""

    __tablename__ = "app_user"
    __table_args__ = (CheckConstraint(_in("role", API_ROLES), name="role_known"),
                      CheckConstraint("email = lower(email)", name="email_lower"))

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    sub: Mapped[str | None] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = _created()
    invited_by: Mapped[str | None] = mapped_column(Text)  # principal.actor of the admin who invited them


class ColumnMapping(Base):
    """A manager's saved header mapping, keyed by the header's signature (etl_jobs.infer.header_signature):
    a later file with the same header loads with it (UI upload, S3 drop, CLI alike)."""

    __tablename__ = "column_mapping"

    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
    source_name: Mapped[str | None] = mapped_column(Text)
    saved_by: Mapped[str | None] = mapped_column(Text)
    saved_at: Mapped[dt.datetime] = _created()


class Shortlist(Base):
    """A named list of influencers shared by the workspace (viewers read, managers write)."""

    __tablename__ = "shortlist"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = _created()
    created_by: Mapped[str | None] = mapped_column(Text)


class ShortlistItem(Base):
    """An influencer on a shortlist, with the manager's note."""

    __tablename__ = "shortlist_item"

    shortlist_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist.id", ondelete="CASCADE"), primary_key=True
    )
    influencer_id: Mapped[int] = mapped_column(
        ForeignKey("influencer.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    note: Mapped[str | None] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = _created()
    added_by: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Who did what, when and from where: one row per write through the API. Append-only (a trigger
    refuses UPDATE and DELETE; pf_api may only INSERT and SELECT)."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_at", "at"),
        Index("ix_audit_event_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = _created()
    actor: Mapped[str] = mapped_column(Text)  # principal.actor: "key:<id>" or "user:<email>"
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))  # "campaign.create", "hire.delete", …
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    source_ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(128))


# --- scoring runs (issue 16.3): a run's chunks, its per-influencer figures and its staged scores --------


class ScoreRun(Base):
    """One batch-scoring run of a model version, split into id-range chunks (predictfluence_ml.scoring)."""

    __tablename__ = "score_run"
    __table_args__ = (CheckConstraint(_in("status", ("running", "complete", "superseded")), name="status_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    chunks_total: Mapped[int] = mapped_column(Integer)
    chunks_done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rows: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    influencers: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    flagged: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    started_at: Mapped[dt.datetime] = _created()
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ScoreChunk(Base):
    """One chunk of a run: influencers lo_id..hi_id (inclusive), scored by one SQS message."""

    __tablename__ = "score_chunk"
    __table_args__ = (CheckConstraint(_in("status", ("pending", "done", "failed")), name="status_known"),)

    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True)
    chunk: Mapped[int] = mapped_column(Integer, primary_key=True)
    lo_id: Mapped[int] = mapped_column(BigInteger)
    hi_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    rows: Mapped[int | None] = mapped_column(Integer)
    seconds: Mapped[float | None] = mapped_column(Double)
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ScoreRunInfluencer(Base):
    """Per-influencer figures of a run that need the whole population (anomaly flags, clusters)."""

    __tablename__ = "score_run_influencer"

    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True)
    influencer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cluster: Mapped[int | None] = mapped_column(Integer)
    anomaly_score: Mapped[float | None] = mapped_column(Double)
    anomaly_reasons: Mapped[list[str] | None] = mapped_column(JSONB)


class ScoreStage(ScoreFigures, Base):
    """A run's scores as its chunks write them; copied into influencer_score when the last chunk is done."""

    __tablename__ = "score_stage"

    run_id: Mapped[int] = mapped_column(ForeignKey("score_run.id", ondelete="CASCADE"), primary_key=True)
    influencer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    predicted_er: Mapped[float | None] = mapped_column(Double)


# The API's rollup tables and their queue (maintained by predictfluence.queries.rollups), same metadata.
