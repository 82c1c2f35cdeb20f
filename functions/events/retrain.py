"""Retraining: EventBridge schedule (or an async invoke) → train → evaluate → maybe promote → score.

The ML code (scikit-learn, numpy) is imported inside the handler: app.py imports this module in every
function, and the API function must not pay for — or even carry — the ML layer.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def handle_retrain(event: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run one retraining; the result (status, version, metrics, rows scored) is returned and logged."""
    from predictfluence_ml.retrain import run

    reason = ((event or {}).get("detail") or {}).get("reason", "schedule")
    log.info("retraining (%s)", reason)
    result = run(progress=log.info).to_dict()
    log.info("retraining finished: %s %s (%s)", result["status"], result["version"], result["reason"])
    return result
