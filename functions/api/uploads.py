"""/uploads (pre-signed CSV upload) and /etl/loads (what the ETL did with the files)."""

from __future__ import annotations

from predictfluence.api import errors
from predictfluence.api.routing import Router
from predictfluence.api.schemas.common import page_info
from predictfluence.api.schemas.uploads import (
    EtlLoadDetail,
    EtlLoadPage,
    LoadListQuery,
    UploadRequest,
    UploadTicket,
)
from predictfluence.queries import etl_loads as q

router = Router(__name__, tag="uploads")
upload_routes = router.blueprint


@router.route("/uploads", "POST", role="manager", body=UploadRequest, response=UploadTicket, status=201,
              summary="A pre-signed S3 POST for one CSV file under raw/<kind>/")
def create_upload(body: UploadRequest) -> UploadTicket:
    """POST the returned `fields` plus the file (form field `file`, last) to `url` as multipart/form-data.
    S3 enforces the key, `Content-Type: text/csv`, a size of 1..content_length bytes and the expiry."""
    from predictfluence.uploads import presigned_post

    return UploadTicket.model_validate(presigned_post(body.kind, body.filename, body.content_length))


@router.route("/etl/loads", "GET", role="viewer", query=LoadListQuery, response=EtlLoadPage,
              summary="ETL loads, newest first, with row counts")
def list_loads(query: LoadListQuery) -> EtlLoadPage:
    items, total = q.list_loads(**query.model_dump())
    return EtlLoadPage(items=items, page_info=page_info(total, query.page, query.page_size))


@router.route("/etl/loads/{load_id}", "GET", role="viewer", response=EtlLoadDetail,
              summary="One ETL load with the first entries of its report and a link to all of it")
def get_load(load_id: int) -> EtlLoadDetail:
    from predictfluence.api.reports import view_report

    found = q.get_load(load_id)
    if found is None:
        raise errors.not_found("etl load", load_id)
    detail = EtlLoadDetail.model_validate(found)
    if detail.report_key:
        detail = detail.model_copy(update=vars(view_report(detail.report_key)))
    return detail
