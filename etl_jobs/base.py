"""The contract between the ETL pipeline and the per-kind loaders.

The pipeline (etl_jobs.pipeline) owns everything around one file: checksum, idempotency, the
transaction, kind detection, the `etl_load` row and the rejection report. A kind loader owns its
columns: parsing, validation (each bad row rejected with its line and reason), transform and the
upsert, all inside the transaction it is given. Loaders never commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.engine import Connection

from etl_jobs.report import MAX_REPORT_REASON, MAX_REPORT_VALUE, MAX_REPORTED_REJECTIONS, clip


class FileRejected(Exception):
    """The file is structurally unusable (no header, wrong encoding, truncated, empty, missing required
    columns): it is rejected whole with `reason`, and nothing of it is loaded."""

    def __init__(self, reason: str, details: dict[str, Any] | None = None):
        super().__init__(reason)
        self.reason = reason
        self.details = details or {}


@dataclass(frozen=True)
class Rejection:
    """One rejected row. `line` is the 1-based line number in the file (the header is line 1)."""

    line: int
    reason: str
    column: str | None = None
    value: str | None = None


@dataclass
class KindResult:
    """A loader's outcome. `rejections` keeps at most MAX_REPORTED_REJECTIONS, clipped; the counts
    (`rows_in - rows_loaded`) are always exact."""

    rows_in: int
    rows_loaded: int
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unlisted: int = 0  # rejections counted but not kept

    def reject(self, rejection: Rejection) -> None:
        if len(self.rejections) >= MAX_REPORTED_REJECTIONS:
            self.unlisted += 1
            return
        self.rejections.append(Rejection(rejection.line, clip(rejection.reason, MAX_REPORT_REASON) or "",
                                         rejection.column, clip(rejection.value, MAX_REPORT_VALUE)))

    def note_unlisted(self) -> None:
        if self.unlisted:
            self.notes.append(f"the report lists the first {len(self.rejections):,} rejections only "
                              f"({self.unlisted:,} more not listed)")


@dataclass(frozen=True)
class SourceFile:
    """A CSV file on local disk (S3 objects are streamed to a temporary file first).

    `key` is the original S3 key or local path, `mapping` an optional explicit header mapping
    ({"their header": "our column"}) from `--map` or a `<file>.mapping.json` beside the upload, and
    `mapping_error` why that mapping could not be used (the load then records a rejection), `header` the
    header row as the pipeline read it (etl_jobs.reading), so that a loader does not read it again.
    """

    path: Path
    key: str
    mapping: dict[str, str] | None = None
    mapping_error: str | None = None  # the mapping beside the upload could not be read: the file is rejected
    header: tuple[str, ...] | None = None


class KindLoader(Protocol):
    kind: str

    def matches_header(self, header: list[str]) -> bool:
        """True when a file with this header row is of this kind (used when the key has no prefix)."""
        ...

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        """Validate and upsert the file's good rows inside the caller's transaction."""
        ...
