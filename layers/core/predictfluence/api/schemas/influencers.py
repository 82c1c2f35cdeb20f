"""Influencer list, profile and lookalikes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from predictfluence.api.schemas.common import (
    Count,
    Label,
    Order,
    PageInfo,
    PageQuery,
    QueryModel,
    SearchTerm,
    Short,
)
from predictfluence.vocab import AUDIENCE_DIMENSIONS, FollowerTier

Tier = FollowerTier
InfluencerSort = Literal["followers", "avg_er", "avg_likes", "avg_views", "name"]


class InfluencerListQuery(PageQuery):
    platform: Short | None = None
    category: Label | None = None
    country: Label | None = None
    tier: Tier | None = None
    min_followers: Count | None = None
    max_followers: Count | None = None
    q: Annotated[SearchTerm | None, Field(description="search in handle and name (3+ characters)")] = None
    sort: InfluencerSort = "followers"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> InfluencerListQuery:
        if self.min_followers is not None and self.max_followers is not None and self.min_followers > self.max_followers:
            raise ValueError("min_followers must not exceed max_followers")
        return self


class InfluencerStats(BaseModel):
    posts: int = Field(description="posts on record")
    avg_engagement_rate: float | None = Field(
        description="mean over the influencer's posts of (likes+comments+shares+saves)/followers")
    avg_likes: float | None = Field(description="mean likes per post")
    avg_views: float | None = Field(description="mean views per post, over posts that report views")


class InfluencerItem(InfluencerStats):
    id: int
    platform: str
    handle: str
    name: str | None
    category: str | None
    country: str | None
    language: str | None
    followers: int | None
    follower_tier: str | None


class InfluencerPage(BaseModel):
    items: list[InfluencerItem]
    page_info: PageInfo


class TrendPoint(BaseModel):
    date: dt.date
    posts: int = Field(description="posts with metrics that day")
    likes: int
    comments: int
    shares: int
    saves: int
    engagements: int
    views: int
    impressions: int
    engagement_rate: float | None = Field(description="mean over those posts of the day's engagements / followers")


class AudienceBucket(BaseModel):
    bucket: str
    share: float


class Score(BaseModel):
    content_type: str
    predicted_engagement_rate: float
    interval_low: float | None
    interval_high: float | None
    performance_tier: str | None
    tier_probability: float | None
    cluster: int | None
    anomaly_score: float | None
    anomaly_reasons: list[str] | None
    rationale: str | None
    model_version_id: int
    scored_at: dt.datetime


class InfluencerCampaign(BaseModel):
    campaign_id: int
    name: str
    brand: str | None
    campaign_status: str
    hire_status: str
    agreed_cost: float
    hired_at: dt.datetime


class Snapshot(BaseModel):
    as_of: dt.date
    source: str
    followers: int | None
    posts: int | None
    avg_likes: float | None
    avg_views: float | None
    engagement_rate: float | None


class InfluencerProfile(InfluencerItem):
    trend: list[TrendPoint] = Field(description="the last 30 days, one point per day (oldest first)")
    audience: dict[str, list[AudienceBucket]] = Field(description=f"by dimension: {', '.join(AUDIENCE_DIMENSIONS)}")
    scores: list[Score]
    campaigns: list[InfluencerCampaign]
    latest_snapshot: Snapshot | None


class SimilarQuery(QueryModel):
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class SimilarInfluencers(BaseModel):
    method: Literal["cluster", "nearest"] = Field(
        description="cluster: same lookalike cluster in influencer_score; nearest: same platform, category "
        "and tier, closest follower count")
    items: list[InfluencerItem]
