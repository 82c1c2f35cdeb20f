"""The planner entry the planner function and the CLI share: a request body in, the plan response out.

`run_plan(campaign_id, body)` validates the body (the API's schema), reads the campaign and the priced
candidates (predictfluence.queries.planning), solves (predictfluence_ml.planner) and returns the response
of POST /campaigns/{id}/plan. `handle_event(event)` wraps it in the planner function's envelope
(predictfluence.planning): refusals become `{"ok": false, "error": {"status", "field", "message"}}`.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from pydantic import ValidationError
from scipy.stats import gamma

from predictfluence.api.schemas.plans import PlanBody, budget_problem
from predictfluence.config import get_settings
from predictfluence.queries import planning as q
from predictfluence.queries.errors import NotFound
from predictfluence_ml.planner import Candidates, Plan, PlanError, PlanRequest, Share, solve_plan
from predictfluence_ml.planner_report import UNITS

log = logging.getLogger(__name__)
# The pool cut keeps, per ordering, the rows before which this many budgets would be spent (PoolCut.spend):
# a budget-bound plan takes rows near the front of the forecast-per-cost order, and the cut keeps 3 more
# budgets' worth of rows past the point where the best rows alone would exhaust it.
POOL_COVER = 4.0
# ... and, among the first POOL_DEPTH × PF_PLANNER_POOL_ROWS rows of each ordering, the best
# PF_PLANNER_POOL_ROWS / POOL_BANDS of each cost band: the rows that fill a budget's remainder. Measured at
# 1M influencers (docs/benchmarks.md): the best plan for 20,000 filled its last 1,866 with the 4,887th row.
POOL_DEPTH, POOL_BANDS = 10, 20


def _conversions(columns: dict[str, np.ndarray]) -> None:
    """Orders per sponsored post (k orders over m posts) and its 80 % interval: the Jeffreys posterior of a
    Poisson rate, Gamma(k + ½) / m, at its 10th and 90th percentiles."""
    orders, posts = columns["orders"], columns["sponsored_posts"]
    columns["value"] = orders / posts
    columns["value_low"] = gamma.ppf(0.1, orders + 0.5) / posts
    columns["value_high"] = gamma.ppf(0.9, orders + 0.5) / posts


_TEXT = ("content_type", "platform", "tier")


def candidates_of(text: dict[str, list[str]]) -> dict[str, np.ndarray]:
    """numpy columns of the query's text columns (NaN in an interval: no uncertainty known)."""
    kinds = {"influencer_id": np.int64, **dict.fromkeys(_TEXT, object)}
    columns = {k: np.array(v, dtype=kinds.get(k, float)) for k, v in text.items()}
    for low, high, point in (("value_low", "value_high", "value"), ("cost_low", "cost_high", "cost")):
        for bound in (low, high):
            columns[bound] = np.where(np.isnan(columns[bound]), columns[point], columns[bound])
    return columns


def parse_body(body: dict[str, Any] | None) -> PlanBody:
    """The request body as the API validates it; PlanError (400/422, naming the field) otherwise."""
    try:
        parsed = PlanBody.model_validate(body or {})
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "body"
        raise PlanError(field, f"{field}: {first['msg']}") from None
    problem = budget_problem(parsed.budget)
    if problem:
        raise PlanError("budget", problem, 400)
    return parsed


def _budget(parsed: PlanBody, campaign: dict[str, Any]) -> float:
    if parsed.budget is not None:
        return float(parsed.budget)
    remaining = campaign["remaining"]
    if remaining is None:
        raise PlanError("budget", "the campaign has no budget: give one in the request")
    if remaining <= 0:
        raise PlanError(
            "budget", f"nothing is left of the campaign's budget ({remaining:,.2f}): give a budget"
        )
    return float(remaining)


def _request(parsed: PlanBody, budget: float, currency: str, time_limit: float) -> PlanRequest:
    cons = parsed.constraints
    return PlanRequest(
        budget=budget,
        objective=parsed.objective,
        min_posts=cons.posts_per_influencer.min,
        max_posts=cons.posts_per_influencer.max,
        max_influencers=cons.max_influencers,
        platform_share={k.lower(): Share(v.min, v.max) for k, v in cons.platform_share.items()},
        tier_share={k: Share(v.min, v.max) for k, v in cons.tier_share.items()},
        pinned=frozenset(cons.include),
        time_limit=time_limit,
        currency=currency or "USD",
    )


