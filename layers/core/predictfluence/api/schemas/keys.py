"""API key administration."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from predictfluence.api.schemas.common import BodyModel, Title
from predictfluence.vocab import ApiRole

Role = ApiRole


class ApiKeyCreate(BodyModel):
    role: Role
    name: Title | None = None


class ApiKey(BaseModel):
    id: int
    prefix: str
    role: str
    name: str | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    created_by: str | None = Field(None, description='the admin who created it: "key:<id>" or "user:<email>" '
                                   "(null when made with the CLI)")
    created_by_label: str | None = Field(None, description="that key's name or that user's e-mail")


class ApiKeyCreated(ApiKey):
    key: str = Field(description="the bearer key; shown only here, store it now")


class ApiKeyList(BaseModel):
    items: list[ApiKey]
