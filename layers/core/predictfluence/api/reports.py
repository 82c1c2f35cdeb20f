"""What `GET /etl/loads/{id}` shows of a load report: a bounded excerpt plus a link to the whole report.

A report can be as large as its file (one entry per rejected row), past Lambda's 6 MB response limit, so
the response inlines at most `limits.REPORT_MAX_ITEMS` entries of any list (the first rejections), strings
clipped to `limits.REPORT_MAX_STRING` characters and `limits.REPORT_MAX_NODES` values in all; a report
object over `limits.REPORT_MAX_READ_BYTES` is not read at all. The full report is one short-lived
presigned GET away (`limits.REPORT_URL_SECONDS`). Local reports (the dev stack writes files) have no URL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from predictfluence.api import limits

_ELLIPSIS = "…"


@dataclass
class ReportView:
    report: Any = None
    report_error: str | None = None
    report_url: str | None = None
    report_url_expires_in: int | None = None
    report_truncated: bool = False
    rejections_total: int | None = None


class _Clipper:
    """Copies a decoded JSON value within the limits, noting whether anything was left out."""

    def __init__(self) -> None:
        self.nodes = limits.REPORT_MAX_NODES
        self.truncated = False

    def text(self, value: str) -> str:
        if len(value) <= limits.REPORT_MAX_STRING:
            return value
        self.truncated = True
        return value[: limits.REPORT_MAX_STRING - 1] + _ELLIPSIS

    def value(self, value: Any, depth: int = 0) -> Any:
        self.nodes -= 1
        if isinstance(value, str):
            return self.text(value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if depth >= 4:  # a report is shallow; anything deeper is shown as clipped text
            return self.text(json.dumps(value, default=str)[: limits.REPORT_MAX_STRING + 1])
        items = list(value.items()) if isinstance(value, dict) else list(value)
        kept = []
        for index, item in enumerate(items):
            if index >= limits.REPORT_MAX_ITEMS or self.nodes <= 0:
                self.truncated = True
                break
            if isinstance(value, dict):
                kept.append((self.text(str(item[0])), self.value(item[1], depth + 1)))
            else:
                kept.append(self.value(item, depth + 1))
        return dict(kept) if isinstance(value, dict) else kept


def _location(report_key: str) -> tuple[str | None, str]:
    """(bucket, key) of an S3 report, or (None, path) of a local one."""
    from predictfluence.config import get_settings

    if report_key.startswith("s3://"):
        bucket, _, key = report_key[5:].partition("/")
        return bucket, key
    if report_key.startswith("/") or report_key.startswith("file://"):
        return None, report_key.removeprefix("file://")
    return get_settings().raw_bucket, report_key


def _too_large(size: int) -> str:
    return (f"the report has {size:,} bytes, more than the {limits.REPORT_MAX_READ_BYTES:,} shown inline; "
            "download it from report_url")


def view_report(report_key: str) -> ReportView:
    """The bounded excerpt of a report and, for S3 reports, a presigned GET for all of it. Never raises:
    a missing or unreadable report is described in `report_error`."""
    view = ReportView()
    try:
        bucket, key = _location(report_key)
        if bucket is None:
            path = Path(key)
            size = path.stat().st_size
            if size > limits.REPORT_MAX_READ_BYTES:
                view.report_error, view.report_truncated = _too_large(size), True
                return view
            data = path.read_bytes()
        else:
            from predictfluence import storage

            s3 = storage.client("s3")
            found = s3.get_object(Bucket=bucket, Key=key)  # not read yet: only the headers are in
            view.report_url = s3.generate_presigned_url(
                "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=limits.REPORT_URL_SECONDS)
            view.report_url_expires_in = limits.REPORT_URL_SECONDS
            size = int(found.get("ContentLength") or 0)
            if size > limits.REPORT_MAX_READ_BYTES:
                found["Body"].close()
                view.report_error, view.report_truncated = _too_large(size), True
                return view
            data = found["Body"].read(limits.REPORT_MAX_READ_BYTES + 1)
            if len(data) > limits.REPORT_MAX_READ_BYTES:  # no (or a wrong) length header
                view.report_error, view.report_truncated = _too_large(len(data)), True
                return view
        decoded = json.loads(data)
    except Exception as exc:  # noqa: BLE001 - a missing/unreadable report must not hide the load
        view.report_error = f"report unavailable: {type(exc).__name__}"
        return view
    if isinstance(decoded, dict) and isinstance(decoded.get("rejections"), list):
        view.rejections_total = len(decoded["rejections"])
    clipper = _Clipper()
    view.report = clipper.value(decoded)
    view.report_truncated = clipper.truncated
    return view
