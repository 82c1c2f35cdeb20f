"""The audit log: GET /audit (admin)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from predictfluence.api.schemas.common import PageInfo, PageQuery, text


class AuditQuery(PageQuery):
    actor: Annotated[text(320) | None, Field(description='exact actor: "key:<id>" or "user:<email>"')] = None  # type: ignore[valid-type]
    action: Annotated[text(64) | None, Field(  # type: ignore[valid-type]
        description='an action ("hire.create") or its prefix ("hire", "shortlist.")')] = None
    target_type: Annotated[text(32) | None, Field(description='"campaign", "key", "upload" …')] = None  # type: ignore[valid-type]
    target_id: Annotated[text(500) | None, Field(description="exact target id (with target_type)")] = None  # type: ignore[valid-type]
    start_date: Annotated[dt.date | None, Field(description="first day (UTC), inclusive")] = None
    end_date: Annotated[dt.date | None, Field(description="last day (UTC), inclusive")] = None

    @field_validator("end_date")
    @classmethod
    def _ordered(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start_date")
        if end is not None and start is not None and end < start:
            raise ValueError("end_date must not be before start_date")
        return end

    # queries.audit.AuditFilter reads `start` / `end`
    @property
    def start(self) -> dt.date | None:
        return self.start_date

    @property
    def end(self) -> dt.date | None:
        return self.end_date


class AuditEvent(BaseModel):
    id: int
    at: dt.datetime
    actor: str = Field(description='who: "key:<id>" (an API key) or "user:<email>" (a signed-in user)')
    actor_label: str = Field(description="the key's name (else \"key <id>\") or the user's e-mail")
    role: str | None = Field(description="the role the actor had for this request")
    action: str = Field(description='"campaign.create", "hire.delete", "key.revoke", "user.invite" …')
    target_type: str | None
    target_id: str | None
    details: dict[str, Any] | None = Field(
        description="the request's fields in short (long text cut, lists and objects by their size)")
    source_ip: str | None
    request_id: str | None


class AuditPage(BaseModel):
    items: list[AuditEvent]
    page_info: PageInfo
