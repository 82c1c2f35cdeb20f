"""Pre-signed CSV uploads and ETL load records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from predictfluence.api.schemas.common import BodyModel, PageInfo, PageQuery

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
UploadKind = Literal["influencers", "campaigns", "posts", "post_metrics", "audience", "hires", "conversions",
                     "profiles"]
Filename = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._ -]{0,150}\.csv$")]


class UploadRequest(BodyModel):
    kind: UploadKind
    filename: Filename
    content_length: Annotated[int, Field(ge=1, le=MAX_UPLOAD_BYTES, description="file size in bytes")]


class UploadTicket(BaseModel):
    method: Literal["POST"] = "POST"
    url: str
    fields: dict[str, str] = Field(description="form fields to send before the file field `file`")
    key: str
    bucket: str
    content_type: str
    max_bytes: int
    expires_in: int = Field(description="seconds the ticket stays valid")


LoadStatus = Literal["processing", "loaded", "rejected", "failed"]


class LoadListQuery(PageQuery):
    status: LoadStatus | None = None
    kind: UploadKind | None = None


class EtlLoad(BaseModel):
    id: int
    file_key: str
    kind: str
    status: str
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    error: str | None
    report_key: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None


class EtlLoadPage(BaseModel):
    items: list[EtlLoad]
    page_info: PageInfo


class EtlLoadDetail(EtlLoad):
    report: Any = Field(None, description="the load report (JSON) when report_key points at one")
    report_error: str | None = None
