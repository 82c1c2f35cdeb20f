"""/campaigns: CRUD, hires (/campaigns/{id}/influencers) and the summary."""

from __future__ import annotations

from chalice import Response

from predictfluence.api import errors
from predictfluence.api.auth import Principal
from predictfluence.api.csv_export import csv_response
from predictfluence.api.routing import Router
from predictfluence.api.schemas.campaigns import (
    MAX_BULK_HIRES,
    BulkHireCreate,
    BulkHireResult,
    Campaign,
    CampaignCreate,
    CampaignDeleted,
    CampaignListQuery,
    CampaignPage,
    CampaignSummary,
    CampaignUpdate,
    Hire,
    HireCreate,
    HirePerformanceList,
    HireUpdate,
)
from predictfluence.api.schemas.common import page_info
from predictfluence.queries import campaigns as q
from predictfluence.queries import exports

router = Router(__name__, tag="campaigns")
campaign_routes = router.blueprint
NOT_NULL = ("name", "status", "budget", "currency")


def _name_taken(name: str) -> errors.ApiError:
    return errors.conflict("campaign_name_taken", f"a campaign named {name!r} already exists", {"name": name})


@router.route("/campaigns", "GET", role="viewer", query=CampaignListQuery, response=CampaignPage,
              summary="List campaigns")
def list_campaigns(query: CampaignListQuery) -> CampaignPage:
    items, total = q.list_campaigns(query)
    return CampaignPage(items=items, page_info=page_info(total, query.page, query.page_size))


@router.route("/campaigns", "POST", role="manager", body=CampaignCreate, response=Campaign, status=201,
              errors=(409,), summary="Create a campaign", audit="campaign.create")
def create_campaign(body: CampaignCreate, principal: Principal) -> Campaign:
    try:
        return Campaign.model_validate(q.create_campaign(body.model_dump(), principal.actor))
    except q.NameTaken:
        raise _name_taken(body.name) from None


@router.route("/campaigns/{campaign_id}", "GET", role="viewer", response=Campaign, summary="One campaign")
def get_campaign(campaign_id: int) -> Campaign:
    return Campaign.model_validate(q.get_campaign(campaign_id))


@router.route("/campaigns/{campaign_id}", "PATCH", role="manager", body=CampaignUpdate, response=Campaign,
              errors=(409,), summary="Change a campaign", audit="campaign.update")
def update_campaign(campaign_id: int, body: CampaignUpdate, principal: Principal) -> Campaign:
    values = body.model_dump(exclude_unset=True)
    nulls = [name for name in NOT_NULL if name in values and values[name] is None]
    if nulls:
        raise errors.unprocessable(f"invalid field(s): {', '.join(nulls)}",
                                   [{"field": n, "in": "body", "message": "may not be null"} for n in nulls])
    try:
        found = q.update_campaign(campaign_id, values, principal.actor)
    except q.NameTaken:
        raise _name_taken(values["name"]) from None
    except ValueError as exc:
        raise errors.unprocessable(str(exc), [{"field": "end_date", "in": "body", "message": str(exc)}]) from None
    return Campaign.model_validate(found)


@router.route("/campaigns/{campaign_id}", "DELETE", role="manager", response=CampaignDeleted,
              summary="Delete a campaign (archived instead when it has hires)", audit="campaign.delete")
def delete_campaign(campaign_id: int, principal: Principal) -> CampaignDeleted:
    return CampaignDeleted(id=campaign_id, outcome=q.delete_campaign(campaign_id, principal.actor))  # type: ignore[arg-type]


@router.route("/campaigns/{campaign_id}/summary", "GET", role="viewer", response=CampaignSummary,
              summary="Budget, spend, engagement, cost metrics and ROI of a campaign")
def campaign_summary(campaign_id: int) -> CampaignSummary:
    return CampaignSummary.model_validate(q.summary(campaign_id))


@router.route("/campaigns/{campaign_id}/influencers", "GET", role="viewer", response=HirePerformanceList,
              summary="Hired influencers and their performance in the campaign")
def list_hires(campaign_id: int) -> HirePerformanceList:
    q.require(campaign_id)
    items = q.hire_performance(campaign_id)
    return HirePerformanceList(items=items, total=len(items))


@router.route("/campaigns/{campaign_id}/report.csv", "GET", role="viewer", response=None, errors=(404,),
              content_type="text/csv", summary="The campaign's per-hire performance as CSV")
