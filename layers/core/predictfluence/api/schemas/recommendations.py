"""/recommendations and /models: request and response models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from predictfluence.api.schemas.common import Id, Label, QueryModel, Short
from predictfluence.vocab import FollowerTier, ModelStatus, RankingObjective

Tier = FollowerTier
Followers = Annotated[int, Field(ge=0, le=10_000_000_000)]


class RecommendationQuery(QueryModel):
    objective: RankingObjective = Field(
        "engagements_per_dollar",
        description="What to rank by, highest first: `engagements_per_dollar` (expected engagements per dollar "
        "of the forecast cost of a post; the default), `engagements` (expected engagements per post = "
        "predicted ER × followers) or `engagement_rate` (predicted ER). Rows without the objective (scored "
        "before the cost model existed) come last, by predicted ER; ties by influencer id.",
    )
    platform: Short | None = None
    category: Label | None = None
    content_type: Short | None = Field(
        None,
        description="Rank the rows of this content type; when omitted, each influencer's best content type "
        "for the objective is used (one row per influencer).",
    )
    tier: Tier | None = Field(
        None, description="Follower tier (nano < 10k ≤ micro < 50k ≤ mid < 500k ≤ macro < 1M ≤ mega)"
    )
    audience_size: Tier | None = Field(None, description="Same as `tier` (the web app's name for it)")
    min_followers: Followers | None = None
    max_followers: Followers | None = None
    campaign_id: Id | None = Field(
        None,
        description="Exclude influencers already hired for this campaign (any status but cancelled) and "
        "those whose cost exceeds the campaign's remaining budget: the forecast `cost_per_post` when there "
        "is one, else `past_agreed_cost` (rows with neither stay in).",
    )
    include_flagged: bool = Field(
        False,
        description="Also rank influencers flagged for unusual (likely bought) engagement — their "
        "`anomaly_reasons` say why. Off by default: the default ranking holds only unflagged influencers.",
    )
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    page: Annotated[int, Field(ge=1, le=50, description="1-based page of `limit` rows (ranks continue)")] = 1


class Recommendation(BaseModel):
    rank: int
    influencer_id: int
    handle: str
    name: str | None
    platform: str
    category: str | None
    country: str | None
    followers: int | None
    follower_tier: str | None
    content_type: str
    predicted_engagement_rate: float = Field(
        description="Predicted mean ER per post (fraction) for the next 30 days"
    )
    interval_low: float | None = Field(description="10th percentile of the 80 % prediction interval")
    interval_high: float | None = Field(description="90th percentile of the 80 % prediction interval")
    performance_tier: str | None = Field(description="top / middle / bottom third of ER within the platform")
    tier_probability: float | None = Field(description="calibrated probability of that performance tier")
    anomaly_score: float | None = Field(
        description="IsolationForest score vs platform × tier peers (≈0.5 typical)"
    )
    anomaly_reasons: list[str] = Field(
        description="audience-quality warnings in plain words (empty when none)"
    )
    rationale: str | None
    expected_engagements: float | None = Field(
        description="expected engagements per post of this content type (predicted ER × followers)"
    )
    expected_engagements_low: float | None = Field(description="10th percentile (80 % interval)")
    expected_engagements_high: float | None = Field(description="90th percentile (80 % interval)")
    engagements_per_dollar: float | None = Field(
        description="expected engagements per dollar of the forecast cost of a post (null without a cost forecast)"
    )
    engagements_per_dollar_low: float | None = Field(description="10th percentile (80 % interval)")
    engagements_per_dollar_high: float | None = Field(description="90th percentile (80 % interval)")
    cost_per_post: float | None = Field(
        description="FORECAST cost of one post of this content type (the cost model, learned from past hires); "
        "not a quote. Null when scored before the cost model existed"
    )
    cost_low: float | None = Field(description="10th percentile of the cost forecast's 80 % interval")
    cost_high: float | None = Field(description="90th percentile of the cost forecast's 80 % interval")
    cost_is_forecast: Literal[True] = Field(
        True, description="always true: `cost_per_post` and its interval are a forecast, not an agreed price"
    )
    past_agreed_cost: float | None = Field(
        description="average agreed cost of this influencer's earlier non-cancelled hires (any content type); "
        "null when never hired"
    )
    profile_url: str = Field(description="the influencer's API resource")
    web_path: str = Field(description="the influencer's page in the web app (hash route)")


class ModelVersionRef(BaseModel):
    id: int
    version: str
    trained_at: dt.datetime


class Recommendations(BaseModel):
    objective: RankingObjective = Field(description="what the items are ranked by")
    items: list[Recommendation]
    page: int = Field(1, description="the page returned")
    has_more: bool = Field(False, description="whether a next page has rows")
    campaign_remaining_budget: float | None = Field(
        None,
        description="budget − agreed cost of the campaign's non-cancelled hires (when campaign_id is given)",
    )
    model_version: ModelVersionRef | None = Field(
        description="the model that produced the scores (null: not scored yet)"
    )


class ModelVersionItem(BaseModel):
    id: int
    kind: str
    version: str
    status: ModelStatus
    metrics: dict[str, Any] = Field(
        description="holdout metrics: mae, r2, interval_coverage, baseline_mae, tier_accuracy, …"
    )
    decision: str | None = Field(description="why it was promoted or rejected")
    artifact_uri: str
    sha256: str
    trained_at: dt.datetime = Field(description="when the version was trained (registered)")
    train_rows: int | None = Field(
        None, description="training examples (influencer × content type × window); null: not recorded"
    )
    holdout_rows: int | None = Field(None, description="holdout examples its metrics were measured on")


class ModelVersions(BaseModel):
    items: list[ModelVersionItem]
    champion: ModelVersionItem | None


class ModelsQuery(QueryModel):
    kind: Short | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class RetrainStarted(BaseModel):
    status: Literal["started"] = "started"
    mode: Literal["lambda", "thread"] = Field(
        description="lambda: async invoke of the retrain function; thread: local"
    )
    function: str | None
