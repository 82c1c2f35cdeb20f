"""Retraining without Lambda: `predictfluence.retraining` runs a local run in a background thread
through the runner installed here — the retrain handler itself (functions/events/retrain.py), as the
retrain Lambda would run it. The local stack and the test suite install it; the runtime never imports
`functions` (nor this module)."""

from __future__ import annotations

from typing import Any


def _handle_retrain(event: dict[str, Any]) -> Any:
    from functions.events.retrain import handle_retrain

    return handle_retrain(event)


def install() -> None:
    from predictfluence import retraining

    retraining.set_local_runner(_handle_retrain)