def campaign_report_csv(campaign_id: int) -> Response:
    """One row per hire (cancelled ones included, with their status): cost in the campaign's currency,
    posts, engagements, ER, views, impressions, clicks, orders, revenue, CPE, ROAS and CPA. Text cells a
    spreadsheet would run as a formula start with `'`."""
    q.require(campaign_id)
    return csv_response(f"campaign-{campaign_id}-report.csv", exports.HIRE_COLUMNS, exports.campaign_hires(campaign_id))


@router.route("/campaigns/{campaign_id}/influencers", "POST", role="manager", body=HireCreate, response=Hire,
              status=201, errors=(409,), summary="Hire an influencer for the campaign", audit="hire.create",
              audit_target="campaign:campaign_id")
def hire_influencer(campaign_id: int, body: HireCreate, principal: Principal) -> Hire:
    try:
        result = q.hire(campaign_id, body.influencer_id, body.agreed_cost, body.status, body.allow_overspend,
                        principal.actor)
    except q.DuplicateHire:
        raise errors.conflict("already_hired", f"influencer {body.influencer_id} is already hired for "
                              f"campaign {campaign_id}", {"influencer_id": body.influencer_id}) from None
    except q.OverBudget as exc:
        raise _over_budget(exc) from None
    except q.CampaignArchived:
        raise errors.conflict("campaign_archived", "archived campaigns take no new hires") from None
    return Hire.model_validate(result)


@router.route("/campaigns/{campaign_id}/hires", "POST", role="manager", body=BulkHireCreate, response=BulkHireResult,
              status=201, errors=(409,), summary="Hire several influencers at once (all or none)",
              audit="hires.bulk", audit_target="campaign:campaign_id")
def hire_all(campaign_id: int, body: BulkHireCreate, principal: Principal) -> BulkHireResult:
    """Hire all (the Plan view's action): every hire is made or none is, in one transaction. The total agreed
    cost must fit the campaign's remaining budget unless `overspend` is true (409 over_budget, as for one
    hire); an influencer already hired is a 409 naming it; more than 200 hires is a 400."""
    if len(body.hires) > MAX_BULK_HIRES:
        raise errors.bad_request(f"at most {MAX_BULK_HIRES} hires per call", [
            {"field": "hires", "in": "body", "message": f"{len(body.hires)} hires; send at most {MAX_BULK_HIRES}"}])
    try:
        hired, remaining = q.hire_all(campaign_id, [(h.influencer_id, h.agreed_cost) for h in body.hires],
                                      body.overspend, principal.actor)
    except q.DuplicateHire as exc:
        named = ", ".join(str(i) for i in exc.influencer_ids)
        raise errors.conflict("already_hired", f"influencer(s) {named} already hired for campaign {campaign_id}; "
                              "nothing was hired", {"influencer_ids": exc.influencer_ids}) from None
    except q.OverBudget as exc:
        raise _over_budget(exc, "overspend") from None
    except q.CampaignArchived:
        raise errors.conflict("campaign_archived", "archived campaigns take no new hires") from None
    return BulkHireResult(hired=[Hire.model_validate(h) for h in hired], remaining_budget=remaining)


def _over_budget(exc: q.OverBudget, flag: str = "allow_overspend") -> errors.ApiError:
    return errors.conflict("over_budget", "the hire would overspend the campaign budget "
                           f"(send {flag}: true to hire anyway)", exc.details)


@router.route("/campaigns/{campaign_id}/influencers/{influencer_id}", "PATCH", role="manager", body=HireUpdate,
              response=Hire, errors=(409,), summary="Change a hire's status or agreed cost", audit="hire.update",
              audit_target="campaign:campaign_id")
def update_hire(campaign_id: int, influencer_id: int, body: HireUpdate) -> Hire:
    try:
        found = q.update_hire(campaign_id, influencer_id, body.status, body.agreed_cost, body.allow_overspend)
    except q.OverBudget as exc:
        raise _over_budget(exc) from None
    return Hire.model_validate(found)


@router.route("/campaigns/{campaign_id}/influencers/{influencer_id}", "DELETE", role="manager", response=None,
              status=204, summary="Remove a hire", audit="hire.delete", audit_target="campaign:campaign_id")
def remove_hire(campaign_id: int, influencer_id: int) -> None:
    q.remove_hire(campaign_id, influencer_id)
