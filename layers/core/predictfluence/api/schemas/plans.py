"""POST /campaigns/{campaign_id}/plan: the campaign planner's request and response (docs/ml.md, "Campaign
planner"). Structural contradictions (min > max, minimum shares over 1, include ∩ exclude, more pinned
than max_influencers) fail here, as 422 naming the constraint, before the planner function is called."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from predictfluence.api.schemas.common import BodyModel, Id, Label, Short
from predictfluence.vocab import FollowerTier, PlanObjective, PlanStatus

Fraction = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Followers = Annotated[int, Field(ge=0, le=10_000_000_000)]
MAX_PINNED = 200
MAX_EXCLUDED = 5000
MAX_CANDIDATE_IDS = 500


class ShareBounds(BodyModel):
    """A group's share of the plan's cost: min ≤ share ≤ max (fractions of the plan's total cost)."""

    min: Fraction = 0.0
    max: Fraction = 1.0

    @model_validator(mode="after")
    def _ordered(self):  # type: ignore[no-untyped-def]
        if self.min > self.max:
            raise ValueError("share min must not exceed max")
        return self


class PostsPerInfluencer(BodyModel):
    min: Annotated[int, Field(ge=1, le=50)] = 1
    max: Annotated[int, Field(ge=1, le=50)] = 1

    @model_validator(mode="after")
    def _ordered(self):  # type: ignore[no-untyped-def]
        if self.min > self.max:
            raise ValueError("posts_per_influencer: min must not exceed max")
        return self


class PlanFilters(BodyModel):
    platform: Short | None = None
    category: Label | None = None
    content_type: Short | None = Field(None, description="Plan only posts of this content type")
    tiers: Annotated[list[FollowerTier], Field(max_length=5)] | None = Field(
        None, description="Follower tiers to plan from (any of them)"
    )
    min_followers: Followers | None = None
    max_followers: Followers | None = None
    include_flagged: bool = Field(
        False, description="Also plan influencers flagged for unusual (likely bought) engagement"
    )
    influencer_ids: Annotated[list[Id], Field(min_length=1, max_length=MAX_CANDIDATE_IDS)] | None = Field(
        None,
        description="Plan only from these influencers (e.g. a shortlist's members); the other filters still apply",
    )

    @model_validator(mode="after")
    def _ordered(self):  # type: ignore[no-untyped-def]
        if None not in (self.min_followers, self.max_followers) and self.min_followers > self.max_followers:
            raise ValueError("min_followers must not exceed max_followers")
        return self


def _shares_fit(shares: dict[str, ShareBounds], name: str) -> None:
    if sum(s.min for s in shares.values()) > 1.0 + 1e-9:
        raise ValueError(f"{name}: the minimum shares add up to more than 1")


class PlanConstraints(BodyModel):
    posts_per_influencer: PostsPerInfluencer = Field(
        default_factory=PostsPerInfluencer, description="Posts per chosen influencer (default exactly 1)"
    )
    max_influencers: Annotated[int, Field(ge=1, le=10_000)] | None = None
    platform_share: Annotated[dict[Short, ShareBounds], Field(max_length=20)] = Field(
        default_factory=dict, description="Per platform: min/max share of the plan's cost"
    )
    tier_share: dict[FollowerTier, ShareBounds] = Field(
        default_factory=dict, description="Per follower tier: min/max share of the plan's cost"
    )
    exclude_hired: bool = Field(True, description="Leave out influencers already hired for this campaign")
    include: Annotated[list[Id], Field(max_length=MAX_PINNED)] = Field(
        default_factory=list, description="Pinned influencer ids: they must be in the plan"
    )
    exclude: Annotated[list[Id], Field(max_length=MAX_EXCLUDED)] = Field(
        default_factory=list, description="Influencer ids never to plan"
    )

    @model_validator(mode="after")
    def _consistent(self):  # type: ignore[no-untyped-def]
        _shares_fit(self.platform_share, "platform_share")
        _shares_fit(self.tier_share, "tier_share")
        both = sorted(set(self.include) & set(self.exclude))
        if both:
            raise ValueError(f"include and exclude both list {both}")
        if self.max_influencers is not None and len(set(self.include)) > self.max_influencers:
            raise ValueError(
                f"{len(set(self.include))} pinned (include) but max_influencers is {self.max_influencers}"
            )
        return self


class PlanBody(BodyModel):
    budget: Any = Field(
        None,
        json_schema_extra={"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]},
        description="The plan's budget (> 0); default: the campaign's remaining budget (its budget − the "
        "agreed cost of its non-cancelled hires)",
    )
    objective: PlanObjective = Field(
        "engagements",
        description="What to maximise: `engagements` (posts × expected engagements per post), `reach` "
        "(followers of the chosen influencers, each counted once) or `conversions` (posts × the influencer's "
        "historical orders per sponsored post; only influencers with conversion history)",
    )
    filters: PlanFilters = Field(default_factory=PlanFilters)
    constraints: PlanConstraints = Field(default_factory=PlanConstraints)


def budget_problem(budget: Any) -> str | None:
    """Why `budget` is not acceptable (None when it is, or when it is absent): the API's 400."""
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, (int, float)):
        return "budget must be a number"
    if budget != budget or budget in (float("inf"), float("-inf")) or budget <= 0 or budget > 1e12:
        return "budget must be a number above 0 (at most 1e12)"
    return None


class PlanForecast(BaseModel):
    total: float = Field(description="The plan's point forecast: the objective's sum over the picks")
    low: float = Field(description="10th percentile of the plan total over 2,000 joint draws")
    high: float = Field(description="90th percentile of the plan total over 2,000 joint draws")
    interval: float = Field(description="The interval's coverage (0.8)")
    unit: str


class CostInterval(BaseModel):
    low: float
    high: float


class PlanItem(BaseModel):
    influencer_id: int
    handle: str | None = None
    name: str | None = None
    platform: str | None = None
    follower_tier: str | None = None
    followers: int | None = None
    content_type: str
    posts: int
    cost_per_post: float = Field(description="The forecast cost of one post (the cost model)")
    cost: float
    cost_low: float
    cost_high: float
    forecast: float
    forecast_low: float
    forecast_high: float
    pinned: bool
    why: str = Field(description="Why this pick is in, in plain words")


class PlanModelVersion(BaseModel):
    id: int
    version: str


class Plan(BaseModel):
    campaign_id: int
    currency: str | None = None
    budget: float
    objective: PlanObjective
    status: PlanStatus = Field(description="`optimal` (proven, to a relative gap of 1e-6) or `time_limit`")
    optimality_gap: float = Field(
        description="Relative gap between the plan and the best bound; 0 when optimal"
    )
    candidates: int = Field(description="Candidate rows (influencer × content type) the plan was solved over")
    candidates_total: int = Field(
        description="Priced candidate rows after the filters. The plan is solved over the best of them "
        "(`candidates`): by forecast per cost and by forecast (overall and per share group), at least "
        "PF_PLANNER_POOL_ROWS (2,000) of each, every row before four budgets would be spent, the best of "
        "each power-of-two cost band, and the pinned influencers"
    )
    solve_ms: float
    forecast: PlanForecast
    cost_total: float
    cost_interval: CostInterval
    remaining_after: float | None = Field(
        None, description="The campaign's remaining budget after hiring the whole plan"
    )
    model_version: PlanModelVersion | None = None
    items: list[PlanItem]