def run_plan(
    campaign_id: int, body: dict[str, Any] | None, *, time_limit: float | None = None
) -> dict[str, Any]:
    """The plan response for `campaign_id` (NotFound for no such campaign, PlanError for a refusal)."""
    parsed = parse_body(body)
    campaign = q.campaign_for_plan(campaign_id)
    budget = _budget(parsed, campaign)
    cons, settings = parsed.constraints, get_settings()
    text, version_id, pool = q.plan_candidates(
        campaign_id,
        objective=parsed.objective,
        filters=parsed.filters.model_dump(),
        include=cons.include,
        exclude=cons.exclude,
        exclude_hired=cons.exclude_hired,
        cut=q.PoolCut(
            rows=settings.planner_pool_rows,
            spend=POOL_COVER * budget,
            budget=budget,
            band_rows=settings.planner_pool_rows // POOL_BANDS,
            depth=POOL_DEPTH * settings.planner_pool_rows,
            min_posts=cons.posts_per_influencer.min,
            groups={"platform": tuple(k.lower() for k in cons.platform_share), "tier": tuple(cons.tier_share)},
        ),
    )
    columns = candidates_of(text)
    if parsed.objective == "conversions":
        if not len(columns["cost"]):
            raise PlanError("objective", "no candidate has conversion history (orders from sponsored posts)")
        _conversions(columns)
    candidates = Candidates(**{k: columns[k] for k in Candidates.__dataclass_fields__})
    limit = settings.planner_time_limit if time_limit is None else time_limit
    plan = solve_plan(candidates, _request(parsed, budget, campaign["currency"], limit))
    version = q.model_version_of(version_id)
    labels = q.influencer_labels([p.influencer_id for p in plan.picks])
    return response(campaign, plan, candidates, labels, budget, version, pool)


def response(
    campaign: dict[str, Any],
    plan: Plan,
    cands: Candidates,
    labels: dict[int, dict[str, Any]],
    budget: float,
    version: dict[str, Any] | None,
    pool: int,
) -> dict[str, Any]:
    """The 200 body of POST /campaigns/{id}/plan (`pool`: the candidate rows before the pool cut)."""
    items = []
    for pick in sorted(plan.picks, key=lambda p: (-p.forecast, p.influencer_id, p.content_type)):
        label = labels.get(pick.influencer_id, {})
        items.append(
            {
                "influencer_id": pick.influencer_id,
                "handle": label.get("handle"),
                "name": label.get("name"),
                "platform": str(cands.platform[pick.row]) or None,
                "follower_tier": str(cands.tier[pick.row]) or None,
                "followers": int(cands.followers[pick.row]),
                **{k: getattr(pick, k) for k in _PICK_FIELDS},
            }
        )
    remaining = campaign["remaining"]
    return {
        "campaign_id": int(campaign["id"]),
        "currency": campaign["currency"],
        "budget": budget,
        "objective": plan.objective,
        "status": plan.status,
        "optimality_gap": plan.optimality_gap,
        "candidates": plan.candidates,
        "candidates_total": pool,
        "solve_ms": plan.solve_ms,
        "forecast": {
            "total": plan.total,
            "low": plan.low,
            "high": plan.high,
            "interval": plan.interval,
            "unit": UNITS[plan.objective],
        },
        "cost_total": plan.cost_total,
        "cost_interval": {"low": plan.cost_low, "high": plan.cost_high},
        "remaining_after": (remaining if remaining is not None else budget) - plan.cost_total,
        "model_version": {"id": int(version["id"]), "version": str(version["version"])} if version else None,
        "items": items,
    }


_PICK_FIELDS = (
    "content_type",
    "posts",
    "cost_per_post",
    "cost",
    "cost_low",
    "cost_high",
    "forecast",
    "forecast_low",
    "forecast_high",
    "pinned",
    "why",
)


def handle_event(event: dict[str, Any] | None) -> dict[str, Any]:
    """The planner function: `{"campaign_id", "body"}` → `{"ok": true, "plan"}` or `{"ok": false, "error"}`."""
    event = event or {}
    campaign_id = event.get("campaign_id")
    if isinstance(campaign_id, bool) or not isinstance(campaign_id, int) or campaign_id < 1:
        return _refused(400, "campaign_id", "campaign_id must be a positive integer")
    body = event.get("body")
    if body is not None and not isinstance(body, dict):
        return _refused(400, "body", "the request body must be a JSON object")
    try:
        return {"ok": True, "plan": run_plan(campaign_id, body)}
    except PlanError as exc:
        return _refused(exc.status, exc.field, exc.message)
    except NotFound as exc:
        return _refused(404, "campaign_id", f"{exc.resource} {exc.ident} not found")


def _refused(status: int, field: str, message: str) -> dict[str, Any]:
    log.info("plan refused: %s %s: %s", status, field, message)
    return {"ok": False, "error": {"status": status, "field": field, "message": message}}
