"""The campaign planner's refusals: `PlanError` and `validate` (the request's own contradictions, then
those against the candidates), and `Share`. Re-exported by predictfluence_ml.planner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from predictfluence.vocab import PLAN_OBJECTIVES

if TYPE_CHECKING:
    from predictfluence_ml.planner import Candidates, PlanRequest


class PlanError(ValueError):
    """A request the planner refuses: `status` (400/422) and the request `field` it names."""

    def __init__(self, field: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Share:
    """Bounds on a group's share of the plan's cost (fractions)."""

    min: float = 0.0
    max: float = 1.0


def validate(candidates: Candidates, request: PlanRequest) -> None:
    """The request's own contradictions, then those against the candidates (PlanError)."""
    budget = request.budget
    if (
        isinstance(budget, bool)
        or not isinstance(budget, (int, float))
        or not np.isfinite(budget)
        or budget <= 0
    ):
        raise PlanError("budget", "budget must be a number above 0", 400)
    if request.objective not in PLAN_OBJECTIVES:
        raise PlanError("objective", f"objective must be one of {', '.join(PLAN_OBJECTIVES)}", 400)
    if not 1 <= request.min_posts <= request.max_posts:
        raise PlanError("constraints.posts_per_influencer", "posts per influencer: need 1 ≤ min ≤ max")
    if request.max_influencers is not None and request.max_influencers < 1:
        raise PlanError("constraints.max_influencers", "max_influencers must be at least 1")
    for name, shares in (("platform_share", request.platform_share), ("tier_share", request.tier_share)):
        for key, share in shares.items():
            if not 0.0 <= share.min <= share.max <= 1.0:
                raise PlanError(f"constraints.{name}", f"{name} {key}: need 0 ≤ min ≤ max ≤ 1")
        if sum(s.min for s in shares.values()) > 1.0 + 1e-9:
            raise PlanError(f"constraints.{name}", f"{name}: the minimum shares add up to more than 1")
    if request.max_influencers is not None and len(request.pinned) > request.max_influencers:
        raise PlanError(
            "constraints.include",
            f"{len(request.pinned)} pinned influencers but at most "
            f"{request.max_influencers} allowed (max_influencers)",
        )
    _validate_against(candidates, request)


def _validate_against(candidates: Candidates, request: PlanRequest) -> None:
    if len(candidates) == 0:
        raise PlanError(
            "filters",
            "no priced candidate matches the filters (an influencer without a cost "
            "forecast cannot be planned)",
        )
    cheapest = float(candidates.cost.min()) * request.min_posts
    if cheapest > request.budget:
        raise PlanError(
            "budget",
            f"budget {request.budget:,.2f} is below the cheapest candidate "
            f"({request.min_posts} post(s) for {cheapest:,.2f})",
        )
    missing = sorted(set(request.pinned) - set(candidates.influencer_id.tolist()))
    if missing:
        raise PlanError(
            "constraints.include",
            f"pinned influencer(s) {missing} are not priced candidates "
            "(filtered out, flagged, already hired, or without a cost forecast)",
        )
    pinned_cost = 0.0
    for influencer in request.pinned:
        pinned_cost += (
            float(candidates.cost[candidates.influencer_id == influencer].min()) * request.min_posts
        )
    if pinned_cost > request.budget:
        raise PlanError(
            "constraints.include",
            f"the pinned influencers alone cost at least {pinned_cost:,.2f}, "
            f"over the budget {request.budget:,.2f}",
        )
    for name, column in (("platform_share", candidates.platform), ("tier_share", candidates.tier)):
        present = set(column.tolist())
        for key, share in getattr(request, name).items():
            if share.min > 0 and key not in present:
                raise PlanError(
                    f"constraints.{name}", f"{name} {key}: a minimum share but no candidate has it"
                )
