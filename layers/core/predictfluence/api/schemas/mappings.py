"""The import preview (POST /imports/preview) and saved header mappings (/imports/mappings).

The preview's shape is etl_jobs.infer.preview's (docs/etl-profiles.md, "Preview and saved mappings"),
plus whether a saved mapping was applied, by whom and when.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from predictfluence.api.schemas.common import BodyModel, PageInfo, PageQuery, QueryModel, text
from predictfluence.vocab import CsvKind

# The router caps every JSON body (predictfluence.api.limits.MAX_BODY_BYTES, 64 KiB): the page sends the
# whole lines of the file's first bytes that fit (hundreds of rows of a typical export).
MAX_HEAD_CHARS = 60_000
MAX_MAPPING_KEYS = 200
Signature = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
MappingKind = Literal["profiles"]
HeaderCell = Annotated[str, StringConstraints(max_length=300)]
Mapping = Annotated[
    dict[HeaderCell, Any],
    Field(
        max_length=MAX_MAPPING_KEYS,
        description='{"<their header>": "<column>|extra.<key>|ignore", '
        '"@platform": …, "@as_of": …, "@source": …}',
    ),
]


class PreviewRequest(BodyModel):
    file_name: text(200)  # type: ignore[valid-type]
    head: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MAX_HEAD_CHARS,
            description="the file's first bytes as text (whole lines; a last partial line is ignored)",
        ),
    ]
    kind: CsvKind | None = None
    mapping: Mapping | None = None


class PreviewColumn(BaseModel):
    index: int
    header: str
    target: str | None
    confidence: float
    samples: list[str]
    why: str
    alternatives: list[dict[str, Any]]
    dropped: bool = False
    note: str | None = None
    type: str | None = None


class Preview(BaseModel):
    kind: str | None
    kind_confidence: float
    kind_candidates: list[dict[str, Any]]
    platform: str | None
    platform_source: str
    header_signature: str
    header: list[str] = Field(description="the file's header cells, in order (send them back to save)")
    rows_sampled: int
    columns: list[PreviewColumn]
    ambiguous: list[dict[str, Any]]
    mapping: dict[str, Any]
    ready: bool
    targets: list[str] = Field(description="every target a column may map to (plus extra.<key>)")
    saved: bool = Field(description="a saved mapping of this header signature was applied")
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    source_name: str | None = None


class MappingSave(BodyModel):
    kind: MappingKind = "profiles"
    header: Annotated[
        list[HeaderCell],
        Field(
            min_length=1,
            max_length=MAX_MAPPING_KEYS,
            description="the file's header row (checked against the signature)",
        ),
    ]
    mapping: Mapping
    source_name: text(200) | None = None  # type: ignore[valid-type]


class SavedMapping(BaseModel):
    signature: str
    kind: str
    mapping: dict[str, Any]
    source_name: str | None
    saved_by: str | None
    saved_at: dt.datetime


class SavedMappingPage(BaseModel):
    items: list[SavedMapping]
    page_info: PageInfo


class MappingQuery(PageQuery):
    pass


class SignatureQuery(QueryModel):
    signature: Signature
