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
InfluencerSort = Literal["followers", "avg_er", "avg_likes", "avg_views", "avg_comments", "name"]
FiguresSource = Literal["posts", "snapshot"]
Rate = Annotated[float, Field(ge=0, le=1, description="a fraction: 0.0139 = 1.39 %")]
Amount = Annotated[float, Field(ge=0, le=1e15)]


class InfluencerListQuery(PageQuery):
    platform: Short | None = None
    category: Label | None = None
    country: Label | None = None
    tier: Tier | None = None
    min_followers: Count | None = None
    max_followers: Count | None = None
    q: Annotated[SearchTerm | None, Field(description="search in handle and name (3+ characters)")] = None
    min_er: Rate | None = None
    max_er: Rate | None = None
    min_avg_likes: Amount | None = None
    max_avg_likes: Amount | None = None
    min_avg_views: Amount | None = None
    max_avg_views: Amount | None = None
    min_avg_comments: Amount | None = None
    max_avg_comments: Amount | None = None
    figures_source: Annotated[FiguresSource | None, Field(
        description="posts: figures from post metrics; snapshot: from the latest imported snapshot")] = None
    sort: InfluencerSort = "followers"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> InfluencerListQuery:
        for low, high in (("min_followers", "max_followers"), ("min_er", "max_er"),
                          ("min_avg_likes", "max_avg_likes"), ("min_avg_views", "max_avg_views"),
                          ("min_avg_comments", "max_avg_comments")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} must not exceed {high}")
        return self


class InfluencerStats(BaseModel):
    posts: int = Field(description="posts on record")
    avg_engagement_rate: float | None = Field(
        description="mean over the influencer's posts of (likes+comments+shares+saves)/followers; without "
        "measured posts, the latest snapshot's engagement rate (see figures_source)")
    avg_likes: float | None = Field(description="mean likes per post (or the snapshot's)")
    avg_views: float | None = Field(description="mean views per post, over posts that report views (or the snapshot's)")
    avg_comments: float | None = Field(description="mean comments per post (or the snapshot's extra.avg_comments)")
    figures_source: FiguresSource | None = Field(
        description="where the averages come from: posts (post metrics) or snapshot (the latest imported "
        "profile snapshot, when there are no measured posts); null: neither")
    snapshot_source: str | None = Field(description="the snapshot's source, when figures_source is snapshot")
    snapshot_as_of: dt.date | None = Field(description="the snapshot's date, when figures_source is snapshot")
    snapshot_posts: int | None = Field(description="posts the snapshot reports, when figures_source is snapshot")


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
    cost_per_post: float | None = Field(default=None, description="forecast cost per post (the cost model)")
    cost_low: float | None = Field(default=None, description="forecast cost, 80 % interval low")
    cost_high: float | None = Field(default=None, description="forecast cost, 80 % interval high")


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


class SnapshotPoint(Snapshot):
    avg_comments: float | None


class InfluencerProfile(InfluencerItem):
    followers_source: Literal["profile", "snapshot"] | None = Field(
        description="profile: the influencer's own follower count; snapshot: the latest snapshot's")
    snapshots: list[SnapshotPoint] = Field(description="imported snapshots, oldest first (the latest 500)")
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
