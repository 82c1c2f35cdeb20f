"""Running the campaign planner from the API, synchronously (light: no ML imports here).

The solver needs numpy and SciPy, which the API function does not carry, so the plan is computed by the
planner function (functions/events/plan.py, with the ML layer):

- In AWS (inside any Lambda, or when `PF_PLANNER_FUNCTION` is set) the planner function is invoked with
  `InvocationType="RequestResponse"` and the event `{"campaign_id": …, "body": {…}}`. Its name is
  `PF_PLANNER_FUNCTION`, else derived from Chalice's naming `<app>-<stage>-planner`. The caller's role
  needs `lambda:InvokeFunction` on it.
- Locally (no Lambda) the local runner is called in-process: a callable installed with
  `set_local_runner` — app.py installs the planner handler, so the core never imports `functions`.

The planner function answers with an envelope: `{"ok": true, "plan": {…}}`, or
`{"ok": false, "error": {"status": 4xx, "field": …, "message": …}}` for a request it refuses, which
`request_plan` raises as `PlanRefused` (the route turns it into the API's 4xx).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from predictfluence.config import get_settings

_local_runner: Callable[[dict[str, Any]], dict[str, Any]] | None = None


class PlanRefused(Exception):
    """The planner refused the request: an HTTP `status` (4xx), the request `field` and a message."""

    def __init__(self, status: int, field: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.field = field
        self.message = message


def set_local_runner(runner: Callable[[dict[str, Any]], dict[str, Any]] | None) -> None:
    """What a local (no Lambda) plan calls with the planner event: the planner handler, in practice."""
    global _local_runner
    _local_runner = runner


def planner_function_name() -> str | None:
    settings = get_settings()
    if settings.planner_function:
        return settings.planner_function
    current = settings.lambda_function_name
    if not current:
        return None
    # Chalice names the API handler `<app>-<stage>` and other functions `<app>-<stage>-<name>`.
    for suffix in ("-etl", "-retrain", "-planner"):
        if current.endswith(suffix):
            current = current[: -len(suffix)]
    return f"{current}-planner"


def plan_event(campaign_id: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"campaign_id": int(campaign_id), "body": body}


def unwrap(envelope: dict[str, Any]) -> dict[str, Any]:
    """The plan of an envelope, or PlanRefused; anything else is the planner's failure (RuntimeError)."""
    if isinstance(envelope, dict) and envelope.get("ok") is True and isinstance(envelope.get("plan"), dict):
        return envelope["plan"]
    error = envelope.get("error") if isinstance(envelope, dict) else None
    if isinstance(error, dict) and isinstance(error.get("status"), int) and 400 <= error["status"] < 500:
        raise PlanRefused(error["status"], str(error.get("field") or "body"), str(error.get("message") or ""))
    raise RuntimeError(f"the planner function failed: {str(envelope)[:500]}")


def request_plan(campaign_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """The plan for `campaign_id` and a request body (the contract of POST /campaigns/{id}/plan)."""
    event = plan_event(campaign_id, body)
    function = planner_function_name()
    if function:
        from predictfluence.storage import client

        response = client("lambda").invoke(
            FunctionName=function, InvocationType="RequestResponse", Payload=json.dumps(event).encode()
        )
        payload = response["Payload"].read()
        if response.get("FunctionError"):
            raise RuntimeError(f"the planner function failed: {payload[:500]!r}")
        return unwrap(json.loads(payload))
    if _local_runner is None:
        raise RuntimeError(
            "no planner function (PF_PLANNER_FUNCTION, or inside Lambda) and no local runner: "
            "app.py sets one (planning.set_local_runner)"
        )
    return unwrap(_local_runner(event))
