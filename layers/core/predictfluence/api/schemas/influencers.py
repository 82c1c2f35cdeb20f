"""Influencer list, profile and lookalikes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

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
Growth = Annotated[float, Field(ge=-1, le=1e6, description="a fraction: 0.1 = +10 % followers")]
MAX_CHOICES = 20


def _any_of(what: str) -> object:
    return Annotated[
        str,
        Field(
            min_length=1,
            max_length=1000,
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description=(
                f"{what}: one value or a comma-separated list (any of them, case-insensitive), e.g. a,b"
            ),
        ),
    ]


def split_choices(value: str) -> list[str]:
    """The values of a comma-separated multi-select parameter; ValueError on an empty or too long one."""
    items = [item.strip() for item in value.split(",")]
    if len(items) > MAX_CHOICES:
        raise ValueError(f"at most {MAX_CHOICES} comma-separated values")
    for item in items:
        if not item or len(item) > 64:
            raise ValueError("each comma-separated value must have 1 to 64 characters")
    return items


Platforms = _any_of("platform")
Categories = _any_of("category")
Countries = _any_of("the influencer's country")


class InfluencerListQuery(PageQuery):
    platform: Platforms | None = None  # type: ignore[valid-type]
    category: Categories | None = None  # type: ignore[valid-type]
    country: Countries | None = None  # type: ignore[valid-type]
    language: Annotated[Short | None, Field(description="the influencer's language code, e.g. en")] = None
    tier: Tier | None = None
    min_followers: Count | None = None
    max_followers: Count | None = None
    q: Annotated[
        SearchTerm | None, Field(description="search in handle, name and category (3+ characters)")
    ] = None
    min_er: Rate | None = None
    max_er: Rate | None = None
    min_avg_likes: Amount | None = None
    max_avg_likes: Amount | None = None
    min_avg_views: Amount | None = None
    max_avg_views: Amount | None = None
    min_avg_comments: Amount | None = None
    max_avg_comments: Amount | None = None
    figures_source: Annotated[
        FiguresSource | None,
        Field(description="posts: figures from post metrics; snapshot: from the latest imported snapshot"),
    ] = None
    audience_country: Annotated[Label | None, Field(description="an audience country bucket, e.g. US")] = None
    min_audience_country_share: Annotated[
        Rate | None,
        Field(description="its least share of the audience (needs audience_country; default: any share > 0)"),
    ] = None
    audience_age_group: Annotated[Label | None, Field(description="an audience age group, e.g. 18-24")] = None
    min_audience_age_group_share: Rate | None = None
    audience_gender: Annotated[Label | None, Field(description="an audience gender bucket, e.g. female")] = (
        None
    )
    min_audience_gender_share: Rate | None = None
    min_growth_30d: Annotated[
        Growth | None,
        Field(
            description=(
                "least follower growth over 30 days: (latest snapshot followers - the latest at least 30 days "
                "before) / that; influencers whose growth is unknown are left out"
            )
        ),
    ] = None
    max_growth_30d: Growth | None = None
    min_growth_90d: Annotated[Growth | None, Field(description="as min_growth_30d, over 90 days")] = None
    max_growth_90d: Growth | None = None
    hide_flagged: Annotated[
        bool,
        Field(
            description="leave out influencers with any audience-quality flag (anomaly_reasons in a score)"
        ),
    ] = False
    sort: InfluencerSort = "followers"
    order: Order = "desc"

    @model_validator(mode="after")
    def _range(self) -> InfluencerListQuery:
        for low, high in (
            ("min_followers", "max_followers"),
            ("min_er", "max_er"),
            ("min_avg_likes", "max_avg_likes"),
            ("min_avg_views", "max_avg_views"),
            ("min_avg_comments", "max_avg_comments"),
            ("min_growth_30d", "max_growth_30d"),
            ("min_growth_90d", "max_growth_90d"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} must not exceed {high}")
        return self

    @field_validator(
        "min_audience_country_share", "min_audience_age_group_share", "min_audience_gender_share"
    )
    @classmethod
    def _share_needs_bucket(cls, value: float | None, info: ValidationInfo) -> float | None:
        bucket = str(info.field_name).removeprefix("min_").removesuffix("_share")
        if value is not None and info.data.get(bucket) is None:
            raise ValueError(f"needs {bucket} (the audience bucket whose share it bounds)")
        return value

    @field_validator("platform", "category", "country")
    @classmethod
    def _choices(cls, value: str | None) -> str | None:
        if value is not None:
            split_choices(value)
        return value


class InfluencerStats(BaseModel):
    posts: int = Field(description="posts on record")
    avg_engagement_rate: float | None = Field(
        description="mean over the influencer's posts of (likes+comments+shares+saves)/followers; without "
        "measured posts, the latest snapshot's engagement rate (see figures_source)"
    )
    avg_likes: float | None = Field(description="mean likes per post (or the snapshot's)")
    avg_views: float | None = Field(
        description="mean views per post, over posts that report views (or the snapshot's)"
    )
    avg_comments: float | None = Field(
        description="mean comments per post (or the snapshot's extra.avg_comments)"
    )
    figures_source: FiguresSource | None = Field(
        description="where the averages come from: posts (post metrics) or snapshot (the latest imported "
        "profile snapshot, when there are no measured posts); null: neither"
    )
    snapshot_source: str | None = Field(description="the snapshot's source, when figures_source is snapshot")
    snapshot_as_of: dt.date | None = Field(description="the snapshot's date, when figures_source is snapshot")
    snapshot_posts: int | None = Field(
        description="posts the snapshot reports, when figures_source is snapshot"
    )


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


class InfluencerPageInfo(PageInfo):
    total_exact: bool = Field(
        description="false: more than `total` influencers match (a filtered list counts up to 5,000); "
        "total and pages are then lower bounds and later pages still answer"
    )


def influencer_page_info(total: int, page: int, page_size: int, exact: bool) -> InfluencerPageInfo:
    return InfluencerPageInfo(total=total, page=page, page_size=page_size,
                              pages=(total + page_size - 1) // page_size, total_exact=exact)


class InfluencerPage(BaseModel):
    items: list[InfluencerItem]
    page_info: InfluencerPageInfo


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
    engagement_rate: float | None = Field(
        description="mean over those posts of the day's engagements / followers"
    )


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
        description="profile: the influencer's own follower count; snapshot: the latest snapshot's"
    )
    category_source: str | None = Field(
        description="the category as the imported file wrote it, when it said more than `category` (else null)"
    )
    country_source: str | None = Field(
        description="the country as the imported file wrote it, when it said more than `country` (else null)"
    )
    snapshots: list[SnapshotPoint] = Field(description="imported snapshots, oldest first (the latest 500)")
    trend: list[TrendPoint] = Field(description="the last 30 days, one point per day (oldest first)")
    audience: dict[str, list[AudienceBucket]] = Field(
        description=f"by dimension: {', '.join(AUDIENCE_DIMENSIONS)}"
    )
    scores: list[Score]
    campaigns: list[InfluencerCampaign]
    latest_snapshot: Snapshot | None


class SimilarQuery(QueryModel):
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class SimilarInfluencers(BaseModel):
    method: Literal["cluster", "nearest"] = Field(
        description="cluster: same lookalike cluster in influencer_score; nearest: same platform, category "
        "and tier, closest follower count"
    )
    items: list[InfluencerItem]
