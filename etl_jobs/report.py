"""The JSON report of a load: its body, where it goes, writing it, and the bounds that keep it small.

A report lies next to the file (`raw/<kind>/x.csv` → `reports/<kind>/x.csv.json` in the same bucket;
local files under `<PF_DATA_DIR>/reports/<kind>/`). It lists the first MAX_REPORTED_REJECTIONS rejected
rows (line, reason, column, value), every value and reason clipped (`clip`) and every value neutralised
for spreadsheets (`neutralise`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from predictfluence.spreadsheet import neutralise

if TYPE_CHECKING:
    from etl_jobs.base import KindResult, SourceFile
    from etl_jobs.pipeline import LoadOutcome

MAX_REPORTED_REJECTIONS = 10_000  # rejections kept for the report; beyond, they are only counted
MAX_REPORT_VALUE = 1_000  # characters of a rejected cell kept (a 1 MiB cell is not copied)
MAX_REPORT_REASON = 500  # characters of a reason kept (reasons may quote the cell)


def clip(text: str | None, limit: int, length: int | None = None) -> str | None:
    """`text` cut to `limit` characters, saying how long it was; `length` is the full length when `text`
    is already a prefix (cut by the database)."""
    if text is None:
        return None
    full = len(text) if length is None else length
    if full <= limit:
        return text
    return f"{text[:limit]}… ({full:,} characters)"


def report_location(source: SourceFile, kind: str, bucket: str | None) -> str:
    from predictfluence.config import get_settings

    settings = get_settings()
    if bucket:
        key = source.key
        if key.startswith(settings.raw_prefix):
            key = key[len(settings.raw_prefix):]
        return f"{settings.reports_prefix}{key}.json"
    return str(settings.data_dir / "reports" / kind / f"{PurePosixPath(source.key.replace(os.sep, '/')).name}.json")


def write_report(location: str, bucket: str | None, body: dict[str, Any]) -> None:
    data = json.dumps(body, indent=1, ensure_ascii=False, default=str).encode()
    if bucket:
        from predictfluence.storage import client

        client("s3").put_object(Bucket=bucket, Key=location, Body=data, ContentType="application/json")
        return
    path = Path(location)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def report_body(source: SourceFile, outcome: LoadOutcome, result: KindResult | None, reason: str | None) -> dict:
    rejections = result.rejections if result else []
    return {
        "file": source.key,
        "kind": outcome.kind,
        "load_id": outcome.load_id,
        "checksum": outcome.checksum,
        "status": outcome.status,
        "error": clip(reason, MAX_REPORT_REASON),
        "rows_in": outcome.rows_in,
        "rows_loaded": outcome.rows_loaded,
        "rows_rejected": outcome.rows_rejected,
        "reasons": dict(Counter(r.reason for r in rejections).most_common()),
        "rejections_listed": len(rejections),
        "notes": [clip(note, MAX_REPORT_REASON) for note in result.notes] if result else [],
        "rejections": [
            {"line": r.line, "reason": r.reason, "column": r.column, "value": neutralise(r.value)}
            for r in rejections
        ],
    }
