"""GET /recommendations: influencers ranked by an objective (engagements per dollar, per post, or ER), from
influencer_score; GET /recommendations.csv: the same page as CSV."""

from __future__ import annotations

from typing import Any

from chalice import Response

from predictfluence.api.csv_export import csv_response
from predictfluence.api.routing import Router
from predictfluence.api.schemas.recommendations import RecommendationQuery, Recommendations
from predictfluence.queries import recommendations as q

router = Router(__name__, tag="recommendations")
recommendation_routes = router.blueprint

CSV_COLUMNS = (
    "rank",
    "influencer_id",
    "handle",
    "name",
    "platform",
    "category",
    "country",
    "followers",
    "follower_tier",
    "content_type",
    "predicted_engagement_rate",
    "interval_low",
    "interval_high",
    "expected_engagements",
    "cost_per_post",
    "engagements_per_dollar",
    "performance_tier",
    "anomaly_reasons",
    "rationale",
)


@router.route(
    "/recommendations",
    "GET",
    role="viewer",
    query=RecommendationQuery,
    response=Recommendations,
    errors=(404,),
    summary="Influencers ranked by engagements per dollar, per post or ER, with intervals, cost forecast "
    "and rationale",
)
def recommendations(query: RecommendationQuery) -> Recommendations:
    """Scores are batch predictions of the champion models (refreshed by each retraining): predicted mean ER
    per post over the next 30 days, expected engagements per post and per dollar, and the forecast cost of
    a post (`cost_is_forecast`), each with an 80 % interval; performance tier, audience-quality flags and a
    plain-words rationale against the platform × tier × category peers. Ranked by `objective` (default:
    engagements per dollar). Influencers flagged for unusual engagement are left out unless
    `include_flagged=true`. `page` pages through the ranking `limit` rows at a time; `has_more` says
    whether there is a next page."""
    items, remaining, has_more = _ranked(query)
    return Recommendations(
        objective=query.objective,
        items=[{**item, **_links(item["influencer_id"])} for item in items],
        page=query.page,
        has_more=has_more,
        campaign_remaining_budget=remaining,
        model_version=q.scoring_model(),
    )


@router.route(
    "/recommendations.csv",
    "GET",
    role="viewer",
    query=RecommendationQuery,
    response=None,
    errors=(404,),
    content_type="text/csv",
    summary="The same page of recommendations as CSV",
)
def recommendations_csv(query: RecommendationQuery) -> Response:
    """The rows `GET /recommendations` returns for the same parameters, one per line (anomaly reasons
    joined by `; `); text cells a spreadsheet would run as a formula start with `'`."""
    items, _, _ = _ranked(query)
    rows = [
        [("; ".join(item["anomaly_reasons"]) if c == "anomaly_reasons" else item.get(c)) for c in CSV_COLUMNS]
        for item in items
    ]
    return csv_response("recommendations.csv", CSV_COLUMNS, [rows])


def _ranked(query: RecommendationQuery) -> tuple[list[dict[str, Any]], float | None, bool]:
    """The page's rows, the campaign's remaining budget (campaign_id given) and whether more rows follow."""
    remaining = None
    if query.campaign_id is not None:
        remaining = q.campaign_remaining_budget(query.campaign_id)
    tiers = sorted({t for t in (query.tier, query.audience_size) if t is not None})
    start = (query.page - 1) * query.limit
    found = q.recommend(
        objective=query.objective,
        platform=query.platform,
        category=query.category,
        content_type=query.content_type,
        tiers=tiers,
        min_followers=query.min_followers,
        max_followers=query.max_followers,
        campaign_id=query.campaign_id,
        remaining_budget=remaining,
        include_flagged=query.include_flagged,
        limit=start + query.limit + 1,  # one more than the page: is there a next page?
    )
    return found[start : start + query.limit], remaining, len(found) > start + query.limit


def _links(influencer_id: int) -> dict[str, str]:
    """Where the influencer is: its API resource and its page in the web app (a hash route)."""
    return {"profile_url": f"/influencers/{influencer_id}", "web_path": f"#/influencers/{influencer_id}"}
