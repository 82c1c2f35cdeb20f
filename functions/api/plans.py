"""POST /campaigns/{campaign_id}/plan: the campaign planner. The solver runs in the planner function (the
ML layer); this handler validates, checks the campaign exists and calls it synchronously."""

from __future__ import annotations

from predictfluence import planning
from predictfluence.api import errors
from predictfluence.api.routing import Router
from predictfluence.api.schemas.plans import Plan, PlanBody, budget_problem
from predictfluence.queries.planning import campaign_for_plan

router = Router(__name__, tag="campaigns")
plan_routes = router.blueprint
_CODES = {400: "bad_request", 404: "not_found", 409: "conflict", 422: "validation_error"}


def _refusal(status: int, field: str, message: str) -> errors.ApiError:
    detail = [{"field": field, "in": "body", "message": message}]
    return errors.ApiError(status, _CODES.get(status, "validation_error"), message, detail)


@router.route(
    "/campaigns/{campaign_id}/plan",
    "POST",
    role="manager",
    body=PlanBody,
    response=Plan,
    errors=(400, 404, 422),
    summary="Plan a campaign: the influencers × content types × posts that maximise the forecast within budget",
    audit="plan.request",
    audit_target="campaign:campaign_id",
)
def plan_campaign(campaign_id: int, body: PlanBody) -> Plan:
    """An integer programme (SciPy's milp / HiGHS) over every priced candidate (influencer × content type
    with a cost forecast; flagged influencers only with `filters.include_flagged`, already hired ones only
    with `constraints.exclude_hired=false`) maximises the objective — expected engagements, reach
    (followers, once per influencer) or expected conversions — with Σ cost ≤ budget (default: the
    campaign's remaining budget) and the constraints. The forecast interval is the 10th–90th percentile of
    the plan total over 2,000 joint draws of the picks' uncertainty; `optimality_gap` is 0 when the plan is
    proven optimal. Refusals: budget ≤ 0 or not a number 400 `budget`; budget below the cheapest candidate
    422 `budget`; contradictory constraints 422 naming the constraint; no candidate 422 `filters`;
    infeasible 422 `constraints`; no such campaign 404."""
    problem = budget_problem(body.budget)
    if problem:
        raise _refusal(400, "budget", problem)
    campaign_for_plan(campaign_id)  # 404 before the planner function is called
    try:
        plan = planning.request_plan(campaign_id, body.model_dump(mode="json"))
    except planning.PlanRefused as exc:
        raise _refusal(exc.status, exc.field, exc.message) from None
    return Plan.model_validate(plan)
