"""Pre-signed CSV uploads and ETL load records."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator

from predictfluence.api.limits import MAX_LOAD_ERROR_CHARS
from predictfluence.api.schemas.common import BodyModel, PageInfo, PageQuery
from predictfluence.vocab import CsvKind, LoadStatus

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
UploadKind = CsvKind
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


class LoadListQuery(PageQuery):
    status: LoadStatus | None = None
    kind: UploadKind | None = None


# A pg8000 server error as SQLAlchemy renders it: "(pg8000.exceptions.DatabaseError) {'S': 'ERROR', …,
# 'C': '22003', 'M': 'value out of range', 'F': 'numeric.c', …}" (rows stored before the ETL kept
# only a short message and the SQLSTATE).
_PG_CODE = re.compile(r"'C': '([0-9A-Z]{5})'")
_PG_MESSAGE = re.compile(r"'M': (?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")")
_EXC_PREFIX = re.compile(r"^\([\w.]+\)\s*")


def public_error(error: str | None) -> str | None:
    """What the API shows of `etl_load.error`: its first line without SQL, bound parameters or server
    source locations, at most MAX_LOAD_ERROR_CHARS characters. The full error is in the ETL's logs."""
    if error is None:
        return None
    line = error.split("\n", 1)[0].split("[SQL:", 1)[0].strip()
    code, message = _PG_CODE.search(line), _PG_MESSAGE.search(line)
    if code and message:
        line = f"{message.group(1) or message.group(2)} (SQLSTATE {code.group(1)})"
    line = _EXC_PREFIX.sub("", line)
    if len(line) > MAX_LOAD_ERROR_CHARS:
        line = line[: MAX_LOAD_ERROR_CHARS - 1] + "…"
    return line


class EtlLoad(BaseModel):
    id: int
    file_key: str
    kind: str
    status: str
    rows_in: int
    rows_loaded: int
    rows_rejected: int
    rows_processed: int = Field(description="data rows the ETL has processed so far while `status` is "
                                "`processing` (updated once per chunk or batch); `rows_in` once the load has ended")
    error: str | None
    report_key: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    uploaded_by: str | None = Field(None, description='who uploaded the file through POST /uploads: "key:<id>" or '
                                    '"user:<email>" (null for files loaded with the CLI or dropped in S3)')
    uploaded_by_label: str | None = Field(None, description="that key's name or that user's e-mail")

    @field_validator("error")
    @classmethod
    def _short_error(cls, value: str | None) -> str | None:
        return public_error(value)


class EtlLoadPage(BaseModel):
    items: list[EtlLoad]
    page_info: PageInfo


class EtlLoadDetail(EtlLoad):
    report: Any = Field(None, description="the load report (JSON) when report_key points at one, bounded: "
                        "lists keep their first 100 entries (the first rejections), strings 200 characters")
    report_error: str | None = None
    report_truncated: bool = Field(False, description="true when `report` leaves something out: the whole "
                                   "report is at `report_url`")
    report_url: str | None = Field(None, description="a presigned GET for the full report (S3 reports only)")
    report_url_expires_in: int | None = Field(None, description="seconds `report_url` stays valid")
    rejections_total: int | None = Field(None, description="entries in the full report's `rejections` list")


class RerunQueued(BaseModel):
    load_id: int = Field(description="the load being re-run; the re-run updates this load's row when done")
    bucket: str
    file_key: str
    message_id: str = Field(description="the ETL queue's id for the re-run message")
    force: bool = Field(True, description="the file is reloaded even though its checksum was loaded before")
