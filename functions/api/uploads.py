"""/uploads (pre-signed CSV upload) and /etl/loads (what the ETL did with the files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice import Response

from predictfluence.api import errors
from predictfluence.api.csv_export import csv_response
from predictfluence.api.routing import Router
from predictfluence.api.schemas.common import page_info
from predictfluence.api.schemas.uploads import (
    EtlLoadDetail,
    EtlLoadPage,
    LoadListQuery,
    RerunQueued,
    UploadRequest,
    UploadTicket,
)
from predictfluence.queries import etl_loads as q

router = Router(__name__, tag="uploads")
upload_routes = router.blueprint


@router.route("/uploads", "POST", role="manager", body=UploadRequest, response=UploadTicket, status=201,
              summary="A pre-signed S3 POST for one CSV file under raw/<kind>/", audit="upload.create",
              audit_target="upload:response.key")
def create_upload(body: UploadRequest) -> UploadTicket:
    """POST the returned `fields` plus the file (form field `file`, last) to `url` as multipart/form-data.
    S3 enforces the key, `Content-Type: text/csv`, a size of 1..content_length bytes and the expiry."""
    from predictfluence.uploads import presigned_post

    return UploadTicket.model_validate(presigned_post(body.kind, body.filename, body.content_length))


@router.route("/etl/loads", "GET", role="viewer", query=LoadListQuery, response=EtlLoadPage,
              summary="ETL loads, newest first, with row counts")
def list_loads(query: LoadListQuery) -> EtlLoadPage:
    items, total = q.list_loads(query)
    return EtlLoadPage(items=_with_uploaders(items), page_info=page_info(total, query.page, query.page_size))


def _with_uploaders(loads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each load with who uploaded its file (the upload's audit event), when it came through POST /uploads."""
    from predictfluence.queries.audit import uploaders

    found = uploaders([load["file_key"] for load in loads])
    return [{**load, **{f"uploaded_by{k.removeprefix('actor')}": v for k, v in found.get(load["file_key"], {}).items()}}
            for load in loads]


@router.route("/etl/loads/{load_id}", "GET", role="viewer", response=EtlLoadDetail,
              summary="One ETL load with the first entries of its report and a link to all of it")
def get_load(load_id: int) -> EtlLoadDetail:
    from predictfluence.api.reports import view_report

    found = q.get_load(load_id)
    detail = EtlLoadDetail.model_validate(_with_uploaders([found])[0])
    if detail.report_key:
        detail = detail.model_copy(update=vars(view_report(detail.report_key)))
    return detail


REJECTED_COLUMNS = ("line", "reason", "column", "value")


@router.route("/etl/loads/{load_id}/rejected.csv", "GET", role="viewer", response=None, errors=(404,),
              content_type="text/csv", summary="A load's rejected rows (from its report) as CSV")
def rejected_csv(load_id: int) -> Response:
    """Every rejection the load's report lists (line, reason, column, value; the report keeps the first
    10,000), values neutralised for spreadsheets. A load without a report gives just the header; a
    report that cannot be read is a 404 naming it."""
    found = q.get_load(load_id)
    rejections = _rejections(found["report_key"]) if found["report_key"] else []
    rows = [[r.get(c) if isinstance(r, dict) else None for c in REJECTED_COLUMNS] for r in rejections]
    return csv_response(f"load-{load_id}-rejected.csv", REJECTED_COLUMNS, [rows])


def _rejections(report_key: str) -> list[Any]:
    from predictfluence.api.reports import _location

    try:
        bucket, key = _location(report_key)
        if bucket is None:
            data = Path(key).read_bytes()
        else:
            from predictfluence import storage

            data = storage.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        decoded = json.loads(data)
    except Exception as exc:  # noqa: BLE001 - missing/unreadable: say so, never a 500
        raise errors.not_found("load report", report_key) from exc
    found = decoded.get("rejections") if isinstance(decoded, dict) else None
    return found if isinstance(found, list) else []


@router.route("/etl/loads/{load_id}/rerun", "POST", role="manager", response=RerunQueued, status=202,
              errors=(409,), summary="Re-run a load: its S3 object goes back on the ETL queue, forced",
              audit="etl.rerun", audit_target="etl_load:load_id")
def rerun_load(load_id: int) -> RerunQueued:
    """Queues the load's original object in the raw bucket for the ETL again, with `force` (the CLI's
    `--force`: a file whose checksum was already loaded is loaded again). 202: the ETL runs it shortly;
    follow the load in `GET /etl/loads`. 409 while the load is still processing, or for a load made from
    a local file (the CLI's `predictfluence etl load --force` re-runs those)."""
    from predictfluence.api.etl_queue import requeue
    from predictfluence.config import get_settings

    found = q.get_load(load_id)
    if found["status"] == "processing":
        raise errors.conflict("load_in_progress", f"load {load_id} is still processing; re-run it when it ends",
                              {"status": found["status"]})
    settings = get_settings()
    if not found["file_key"].startswith(settings.raw_prefix):
        raise errors.conflict("not_an_upload", f"load {load_id} was not made from an upload to the raw bucket; "
                              "re-run it with `predictfluence etl load --force`", {"file_key": found["file_key"]})
    try:
        message_id = requeue(settings.raw_bucket, found["file_key"], load_id)
    except Exception as exc:  # noqa: BLE001 - SQS unreachable or refusing: retryable, never a 500
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(exc, (BotoCoreError, ClientError)):
            raise
        raise errors.service_unavailable("The ETL queue is unavailable; retry shortly.") from exc
    return RerunQueued(load_id=load_id, bucket=settings.raw_bucket, file_key=found["file_key"], message_id=message_id)
