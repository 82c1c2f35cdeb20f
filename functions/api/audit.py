"""GET /audit: the audit log (admin). Rows are appended by the Router after each successful write
(predictfluence.api.audit); nothing here writes."""

from __future__ import annotations

import json

from chalice import Response

from predictfluence.api.csv_export import csv_response
from predictfluence.api.routing import Router
from predictfluence.api.schemas.audit import AuditEvent, AuditPage, AuditQuery
from predictfluence.api.schemas.common import page_info
from predictfluence.queries import audit as q

router = Router(__name__, tag="audit")
audit_routes = router.blueprint
CSV_MAX_ROWS = 10_000
CSV_COLUMNS = ("at", "actor", "actor_label", "role", "action", "target_type", "target_id", "details", "source_ip",
               "request_id")


@router.route("/audit", "GET", role="admin", query=AuditQuery, response=AuditPage,
              summary="The audit log: who did what, when and from where (newest first)")
def list_audit(query: AuditQuery) -> AuditPage:
    """Every write through the API appends one event: the actor (`key:<id>` or `user:<email>`) and its
    role, the action, the target, a few of the request's fields, the source IP and the request id. A
    refused or failed write appends nothing. Filters: exact `actor`, `action` or its prefix (`hire` gives
    hire.create, hire.update, hire.delete), `target_type` and `target_id`, `start_date`..`end_date` (UTC days,
    inclusive). The log is append-only: the database refuses UPDATE and DELETE on it."""
    items, total = q.list_events(query)
    return AuditPage(items=[AuditEvent.model_validate(i) for i in items],
                     page_info=page_info(total, query.page, query.page_size))


@router.route("/audit.csv", "GET", role="admin", query=AuditQuery, response=None, content_type="text/csv",
              summary="The audit log as CSV (the same filters; the newest 10,000 entries)")
def audit_csv(query: AuditQuery) -> Response:
    """The entries `GET /audit` matches with the same filters, newest first, at most the newest 10,000
    (`page` / `page_size` are accepted and ignored, so the page's query string works as is); `details` as
    JSON; text cells a spreadsheet would run as a formula start with `'`."""
    items, _ = q.list_events(query.model_copy(update={"page": 1, "page_size": CSV_MAX_ROWS}))
    rows = [[json.dumps(i[c], default=str) if c == "details" and i[c] is not None else i[c] for c in CSV_COLUMNS]
            for i in items]
    return csv_response("audit.csv", CSV_COLUMNS, [rows])
