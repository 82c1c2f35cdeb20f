"""Campaigns, hires (campaign_influencer), linked influencer performance and the campaign summary."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from predictfluence.api.schemas.common import (
    BodyModel,
    Id,
    Label,
    Money,
    Order,
    PageInfo,
    PageQuery,
    Search,
    Title,
)
from predictfluence.vocab import CampaignStatus, HireStatus

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
CampaignSort = Literal["name", "created_at", "start_date", "budget"]


class CampaignListQuery(PageQuery):
    status: CampaignStatus | None = None
    brand: Title | None = None
    q: Annotated[Search | None, Field(description="search in name and brand")] = None
    sort: CampaignSort = "created_at"
    order: Order = "desc"


class _Dates(BodyModel):
    @model_validator(mode="after")
    def _ordered(self):  # type: ignore[no-untyped-def]
        start, end = getattr(self, "start_date", None), getattr(self, "end_date", None)
        if start is not None and end is not None and end < start:
            raise ValueError("end_date must not be before start_date")
        return self


class CampaignCreate(_Dates):
    name: Title
    brand: Title | None = None
    objective: Label | None = None
    status: CampaignStatus = "draft"
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Money = 0
    currency: Currency = "USD"


class CampaignUpdate(_Dates):
    """Fields to change; absent fields stay as they are (null clears brand, objective and dates)."""

    name: Title | None = None
    brand: Title | None = None
    objective: Label | None = None
    status: CampaignStatus | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Money | None = None
    currency: Currency | None = None


class Campaign(BaseModel):
    id: int
    name: str
    brand: str | None
    objective: str | None
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    budget: float
    currency: str
    spent: float = Field(description="agreed cost of the hires that are not cancelled")
    influencer_count: int = Field(description="hires that are not cancelled")
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str | None = Field(None, description='who created it: "key:<id>" or "user:<email>" (null before 2026-11-30)')
    created_by_label: str | None = Field(None, description="the creator's key name or e-mail")
    updated_by: str | None = Field(None, description="who changed it last (as created_by)")
    updated_by_label: str | None = Field(None, description="the last editor's key name or e-mail")


class CampaignPage(BaseModel):
    items: list[Campaign]
    page_info: PageInfo


class CampaignDeleted(BaseModel):
    id: int
    outcome: Literal["deleted", "archived"] = Field(
        description="archived when the campaign has hires (kept, status archived), deleted otherwise")


class HireCreate(BodyModel):
    influencer_id: Id
    agreed_cost: Money
    status: HireStatus = "contracted"
    allow_overspend: bool = Field(False, description="hire even when the campaign budget would be exceeded")


class HireUpdate(BodyModel):
    status: HireStatus | None = None
    agreed_cost: Money | None = None
    allow_overspend: bool = False


MAX_BULK_HIRES = 200


class BulkHireItem(BodyModel):
    influencer_id: Id
    agreed_cost: Money


class BulkHireCreate(BodyModel):
    """Hire all: every hire or none, in one transaction, under the campaign's budget rule."""

    hires: Annotated[list[BulkHireItem], Field(
        min_length=1, description=f"the influencers to hire (at most {MAX_BULK_HIRES}; more is a 400), each once")]
    overspend: bool = Field(False, description="hire even when the total would exceed the campaign's remaining budget")

    @field_validator("hires")
    @classmethod
    def _each_once(cls, hires: list[BulkHireItem]) -> list[BulkHireItem]:
        seen: set[int] = set()
        for item in hires:
            if item.influencer_id in seen:
                raise ValueError(f"influencer {item.influencer_id} appears more than once")
            seen.add(item.influencer_id)
        return hires


class Hire(BaseModel):
    id: int
    campaign_id: int
    influencer_id: int
    status: str
    agreed_cost: float
    hired_at: dt.datetime
    hired_by: str | None = Field(None, description='who made the hire: "key:<id>" or "user:<email>"')


class BulkHireResult(BaseModel):
    hired: list[Hire]
    remaining_budget: float = Field(description="budget - agreed cost of the hires that are not cancelled, after these")


class HirePerformance(BaseModel):
    influencer_id: int
    handle: str
    name: str | None
    platform: str
    followers: int | None
    hire_status: str
    agreed_cost: float = Field(description="cost of this hire")
    hired_at: dt.datetime
    hired_by: str | None = Field(None, description='who made the hire: "key:<id>" or "user:<email>"')
    hired_by_label: str | None = Field(None, description="the key's name or the user's e-mail")
    posts: int = Field(description="the influencer's posts in this campaign")
    engagements: int
    engagement_rate: float | None = Field(description="mean post engagement rate over those posts")
    views: int
    impressions: int
    cpe: float | None = Field(description="cost / engagements")
    clicks: int
    orders: int
    revenue: float
    roas: float | None = Field(description="revenue / cost")
    cpa: float | None = Field(None, description="cost / orders (cost per acquisition)")


class HirePerformanceList(BaseModel):
    items: list[HirePerformance]
    total: int


class CampaignSummary(BaseModel):
    campaign_id: int
    name: str
    status: str
    currency: str
    budget: float
    spent: float
    remaining: float = Field(description="budget - spent")
    influencer_count: int
    avg_cost_per_influencer: float | None
    posts: int
    avg_engagement_rate: float | None = Field(description="mean post engagement rate over the campaign's posts")
    avg_views: float | None = Field(description="mean views per campaign post, over posts that report views")
    engagements: int
    views: int
    impressions: int
    cpe: float | None = Field(description="spent / engagements")
    cpm: float | None = Field(description="spent / impressions × 1000")
    cpv: float | None = Field(description="spent / views")
    clicks: int
    orders: int
    revenue: float
    roas: float | None = Field(description="revenue / spent")
    cpa: float | None = Field(description="spent / orders")
