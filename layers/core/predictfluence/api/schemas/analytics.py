"""Portfolio analytics: KPIs, daily engagement trend, top campaigns, audience demographics, content types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

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
        default=0, description="influencers whose figures come from an imported snapshot (no post metrics)")
    snapshot_avg_engagement_rate: float | None = Field(
        default=None, description="mean of those influencers' latest snapshot engagement rates (not a post figure)")
    avg_cost_per_influencer: float | None = Field(description="hired cost / hires (cancelled hires excluded)")
    total_spent: float = Field(description="sum over every currency (use `by_currency` to show money)")
    by_currency: list[CurrencyTotals] = Field(
        default_factory=list, description="budget and spend per campaign currency, by currency code")


class TrendQuery(QueryModel):
    days: Annotated[int, Field(ge=1, le=366)] = 30
    end_date: Annotated[dt.date | None, Field(description="last day of the window (default: today)")] = None
    platform: Short | None = None
    campaign_id: Id | None = None


class EngagementTrend(BaseModel):
    start_date: dt.date
    end_date: dt.date
    points: list[TrendPoint]


class TopCampaignsQuery(QueryModel):
    limit: Annotated[int, Field(ge=1, le=100)] = 10


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


class DemographicBucket(BaseModel):
    bucket: str
    share: float = Field(description="follower-weighted share of the audience")
    audience: float = Field(description="estimated people: Σ followers × share")


class Demographics(BaseModel):
    dimension: str
    campaign_id: int | None
    influencers: int = Field(description="influencers with audience data for this dimension")
    buckets: list[DemographicBucket]


class ContentTypesQuery(QueryModel):
    platform: Short | None = None
    campaign_id: Id | None = None


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
    items: list[ContentTypePerformance]
