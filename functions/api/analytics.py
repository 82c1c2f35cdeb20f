"""/analytics: KPIs, engagement trend, top campaigns, demographics, content types."""

from __future__ import annotations

import datetime as dt

from predictfluence.api.routing import Router
from predictfluence.api.schemas.analytics import (
    ContentTypePerformance,
    ContentTypes,
    ContentTypesQuery,
    Demographics,
    DemographicsQuery,
    EngagementTrend,
    Kpis,
    PeriodQuery,
    TopCampaigns,
    TopCampaignsQuery,
    TrendPeriod,
    TrendQuery,
)
from predictfluence.queries import analytics as q
from predictfluence.queries import campaigns as campaign_queries

router = Router(__name__, tag="analytics")
analytics_routes = router.blueprint


@router.route("/analytics/kpis", "GET", role="viewer", response=Kpis, summary="Headline KPIs")
def kpis() -> Kpis:
    return Kpis.model_validate(q.kpis())


def _change(now: float | None, before: float | None) -> float | None:
    """100 × (now − before) / before; None when either is missing or before is 0."""
    if now is None or before is None or before == 0:
        return None
    return 100.0 * (float(now) - float(before)) / float(before)


def _previous(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length that ends the day before `start`."""
    return start - (end - start) - dt.timedelta(days=1), start - dt.timedelta(days=1)


def _trend_period(query: PeriodQuery, start: dt.date, end: dt.date) -> TrendPeriod:
    points, totals = q.engagement_trend(start, end, query.platform, query.campaign_id, query.category)
    return TrendPeriod(start_date=start, end_date=end, points=points, totals=totals)


@router.route(
    "/analytics/engagement-trend",
    "GET",
    role="viewer",
    query=TrendQuery,
    response=EngagementTrend,
    errors=(404,),
    summary="Daily engagement over a period (start_date..end_date, or the last N days)",
)
def engagement_trend(query: TrendQuery) -> EngagementTrend:
    campaign_queries.require(query.campaign_id)
    end = query.end_date or dt.datetime.now(dt.UTC).date()
    start = query.start_date or end - dt.timedelta(days=query.days - 1)
    trend = EngagementTrend.model_validate(_trend_period(query, start, end).model_dump())
    if query.compare == "previous":
        trend.previous = _trend_period(query, *_previous(start, end))
        now, before = trend.totals.model_dump(), trend.previous.totals.model_dump()
        trend.change_pct = {key: _change(now[key], before[key]) for key in now}
    return trend


@router.route(
    "/analytics/top-campaigns",
    "GET",
    role="viewer",
    query=TopCampaignsQuery,
    response=TopCampaigns,
    summary="Campaigns ranked by average engagement rate",
)
def top_campaigns(query: TopCampaignsQuery) -> TopCampaigns:
    items = q.top_campaigns(query.limit, query.start_date, query.end_date, query.platform, query.category)
    return TopCampaigns(items=items)


@router.route(
    "/analytics/demographics",
    "GET",
    role="viewer",
    query=DemographicsQuery,
    response=Demographics,
    errors=(404,),
    summary="Follower-weighted audience breakdown by dimension",
)
def demographics(query: DemographicsQuery) -> Demographics:
    campaign_queries.require(query.campaign_id)
    influencers, buckets = q.demographics(query.dimension, query.campaign_id, query.platform, query.category)
    return Demographics(
        dimension=query.dimension, campaign_id=query.campaign_id, influencers=influencers, buckets=buckets
    )


_CONTENT_CHANGE = ("posts", "avg_engagement_rate", "engagements")


@router.route(
    "/analytics/content-types",
    "GET",
    role="viewer",
    query=ContentTypesQuery,
    response=ContentTypes,
    errors=(404,),
    summary="Creative performance by content type (posts published in the period)",
)
def content_types(query: ContentTypesQuery) -> ContentTypes:
    campaign_queries.require(query.campaign_id)
    start, end = query.start_date, query.end_date
    if query.compare == "previous" or (start is None and end is not None):
        end = end or dt.datetime.now(dt.UTC).date()
        start = start or end - dt.timedelta(days=29)
    filters = (query.platform, query.campaign_id, query.category)
    result = ContentTypes(start_date=start, end_date=end, items=q.content_types(*filters, start, end))
    if query.compare == "previous" and start is not None and end is not None:
        result.previous_start_date, result.previous_end_date = _previous(start, end)
        previous = q.content_types(*filters, result.previous_start_date, result.previous_end_date)
        result.previous = [ContentTypePerformance.model_validate(row) for row in previous]
        before = {row["content_type"]: row for row in previous}
        result.change_pct = {
            item.content_type: {
                key: _change(getattr(item, key), before.get(item.content_type, {}).get(key))
                for key in _CONTENT_CHANGE
            }
            for item in result.items
        }
    return result
