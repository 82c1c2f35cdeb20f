"""What every table module shares: the declarative Base (its metadata names constraints and indexes by
convention), the money type, the created-at column and the CHECK-IN helper. The tables are in
predictfluence.models (warehouse) and predictfluence.models_ops (access, audit, lists, scoring runs);
importing predictfluence.models registers them all on Base.metadata."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Double, MetaData, Numeric, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(14, 2)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _created() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)


class ScoreFigures:
    """The figures of one influencer × content type prediction, the same in the served scores
    (`influencer_score`) and in a scoring run's staged rows (`score_stage`): the ER interval, the
    performance tier, the rationale, the cost forecast of one post with its 80 % interval, and the objectives
    (expected engagements per post, predicted ER × followers, and per dollar of cost) with theirs."""

    er_low: Mapped[float | None] = mapped_column(Double)
    er_high: Mapped[float | None] = mapped_column(Double)
    performance_tier: Mapped[str | None] = mapped_column(String(16))
    tier_probability: Mapped[float | None] = mapped_column(Double)
    rationale: Mapped[str | None] = mapped_column(Text)
    cost_per_post: Mapped[float | None] = mapped_column(Double)
    cost_low: Mapped[float | None] = mapped_column(Double)
    cost_high: Mapped[float | None] = mapped_column(Double)
    engagements: Mapped[float | None] = mapped_column(Double)
    engagements_low: Mapped[float | None] = mapped_column(Double)
    engagements_high: Mapped[float | None] = mapped_column(Double)
    engagements_per_dollar: Mapped[float | None] = mapped_column(Double)
    per_dollar_low: Mapped[float | None] = mapped_column(Double)
    per_dollar_high: Mapped[float | None] = mapped_column(Double)
