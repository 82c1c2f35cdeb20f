"""GET /recommendations: influencers ranked by an objective (engagements per dollar, per post, or ER), from
influencer_score."""

from __future__ import annotations

from predictfluence.api.routing import Router
from predictfluence.api.schemas.recommendations import RecommendationQuery, Recommendations
from predictfluence.queries import recommendations as q

router = Router(__name__, tag="recommendations")
recommendation_routes = router.blueprint


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
    `include_flagged=true`."""
    remaining = None
    if query.campaign_id is not None:
        remaining = q.campaign_remaining_budget(query.campaign_id)
    tiers = sorted({t for t in (query.tier, query.audience_size) if t is not None})
    items = q.recommend(
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
        limit=query.limit,
    )
    return Recommendations(
        objective=query.objective,
        items=[{**item, **_links(item["influencer_id"])} for item in items],
        campaign_remaining_budget=remaining,
        model_version=q.scoring_model(),
    )


def _links(influencer_id: int) -> dict[str, str]:
    """Where the influencer is: its API resource and its page in the web app (a hash route)."""
    return {"profile_url": f"/influencers/{influencer_id}", "web_path": f"#/influencers/{influencer_id}"}
