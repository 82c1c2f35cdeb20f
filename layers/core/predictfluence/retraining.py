"""Starting a retraining run without waiting for it (light: no ML imports here).

- In AWS (inside any Lambda, or when `PF_RETRAIN_FUNCTION` is set) the retrain function is invoked
  asynchronously (`InvocationType="Event"`) with a scheduled-event-shaped payload, so its Chalice
  `@app.schedule` handler accepts it unchanged. The function name is `PF_RETRAIN_FUNCTION`, else
  derived from Chalice's naming `<app>-<stage>-retrain`. The caller's role needs
  `lambda:InvokeFunction` on it.
- Locally (no Lambda) a background thread runs the local runner in-process: a callable installed with
  `set_local_runner` — app.py installs the retrain handler, so the core never imports `functions`.
  Without one (app.py not imported), starting a local run is an error.

`maybe_retrain_after_load(rows_loaded)` is the hook for the ETL: it starts a run once at least
`PF_RETRAIN_MIN_NEW_ROWS` (settings.retrain_min_new_rows) post-metric rows were loaded since the last
model version was trained.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from predictfluence.config import get_settings

log = logging.getLogger(__name__)
_threads: list[threading.Thread] = []
_local_runner: Callable[[dict[str, Any]], Any] | None = None


def set_local_runner(runner: Callable[[dict[str, Any]], Any] | None) -> None:
    """What a local (no Lambda) run calls with the retrain event: the retrain handler, in practice."""
    global _local_runner
    _local_runner = runner


def retrain_function_name() -> str | None:
    settings = get_settings()
    if settings.retrain_function:
        return settings.retrain_function
    current = settings.lambda_function_name
    if not current:
        return None
    # Chalice names the API handler `<app>-<stage>` and other functions `<app>-<stage>-<name>`.
    for suffix in ("-etl", "-retrain"):
        if current.endswith(suffix):
            current = current[: -len(suffix)]
    return f"{current}-retrain"


def scheduled_event(source: str = "aws.events", resources: list[str] | None = None,
                    detail: dict[str, Any] | None = None) -> dict[str, Any]:
    """An EventBridge `Scheduled Event` as Lambda receives it (the retrain handler's input)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": source,
        "account": "000000000000",
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": get_settings().aws_region,
        "resources": resources or [],
        "detail": detail or {},
    }


def retrain_event(reason: str) -> dict[str, Any]:
    return scheduled_event("predictfluence", detail={"reason": reason})


def _run_in_thread(runner: Callable[[dict[str, Any]], Any], reason: str) -> None:
    try:
        runner(retrain_event(reason))
    except Exception:  # noqa: BLE001 - a background run has nobody to raise to: log it
        log.exception("background retraining failed")


def start_retraining(reason: str = "manual") -> dict[str, Any]:
    """Start a run and return at once: {"mode": "lambda", "function": …} or {"mode": "thread"}."""
    function = retrain_function_name()
    if function:
        from predictfluence.storage import client

        client("lambda").invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps(retrain_event(reason)).encode()
        )
        return {"mode": "lambda", "function": function}
    if _local_runner is None:
        raise RuntimeError("no retrain function (PF_RETRAIN_FUNCTION, or inside Lambda) and no local runner: "
                           "app.py sets one (retraining.set_local_runner)")
    thread = threading.Thread(target=_run_in_thread, args=(_local_runner, reason), name="retrain", daemon=True)
    thread.start()
    _threads.append(thread)
    return {"mode": "thread", "function": None}


def wait_for_background(timeout: float | None = None) -> None:
    """Join local background runs (tests, a CLI that must not exit under them)."""
    while _threads:
        _threads.pop().join(timeout)


def new_metric_rows_since_training(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT coalesce(sum(rows_loaded), 0) FROM etl_load "
                    "WHERE kind = 'post_metrics' AND status = 'loaded' "
                    "AND started_at > coalesce((SELECT max(trained_at) FROM model_version), '-infinity')"
                )
            ).scalar_one()
        )


def maybe_retrain_after_load(rows_loaded: int, engine: sa.Engine | None = None) -> dict[str, Any] | None:
    """After an ETL load: start retraining when enough new metric rows have arrived since the last
    training (this load's `rows_loaded` counts even if its etl_load row is not committed yet)."""
    from predictfluence.db import get_engine

    threshold = get_settings().retrain_min_new_rows
    new_rows = max(int(rows_loaded), new_metric_rows_since_training(engine or get_engine()))
    if new_rows < threshold:
        return None
    log.info("%s new metric rows since the last training (threshold %s): retraining", new_rows, threshold)
    return start_retraining(f"{new_rows} new metric rows")
