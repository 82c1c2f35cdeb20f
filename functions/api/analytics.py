"""/analytics: KPIs, engagement trend, top campaigns, demographics, content types."""

from __future__ import annotations

import datetime as dt

from predictfluence.api.routing import Router
from predictfluence.api.schemas.analytics import (
    ContentTypes,
    ContentTypesQuery,
    Demographics,
    DemographicsQuery,
    EngagementTrend,
    Kpis,
    TopCampaigns,
    TopCampaignsQuery,
    TrendQuery,
)
from predictfluence.queries import analytics as q
from predictfluence.queries import campaigns as campaign_queries

router = Router(__name__, tag="analytics")
analytics_routes = router.blueprint


@router.route("/analytics/kpis", "GET", role="viewer", response=Kpis, summary="Headline KPIs")
def kpis() -> Kpis:
    return Kpis.model_validate(q.kpis())


@router.route("/analytics/engagement-trend", "GET", role="viewer", query=TrendQuery, response=EngagementTrend,
              errors=(404,), summary="Daily engagement over the last N days")
def engagement_trend(query: TrendQuery) -> EngagementTrend:
    campaign_queries.require(query.campaign_id)
    end = query.end_date or dt.datetime.now(dt.UTC).date()
    start = end - dt.timedelta(days=query.days - 1)
    points = q.engagement_trend(start, end, query.platform, query.campaign_id)
    return EngagementTrend(start_date=start, end_date=end, points=points)


@router.route("/analytics/top-campaigns", "GET", role="viewer", query=TopCampaignsQuery, response=TopCampaigns,
              summary="Campaigns ranked by average engagement rate")
def top_campaigns(query: TopCampaignsQuery) -> TopCampaigns:
    return TopCampaigns(items=q.top_campaigns(query.limit))


@router.route("/analytics/demographics", "GET", role="viewer", query=DemographicsQuery, response=Demographics,
              errors=(404,), summary="Follower-weighted audience breakdown by dimension")
def demographics(query: DemographicsQuery) -> Demographics:
    campaign_queries.require(query.campaign_id)
    influencers, buckets = q.demographics(query.dimension, query.campaign_id)
    return Demographics(dimension=query.dimension, campaign_id=query.campaign_id, influencers=influencers,
                        buckets=buckets)


@router.route("/analytics/content-types", "GET", role="viewer", query=ContentTypesQuery, response=ContentTypes,
              errors=(404,), summary="Creative performance by content type")
def content_types(query: ContentTypesQuery) -> ContentTypes:
    campaign_queries.require(query.campaign_id)
    return ContentTypes(items=q.content_types(query.platform, query.campaign_id))
