"""The planner function: invoked synchronously by the API (predictfluence.planning) with
`{"campaign_id", "body"}`; answers `{"ok": true, "plan"}` or `{"ok": false, "error": {status, field, message}}`.

The ML code (numpy, SciPy) is imported inside the handler: app.py imports this module in every function,
and the API function must not pay for — or even carry — the ML layer.
"""

from __future__ import annotations

from typing import Any


def handle_plan(event: dict[str, Any] | None = None) -> dict[str, Any]:
    from predictfluence_ml.planner_service import handle_event

    return handle_event(event)
