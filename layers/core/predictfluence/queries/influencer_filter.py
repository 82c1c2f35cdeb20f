"""What the influencer list filters on (`predictfluence.queries.influencers.list_page`), and the list without
a filter."""

from __future__ import annotations

from typing import Protocol

from predictfluence.queries.filters import Page


class InfluencerFilter(Page, Protocol):
    """What `list_influencers` reads (the API passes its validated InfluencerListQuery)."""

    platform: str | None
    category: str | None
    country: str | None
    tier: str | None
    min_followers: int | None
    max_followers: int | None
    q: str | None
    min_er: float | None
    max_er: float | None
    min_avg_likes: float | None
    max_avg_likes: float | None
    min_avg_views: float | None
    max_avg_views: float | None
    min_avg_comments: float | None
    max_avg_comments: float | None
    figures_source: str | None
    language: str | None
    audience_country: str | None
    min_audience_country_share: float | None
    audience_age_group: str | None
    min_audience_age_group_share: float | None
    audience_gender: str | None
    min_audience_gender_share: float | None
    min_growth_30d: float | None
    max_growth_30d: float | None
    min_growth_90d: float | None
    max_growth_90d: float | None
    hide_flagged: bool
    sort: str
    order: str


class AllInfluencers:
    """Every influencer by followers, the first page: the list without a filter."""

    platform = category = country = tier = min_followers = max_followers = q = figures_source = None
    min_er = max_er = min_avg_likes = max_avg_likes = min_avg_views = max_avg_views = None
    min_avg_comments = max_avg_comments = language = None
    audience_country = audience_age_group = audience_gender = None
    min_audience_country_share = min_audience_age_group_share = min_audience_gender_share = None
    min_growth_30d = max_growth_30d = min_growth_90d = max_growth_90d = None
    hide_flagged = False
    sort, order, page, page_size = "followers", "desc", 1, 50
