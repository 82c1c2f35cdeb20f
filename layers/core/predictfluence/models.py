"""The warehouse: SQLAlchemy 2 models (the design record is docs/architecture.md). Alembic migrations
are generated from these; the allowed values of the `*_known` CHECK constraints come from
predictfluence.vocab.

Conventions: natural keys are unique constraints (ETL upserts on them); counts carry CHECK (>= 0);
money is NUMERIC(14, 2); rates are fractions (0.0139 = 1.39 %).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from predictfluence import (
    models_ops,  # noqa: F401 - registers the operational tables on Base.metadata
    rollup_tables,
)
from predictfluence.models_base import NAMING, Base, Money, ScoreFigures, _created, _in  # noqa: F401 - re-exported
from predictfluence.tiers import tier_sql
from predictfluence.vocab import (
    AUDIENCE_DIMENSIONS,
    CAMPAIGN_STATUSES,
    HIRE_STATUSES,
    LOAD_STATUSES,
    MODEL_STATUSES,
)

# --- dimensions -------------------------------------------------------------------------------------


class Influencer(Base):
    __tablename__ = "influencer"
    __table_args__ = (
        UniqueConstraint("platform", "handle"),
        CheckConstraint("followers >= 0", name="followers_non_negative"),
        Index("ix_influencer_platform_category", "platform", "category"),
        Index("ix_influencer_followers", "followers"),
        Index("ix_influencer_follower_tier", "follower_tier"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    handle: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    country: Mapped[str | None] = mapped_column(String(64))
    # The file's text when it differs from the normalised category / country (etl_jobs.normalise).
    category_source: Mapped[str | None] = mapped_column(Text)
    country_source: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(32))
    followers: Mapped[int | None] = mapped_column(BigInteger)
    follower_tier: Mapped[str | None] = mapped_column(String(8), Computed(tier_sql("followers"), persisted=True))
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _created()


class Campaign(Base):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("budget >= 0", name="budget_non_negative"),
        CheckConstraint("end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint(_in("status", CAMPAIGN_STATUSES), name="status_known"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    brand: Mapped[str | None] = mapped_column(String(200))
    objective: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), server_default="draft")
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Money, server_default="0")
    currency: Mapped[str] = mapped_column(String(3), server_default="USD")
    created_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _created()
    created_by: Mapped[str | None] = mapped_column(Text)  # principal.actor: "key:<id>" or "user:<email>"
    updated_by: Mapped[str | None] = mapped_column(Text)


# --- facts ------------------------------------------------------------------------------------------


class Post(Base):
    __tablename__ = "post"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index("ix_post_influencer_posted", "influencer_id", "posted_at"),
        Index("ix_post_campaign", "campaign_id", postgresql_where=text("campaign_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"))
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    content_type: Mapped[str] = mapped_column(String(32))
    sponsored: Mapped[bool] = mapped_column(Boolean, server_default="false")
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id", ondelete="SET NULL"))


class PostMetricDaily(Base):
    __tablename__ = "post_metric_daily"
    __table_args__ = (
        CheckConstraint(
            "likes >= 0 AND comments >= 0 AND shares >= 0 AND saves >= 0 AND "
            "(views IS NULL OR views >= 0) AND (reach IS NULL OR reach >= 0) AND "
            "(impressions IS NULL OR impressions >= 0)",
            name="counts_non_negative",
        ),
        Index("ix_post_metric_daily_date", "date"),
        {"postgresql_partition_by": "RANGE (date)"},  # monthly partitions (migration 6a1d3e8f2b90)
    )

    # post.id, but without a per-row FK trigger (migration 8b144045a3ed): the ETL proves existence by its
    # join and locks the posts FOR KEY SHARE; a statement-level trigger on post deletes a post's metrics.
    post_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    likes: Mapped[int] = mapped_column(BigInteger, server_default="0")
    comments: Mapped[int] = mapped_column(BigInteger, server_default="0")
    shares: Mapped[int] = mapped_column(BigInteger, server_default="0")
    saves: Mapped[int] = mapped_column(BigInteger, server_default="0")
    views: Mapped[int | None] = mapped_column(BigInteger)
    reach: Mapped[int | None] = mapped_column(BigInteger)
    impressions: Mapped[int | None] = mapped_column(BigInteger)


class InfluencerSnapshot(Base):
    """Profile-level data as of a date, e.g. from an external list or another tool's export."""

    __tablename__ = "influencer_snapshot"
    __table_args__ = (
        UniqueConstraint("influencer_id", "as_of", "source"),
        CheckConstraint("followers IS NULL OR followers >= 0", name="followers_non_negative"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(128))
    followers: Mapped[int | None] = mapped_column(BigInteger)
    posts: Mapped[int | None] = mapped_column(BigInteger)
    avg_likes: Mapped[float | None] = mapped_column(Double)
    avg_views: Mapped[float | None] = mapped_column(Double)
    engagement_rate: Mapped[float | None] = mapped_column(Double)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class AudienceShare(Base):
    __tablename__ = "audience_share"
    __table_args__ = (
        CheckConstraint(_in("dimension", AUDIENCE_DIMENSIONS), name="dimension_known"),
        CheckConstraint("share >= 0 AND share <= 1", name="share_fraction"),
        # the audience filters of GET /influencers ("at least 30 % of the audience in US") look up by bucket
        # the list probes the influencers above a share index-only (bucket too: an expression's column)
        Index("ix_audience_share_dimension_bucket", "dimension", func.lower(text("bucket")), "share",
              postgresql_include=["influencer_id", "bucket"]),  # migration e2b8f4c6a0d1
    )

    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(64), primary_key=True)
    share: Mapped[float] = mapped_column(Double)


