"""The audit log's one entry point for the API: the Router records a route's write after it succeeds.

    @router.route("/campaigns/{campaign_id}", "PATCH", role="manager", ..., audit="campaign.update")

A write route names its action (`audit="campaign.update"`) or says it writes nothing (`audit=False`, e.g. a
preview); tests/api/test_audit.py fails for a write route that does neither. After the handler returns
a success, `record_route` appends one audit_event row: the principal's actor and role, the action, the
target, a few details (the body's fields: short scalars as sent, lists and objects by their size, never
whole bodies), the source address and the request id. A write that fails (4xx/5xx) records nothing.

The target is `audit_target="<type>:<source>"`, where source is a path parameter (`campaign_id`), a
query parameter (`query.signature`) or a field of the response (`response.id`). By default the type is
the action's first word and the source the path's last parameter, else `response.id`.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import BaseModel

logger = logging.getLogger("predictfluence.api")

MAX_DETAIL_TEXT = 100


def target_spec(action: str, path_params: tuple[str, ...], audit_target: str | None) -> tuple[str, str]:
    """(target type, where its id comes from) of a route."""
    if audit_target:
        kind, _, source = audit_target.partition(":")
        return kind, source or "response.id"
    return action.split(".", 1)[0], path_params[-1] if path_params else "response.id"


def _summary(value: Any) -> Any:
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_DETAIL_TEXT else f"{value[:MAX_DETAIL_TEXT]}…"
    if isinstance(value, list | tuple):
        return {"count": len(value)}
    if isinstance(value, dict):
        return {"keys": len(value)}
    return str(value)[:MAX_DETAIL_TEXT]


def _from(source: str, kwargs: dict[str, Any], result: Any) -> Any:
    where, _, name = source.rpartition(".")
    if where == "response":
        return result.get(name) if isinstance(result, dict) else getattr(result, name, None)
    if where == "query":
        return getattr(kwargs.get("query"), name, None)
    return kwargs.get(name)


def details_of(kwargs: dict[str, Any], path_params: tuple[str, ...], target_source: str) -> dict[str, Any]:
    details: dict[str, Any] = {name: kwargs[name] for name in path_params if name != target_source and name in kwargs}
    body = kwargs.get("body")
    if isinstance(body, BaseModel):
        details.update({k: _summary(v) for k, v in body.model_dump(mode="json", exclude_unset=True).items()})
    return details


def request_origin(request: Any, lambda_context: Any) -> tuple[str | None, str | None]:
    """(source IP, request id) of the current request: API Gateway's (and chalice local's) request
    context; the request id falls back to the Lambda invocation's."""
    context = getattr(request, "context", None) or {}
    identity = context.get("identity") or {}
    request_id = context.get("requestId") or getattr(lambda_context, "aws_request_id", None)
    return identity.get("sourceIp"), request_id


def record_route(spec: Any, principal: Any, kwargs: dict[str, Any], result: Any, request: Any,
                 lambda_context: Any = None) -> None:
    """Append the audit row of a successful write through `spec`'s route. A failure to append is logged
    (the write itself has already been committed and is not undone)."""
    from predictfluence.queries import audit as q

    kind, source = target_spec(spec.audit, spec.path_params, spec.audit_target)
    target = _from(source, kwargs, result)
    source_ip, request_id = request_origin(request, lambda_context)
    try:
        q.record(principal.actor, principal.role, spec.audit, kind, None if target is None else str(target),
                 details_of(kwargs, spec.path_params, source) or None, source_ip, request_id)
    except Exception:
        logger.exception("audit row lost: %s by %s on %s %s", spec.audit, principal.actor, kind, target)
