"""Rows for CSV exports, read through a server-side cursor so that a 100,000-row export never holds its
rows in memory at once (see predictfluence.api.csv_export, which writes them chunk by chunk)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from predictfluence.db import get_engine
from predictfluence.queries import influencers as influencer_list
from predictfluence.queries import shortlists
from predictfluence.queries.campaigns import HIRE_FIGURES
from predictfluence.queries.common import one, order_clause
from predictfluence.queries.errors import NotFound

CHUNK_ROWS = 2_000  # rows fetched per FETCH FORWARD from the server-side cursor

HIRE_COLUMNS = (
    "influencer_id",
    "handle",
    "name",
    "platform",
    "followers",
    "hire_status",
    "agreed_cost",
    "currency",
    "posts",
    "engagements",
    "engagement_rate",
    "views",
    "impressions",
    "clicks",
    "orders",
    "revenue",
    "cpe",
    "roas",
    "cpa",
)

INFLUENCER_COLUMNS = ("id", "handle", "name", "platform", "category", "country", "language", "followers")

# the influencer list's columns (GET /influencers.csv): its figures and the follower growth it filters on
SEARCH_COLUMNS = (
    "id", "handle", "name", "platform", "category", "country", "language", "followers", "follower_tier",
    "posts", "avg_engagement_rate", "avg_likes", "avg_views", "avg_comments", "figures_source",
    "growth_30d", "growth_90d",
)
# a shortlist's creators (GET /shortlists/{id}/items.csv): the list's figures, flags, cost forecast, note
SHORTLIST_COLUMNS = (
    "id", "handle", "name", "platform", "category", "country", "language", "followers", "follower_tier",
    "posts", "avg_engagement_rate", "avg_likes", "avg_views", "avg_comments", "flags", "cost_content_type",
    "cost_per_post", "cost_low", "cost_high", "note", "added_at",
)


def stream(sql: str, params: dict[str, Any] | None = None, chunk: int = CHUNK_ROWS) -> Iterator[list[tuple]]:
    """The result of `sql` as lists of at most `chunk` row tuples, from a server-side cursor (DECLARE …
    CURSOR / FETCH FORWARD): only one chunk is in memory at a time."""
    with get_engine().connect() as conn:
        result = conn.execution_options(stream_results=True).execute(sa.text(sql), params or {})
        while True:
            batch = result.fetchmany(chunk)
            if not batch:
                return
            yield [tuple(r) for r in batch]


def campaign_hires(campaign_id: int) -> Iterator[list[tuple]]:
    """Per hire of the campaign (HIRE_COLUMNS): its posts, engagements, conversions and cost ratios."""
    return stream(
        """
        SELECT i.id, i.handle, i.name, i.platform, i.followers, h.status, h.agreed_cost, c.currency,
               coalesce(p.posts, 0), coalesce(p.engagements, 0), p.engagement_rate, coalesce(p.views, 0),
               coalesce(p.impressions, 0), coalesce(cv.clicks, 0), coalesce(cv.orders, 0),
               coalesce(cv.revenue, 0),
               round(h.agreed_cost / NULLIF(p.engagements, 0), 4),
               round(cv.revenue / NULLIF(h.agreed_cost, 0), 4),
               round(h.agreed_cost / NULLIF(cv.orders, 0), 2)
        """ + HIRE_FIGURES,
        {"id": campaign_id},
    )


def influencers() -> Iterator[list[tuple]]:
    """Every influencer (INFLUENCER_COLUMNS), by id."""
    return stream(
        "SELECT id, handle, name, platform, category, country, language, followers "
        "FROM influencer ORDER BY id"
    )


def influencers_in_memory() -> list[dict[str, Any]]:
    """The baseline the export bench compares with: the same rows, all read into dicts at once."""
    with get_engine().connect() as conn:
        return [
            dict(r)
            for r in conn.execute(
                sa.text(
                    "SELECT id, handle, name, platform, category, country, language, followers "
                    "FROM influencer ORDER BY id"
                )
            ).mappings()
        ]


def influencer_search(filters: influencer_list.InfluencerFilter) -> tuple[int, Iterator[list[tuple]]]:
    """Every influencer the list's filters match (SEARCH_COLUMNS) in the list's order, all pages: how many
    (the list's cached total) and the rows in chunks."""
    where_sql, params = influencer_list._where(filters)
    with get_engine().connect() as conn:
        total = influencer_list._total(conn, where_sql, params)
    columns = ", ".join("influencer_id" if c == "id" else c for c in SEARCH_COLUMNS)
    order_sql = order_clause(influencer_list.SORTS[filters.sort], filters.order, "influencer_id")
    return total, stream(f"SELECT {columns} FROM influencer_stats {where_sql} {order_sql}", params)  # noqa: S608


def shortlist_items(shortlist_id: int) -> tuple[int, Iterator[list[tuple]]]:
    """A shortlist's creators (SHORTLIST_COLUMNS; flags joined by "; ") in the list's order; NotFound when
    the shortlist does not exist."""
    found = one(f"{shortlists._SHORTLIST} WHERE l.id = :id", {"id": shortlist_id})  # noqa: S608 - fixed SQL
    if found is None:
        raise NotFound("shortlist", shortlist_id)
    columns = ", ".join(SHORTLIST_COLUMNS)
    # the rows GET /shortlists/{id} shows (its _ITEMS query), in its order
    chunks = stream(f"SELECT {columns} FROM ({shortlists._ITEMS}) x ORDER BY added_at, id", {"id": shortlist_id})  # noqa: S608
    flags = SHORTLIST_COLUMNS.index("flags")
    return int(found["size"]), (
        [(*row[:flags], "; ".join(row[flags] or ()), *row[flags + 1:]) for row in chunk] for chunk in chunks
    )


def influencer_search_in_memory() -> list[dict[str, Any]]:
    """The export bench's baseline: every influencer_stats row (SEARCH_COLUMNS, followers first), all read
    into dicts at once."""
    columns = ", ".join("influencer_id AS id" if c == "id" else c for c in SEARCH_COLUMNS)
    with get_engine().connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(
            f"SELECT {columns} FROM influencer_stats ORDER BY followers DESC NULLS LAST, influencer_id"  # noqa: S608
        )).mappings()]
