"""Portfolio analytics: KPIs, daily engagement trend, top campaigns, audience demographics, content types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from predictfluence.api.schemas.common import Id, QueryModel, Short
from predictfluence.api.schemas.influencers import TrendPoint
from predictfluence.vocab import AudienceDimension


class CurrencyTotals(BaseModel):
    currency: str
    campaigns: int = Field(description="campaigns in this currency")
    budget: float = Field(description="sum of their budgets")
    spent: float = Field(description="agreed cost of their hires (cancelled hires excluded)")


class Kpis(BaseModel):
    total_campaigns: int
    active_campaigns: int
    total_influencers: int
    total_posts: int
    avg_engagement_rate: float | None = Field(description="mean post engagement rate over all posts")
    snapshot_influencers: int = Field(
        default=0, description="influencers whose figures come from an imported snapshot (no post metrics)"
    )
    snapshot_avg_engagement_rate: float | None = Field(
        default=None,
        description="mean of those influencers' latest snapshot engagement rates (not a post figure)",
    )
    avg_cost_per_influencer: float | None = Field(description="hired cost / hires (cancelled hires excluded)")
    total_spent: float = Field(description="sum over every currency (use `by_currency` to show money)")
    by_currency: list[CurrencyTotals] = Field(
        default_factory=list, description="budget and spend per campaign currency, by currency code"
    )


MAX_RANGE_DAYS = 366


class DateRangeQuery(QueryModel):
    """A period: start_date..end_date (inclusive, at most 366 days; end_date not before start_date)."""

    start_date: Annotated[dt.date | None, Field(description="first day of the period")] = None
    end_date: Annotated[
        dt.date | None, Field(validate_default=True, description="last day of the period (default: today)")
    ] = None

    @field_validator("end_date")
    @classmethod
    def _ordered(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start, last = info.data.get("start_date"), end or dt.datetime.now(dt.UTC).date()
        if start is not None and last < start:
            raise ValueError("end_date must not be before start_date")
        if start is not None and (last - start).days + 1 > MAX_RANGE_DAYS:
            raise ValueError(f"the period from start_date to end_date must not exceed {MAX_RANGE_DAYS} days")
        return end


class PeriodQuery(DateRangeQuery):
    """The filters every period-aware analytics endpoint shares."""

    platform: Short | None = None
    campaign_id: Id | None = None
    category: Annotated[Short | None, Field(description="influencer category")] = None
    compare: Annotated[
        Literal["previous"] | None,
        Field(description="`previous`: also the previous period of equal length, and the change in %"),
    ] = None


class TrendQuery(PeriodQuery):
    days: Annotated[
        int, Field(ge=1, le=MAX_RANGE_DAYS, description="period length when start_date is not given")
    ] = 30


class TrendTotals(BaseModel):
    posts: int
    likes: int
    comments: int
    shares: int
    saves: int
    engagements: int
    views: int
    impressions: int
    engagement_rate: float | None = Field(description="mean over every (post, day) of the period")


class TrendPeriod(BaseModel):
    start_date: dt.date
    end_date: dt.date
    points: list[TrendPoint]
    totals: TrendTotals


class EngagementTrend(TrendPeriod):
    previous: TrendPeriod | None = Field(None, description="with compare=previous: the period just before")
    change_pct: dict[str, float | None] | None = Field(
        None, description="with compare=previous: per total, 100 × (this − previous) / previous (null if 0)"
    )


class TopCampaignsQuery(DateRangeQuery):
    """With a period, platform or category: the figures of the matching posts (published in the period)."""

    limit: Annotated[int, Field(ge=1, le=100)] = 10
    platform: Short | None = None
    category: Annotated[Short | None, Field(description="influencer category")] = None


class CampaignPerformance(BaseModel):
    campaign_id: int
    name: str
    brand: str | None
    status: str
    currency: str = Field("USD", description="the campaign's currency (of `spent` and `cpe`)")
    posts: int
    avg_engagement_rate: float | None
    engagements: int
    views: int
    spent: float
    cpe: float | None


class TopCampaigns(BaseModel):
    items: list[CampaignPerformance]


class DemographicsQuery(QueryModel):
    dimension: AudienceDimension
    campaign_id: Id | None = None
    platform: Annotated[Short | None, Field(description="only influencers on this platform")] = None
    category: Annotated[Short | None, Field(description="only influencers of this category")] = None


class DemographicBucket(BaseModel):
    bucket: str
    share: float = Field(description="follower-weighted share of the audience")
    audience: float = Field(description="estimated people: Σ followers × share")


class Demographics(BaseModel):
    dimension: str
    campaign_id: int | None
    influencers: int = Field(description="influencers with audience data for this dimension")
    buckets: list[DemographicBucket]


class ContentTypesQuery(PeriodQuery):
    """Without dates: every post; with them, the posts published in the period."""


class ContentTypePerformance(BaseModel):
    content_type: str
    posts: int
    avg_engagement_rate: float | None
    avg_likes: float | None
    avg_views: float | None
    engagements: int
    views: int
    impressions: int


class ContentTypes(BaseModel):
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    items: list[ContentTypePerformance]
    previous: list[ContentTypePerformance] | None = Field(
        None, description="with compare=previous: the same figures for the period just before"
    )
    previous_start_date: dt.date | None = None
    previous_end_date: dt.date | None = None
    change_pct: dict[str, dict[str, float | None]] | None = Field(
        None,
        description="with compare=previous: per content type, the change in % of posts, avg_engagement_rate, "
        "engagements",
    )
