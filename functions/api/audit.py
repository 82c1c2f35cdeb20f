"""GET /audit: the audit log (admin). Rows are appended by the Router after each successful write
(predictfluence.api.audit); nothing here writes."""

from __future__ import annotations

from predictfluence.api.routing import Router
from predictfluence.api.schemas.audit import AuditEvent, AuditPage, AuditQuery
from predictfluence.api.schemas.common import page_info
from predictfluence.queries import audit as q

router = Router(__name__, tag="audit")
audit_routes = router.blueprint


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
