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
    rows_in: int
    rows_loaded: int
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SourceFile:
    """A CSV file on local disk (S3 objects are streamed to a temporary file first).

    `key` is the original S3 key or local path, `mapping` an optional explicit header mapping
    ({"their header": "our column"}) from `--map` or a `<file>.mapping.json` beside the upload.
    """

    path: Path
    key: str
    mapping: dict[str, str] | None = None


class KindLoader(Protocol):
    kind: str

    def matches_header(self, header: list[str]) -> bool:
        """True when a file with this header row is of this kind (used when the key has no prefix)."""
        ...

    def load(self, conn: Connection, source: SourceFile) -> KindResult:
        """Validate and upsert the file's good rows inside the caller's transaction."""
        ...