class CampaignInfluencer(Base):
    """A hire: an influencer engaged for a campaign at an agreed cost."""

    __tablename__ = "campaign_influencer"
    __table_args__ = (
        UniqueConstraint("campaign_id", "influencer_id"),
        CheckConstraint("agreed_cost >= 0", name="cost_non_negative"),
        CheckConstraint(_in("status", HIRE_STATUSES), name="status_known"),
        Index("ix_campaign_influencer_influencer", "influencer_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), server_default="contracted")
    agreed_cost: Mapped[Decimal] = mapped_column(Money, server_default="0")
    hired_at: Mapped[dt.datetime] = _created()
    hired_by: Mapped[str | None] = mapped_column(Text)  # principal.actor


class ConversionDaily(Base):
    """Tracking-link / promo-code results of one hire on one day."""

    __tablename__ = "conversion_daily"
    __table_args__ = (
        CheckConstraint("clicks >= 0 AND orders >= 0 AND revenue >= 0", name="non_negative"),
        Index("ix_conversion_daily_influencer", "influencer_id"),
        {"postgresql_partition_by": "RANGE (date)"},  # monthly partitions (migration 6a1d3e8f2b90)
    )

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    clicks: Mapped[int] = mapped_column(BigInteger, server_default="0")
    orders: Mapped[int] = mapped_column(BigInteger, server_default="0")
    revenue: Mapped[Decimal] = mapped_column(Money, server_default="0")


# --- operations -------------------------------------------------------------------------------------


class EtlLoad(Base):
    """One CSV file's load. A file (by checksum) is loaded at most once unless its load failed."""

    __tablename__ = "etl_load"
    __table_args__ = (
        CheckConstraint(_in("status", LOAD_STATUSES), name="status_known"),
        Index(
            "uq_etl_load_checksum_kind_done",
            "checksum",
            "kind",
            unique=True,
            postgresql_where=text("status <> 'failed'"),
        ),
        Index("ix_etl_load_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    file_key: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    rows_in: Mapped[int] = mapped_column(BigInteger, server_default="0")
    rows_loaded: Mapped[int] = mapped_column(BigInteger, server_default="0")
    rows_rejected: Mapped[int] = mapped_column(BigInteger, server_default="0")
    report_key: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = _created()
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class EtlLoadProgress(Base):
    """Rows processed so far by a running load, written by the ETL on its own autocommitted connection (the
    load's `etl_load` row stays invisible until its one transaction commits); deleted when the load ends.
    No foreign key: the load's row is not committed while this row is written."""

    __tablename__ = "etl_load_progress"

    load_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    file_key: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    rows_processed: Mapped[int] = mapped_column(BigInteger, server_default="0")
    started_at: Mapped[dt.datetime] = _created()
    updated_at: Mapped[dt.datetime] = _created()

class ModelVersion(Base):
    __tablename__ = "model_version"
    __table_args__ = (
        UniqueConstraint("kind", "version"),
        CheckConstraint(_in("status", MODEL_STATUSES), name="status_known"),
        Index(
            "uq_model_version_one_champion",
            "kind",
            unique=True,
            postgresql_where=text("status = 'champion'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    metrics: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    artifact_uri: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    trained_at: Mapped[dt.datetime] = _created()


class InfluencerScore(ScoreFigures, Base):
    """Batch predictions written by the retrain function and served by the API."""

    __tablename__ = "influencer_score"
    __table_args__ = (
        # a tier's rows in objective order (the ranking reads each tier's, merged without ?tier=: f5d9b2a7c3e1),
        # and the scores within a campaign's budget (?campaign_id=)
        Index("ix_influencer_score_tier_er", "content_type", "follower_tier", text("predicted_er DESC"),
              "influencer_id"),
        Index("ix_influencer_score_tier_engagements", "content_type", "follower_tier", text("engagements DESC"),
              "influencer_id"),
        Index("ix_influencer_score_tier_per_dollar", "content_type", "follower_tier",
              text("engagements_per_dollar DESC"), "influencer_id"),
        Index("ix_influencer_score_tier_cost", "content_type", "follower_tier", "cost_per_post"),
        # hide_flagged anti-joins the flagged few instead of every score row
        Index("ix_influencer_score_flagged", "influencer_id",
              postgresql_where=text("anomaly_reasons IS NOT NULL AND anomaly_reasons <> CAST('[]' AS jsonb)")),
        # one partition, attached as DEFAULT: the champion run's table, swapped in whole by the run's last chunk
        # (migration b3d8e6f1a2c4, queries.score_runs); the key below is each partition's (the parent has none:
        # a partitioned table's key must hold run_id, NULL for rows written outside a run)
        {"postgresql_partition_by": "LIST (run_id)"},
    )

    influencer_id: Mapped[int] = mapped_column(ForeignKey("influencer.id", ondelete="CASCADE"), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_version.id", ondelete="CASCADE"))
    predicted_er: Mapped[float] = mapped_column(Double)
    # the interval, tier, rationale, cost forecast and objectives: ScoreFigures
    cluster: Mapped[int | None] = mapped_column(Integer)
    anomaly_score: Mapped[float | None] = mapped_column(Double)
    anomaly_reasons: Mapped[list[str] | None] = mapped_column(JSONB)
    scored_at: Mapped[dt.datetime] = _created()
    # the influencer's follower tier, kept equal by triggers (migration c7a1e9d3b5f2): the tier indexes above
    follower_tier: Mapped[str | None] = mapped_column(String(8))
    # the scoring run that wrote the row (NULL: written outside a run), its partition key
    run_id: Mapped[int | None] = mapped_column(BigInteger)


rollup_tables.declare(Base.metadata)
