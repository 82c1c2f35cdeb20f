"""Building blocks shared by the resource models: bounded strings, ids, paging, sort order."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_ID = 2**63 - 1
MAX_PAGE_SIZE = 200

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]
# No NUL (PostgreSQL text cannot hold it) and no other control characters.
_TEXT = r"^[^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 1) -> object:
    """A bounded, control-character-free string type."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length, pattern=_TEXT)]


Order = Literal["asc", "desc"]
Money = Annotated[float, Field(ge=0, le=999_999_999_999.99, allow_inf_nan=False)]


class QueryModel(BaseModel):
    """Query-string parameters: unknown names are rejected (400)."""

    model_config = ConfigDict(extra="forbid")


class BodyModel(BaseModel):
    """JSON request bodies: unknown fields are rejected (422)."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(QueryModel):
    page: Annotated[int, Field(ge=1, le=100_000, description="1-based page number")] = 1
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description="items per page (≤ 200)")] = 50


class PageInfo(BaseModel):
    total: int = Field(description="items matching the filters, over all pages")
    page: int
    page_size: int
    pages: int


def page_info(total: int, page: int, page_size: int) -> PageInfo:
    return PageInfo(total=total, page=page, page_size=page_size, pages=(total + page_size - 1) // page_size)


Short = text(32)  # platform, content type
Label = text(64)  # category, country, objective
Search = text(100)
SearchTerm = text(100, min_length=3)  # influencer search: trigram-indexable (3+ characters)
Title = text(200)  # campaign name, brand
