"""Shortlists (named lists of influencers shared by the workspace, with a note per creator) and the
compare view (GET /influencers/compare: 2–5 influencers side by side)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from predictfluence.api.schemas.common import BodyModel, Id, PageInfo, PageQuery, QueryModel, text
from predictfluence.api.schemas.influencers import AudienceBucket, InfluencerItem, TrendPoint

MAX_SHORTLIST_ITEMS = 500
MIN_COMPARED, MAX_COMPARED = 2, 5
Name = text(200)
Note = text(2000, min_length=0)
Ids = Annotated[list[Id], Field(min_length=1, max_length=MAX_SHORTLIST_ITEMS)]


class ShortlistCreate(BodyModel):
    name: Name  # type: ignore[valid-type]
    influencer_ids: Annotated[list[Id], Field(max_length=MAX_SHORTLIST_ITEMS)] = Field(
        default_factory=list, description="Influencers to put on the new list at once"
    )


class ShortlistRename(BodyModel):
    name: Name  # type: ignore[valid-type]


class ItemsAdd(BodyModel):
    influencer_ids: Ids = Field(
        description="Influencers to add (those already on the list are kept as they are)"
    )
    note: Note | None = Field(None, description="A note for the added creators")  # type: ignore[valid-type]


class ItemNote(BodyModel):
    note: Note | None = Field(description="The note (null or empty clears it)")  # type: ignore[valid-type]


class Shortlist(BaseModel):
    id: int
    name: str
    created_at: dt.datetime
    created_by: str | None = Field(description="the API key (its name and id) that created the list")
    size: int = Field(description="creators on the list")


class ShortlistPage(BaseModel):
    items: list[Shortlist]
    page_info: PageInfo


class Figures(InfluencerItem):
    """An influencer list row plus audience-quality flags and the cheapest cost forecast."""

    flags: list[str] = Field(
        description="audience-quality flags (anomaly_reasons of any content type's score)"
    )
    cost_content_type: str | None = Field(description="the content type of the cost forecast below")
    cost_per_post: float | None = Field(description="forecast cost of one post (the cheapest content type)")
    cost_low: float | None = Field(description="forecast cost, 80 % interval low")
    cost_high: float | None = Field(description="forecast cost, 80 % interval high")


class ShortlistItem(Figures):
    note: str | None
    added_at: dt.datetime
    added_by: str | None


class ShortlistDetail(Shortlist):
    items: list[ShortlistItem] = Field(description="the creators, in the order they were added")


class ItemRef(BaseModel):
    shortlist_id: int
    influencer_id: int
    note: str | None
    added_at: dt.datetime
    added_by: str | None


class CompareQuery(QueryModel):
    ids: Annotated[str, Field(max_length=200, description="2–5 influencer ids, comma-separated: ids=1,2,3")]

    @field_validator("ids")
    @classmethod
    def _ids(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() and 1 <= int(p) < 2**63 for p in parts):
            raise ValueError("must be positive integer ids separated by commas")
        if len(set(parts)) != len(parts):
            raise ValueError("must not repeat an id")
        if not MIN_COMPARED <= len(parts) <= MAX_COMPARED:
            raise ValueError(f"must list {MIN_COMPARED} to {MAX_COMPARED} ids")
        return ",".join(str(int(p)) for p in parts)

    def id_list(self) -> list[int]:
        return [int(p) for p in self.ids.split(",")]


class ScoreRange(BaseModel):
    content_type: str
    predicted_engagement_rate: float
    interval_low: float | None = Field(description="predicted ER, 80 % interval low")
    interval_high: float | None = Field(description="predicted ER, 80 % interval high")
    cost_per_post: float | None
    cost_low: float | None
    cost_high: float | None


class Compared(Figures):
    scores: list[ScoreRange] = Field(description="per content type: predicted ER and cost with intervals")
    audience: dict[str, list[AudienceBucket]] = Field(description="audience mix per dimension")
    trend: list[TrendPoint] = Field(description="the last 30 days, zero-filled")


class Comparison(BaseModel):
    items: list[Compared] = Field(description="in the order of `ids`")


class ShortlistQuery(PageQuery):
    pass
