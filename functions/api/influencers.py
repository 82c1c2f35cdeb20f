"""/influencers: list with filters and sort, profile, lookalikes; /influencers.csv: the list exported."""

from __future__ import annotations

from chalice import Response

from predictfluence.api.csv_export import csv_export
from predictfluence.api.routing import Router
from predictfluence.api.schemas.exports import ExportLink
from predictfluence.api.schemas.influencers import (
    InfluencerListQuery,
    InfluencerPage,
    InfluencerProfile,
    SimilarInfluencers,
    SimilarQuery,
    influencer_page_info,
)
from predictfluence.queries import exports, lookalikes
from predictfluence.queries import influencers as q

router = Router(__name__, tag="influencers")
influencer_routes = router.blueprint


@router.route(
    "/influencers",
    "GET",
    role="viewer",
    query=InfluencerListQuery,
    response=InfluencerPage,
    summary="List influencers with filters, sort and paging",
)
def list_influencers(query: InfluencerListQuery) -> InfluencerPage:
    """Averages are over each influencer's posts, else from its latest imported snapshot (figures_source says
    which; the influencer_stats rollup, refreshed after each load). Discovery filters: audience share per
    country / age group / gender, follower growth over 30 / 90 days (from snapshots), language, comma-list
    platform / category / country, hide_flagged, and q over handle, name and category. A filtered list counts
    up to 5,000 matches: past that `page_info.total_exact` is false and total / pages are lower bounds."""
    items, total, exact = q.list_page(query)
    return InfluencerPage(items=items, page_info=influencer_page_info(total, query.page, query.page_size, exact))


@router.route(
    "/influencers.csv",
    "GET",
    role="viewer",
    query=InfluencerListQuery,
    response=ExportLink,
    content_type="text/csv",
    summary="Every influencer the list's filters match, as CSV (a download, or a link to it in S3)",
)
def export_influencers(query: InfluencerListQuery) -> Response | ExportLink:
    """The same filters and sort as `GET /influencers`, every page (page and page_size are accepted, so a
    list URL's query string works as is, and ignored). Up to 10,000 rows whose CSV stays under 5 MB come
    as the `text/csv` body; a larger export (up to all 100,000+ influencers) is written to S3 and the
    answer is JSON with a presigned `url` (valid `expires_in` seconds) that downloads the file. Text
    cells a spreadsheet would run as a formula start with `'`."""
    total, chunks = exports.influencer_search(query)
    return csv_export("influencers.csv", exports.SEARCH_COLUMNS, total, chunks)


@router.route(
    "/influencers/{influencer_id}",
    "GET",
    role="viewer",
    response=InfluencerProfile,
    summary="An influencer's profile: averages, 30-day trend, audience, scores, campaigns",
)
def get_influencer(influencer_id: int) -> InfluencerProfile:
    return InfluencerProfile.model_validate(q.profile(influencer_id))


@router.route(
    "/influencers/{influencer_id}/similar",
    "GET",
    role="viewer",
    query=SimilarQuery,
    response=SimilarInfluencers,
    summary="Lookalike influencers",
)
def similar_influencers(influencer_id: int, query: SimilarQuery) -> SimilarInfluencers:
    """The same ML lookalike cluster when the influencer is scored; otherwise the same platform, category
    and follower tier, nearest in followers."""
    method, items = lookalikes.similar(influencer_id, query.limit)
    return SimilarInfluencers(method=method, items=items)  # type: ignore[arg-type]
