"""What a CSV export answers when the file is too large for a response body: a link to it in S3."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ExportLink(BaseModel):
    delivery: Literal["link"] = Field("link", description="the CSV was written to S3: GET `url` to download it")
    url: str = Field(description="a presigned S3 GET of the CSV (downloads as `filename`)")
    expires_in: int = Field(description="seconds the link stays valid")
    filename: str
    rows: int = Field(description="data rows in the file (the header not counted)")
    bytes: int = Field(description="size of the file")
    bucket: str
    key: str
