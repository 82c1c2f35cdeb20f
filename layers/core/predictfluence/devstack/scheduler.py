"""moto never fires EventBridge schedules, so locally this thread sends the app's scheduled handler a
real-shaped `Scheduled Event` at a fixed interval (the same handler EventBridge invokes in AWS)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def scheduled_event(rule_arn: str, region: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


class Scheduler(threading.Thread):
    def __init__(self, name: str, handler: Callable[[dict[str, Any], Any], Any], interval_s: float, region: str):
        super().__init__(name=f"scheduler-{name}", daemon=True)
        self.rule_arn = f"arn:aws:events:{region}:000000000000:rule/{name}"
        self.handler = handler
        self.interval_s = interval_s
        self.region = region
        self._stop_event = threading.Event()
        self.runs = 0

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval_s):
            try:
                self.handler(scheduled_event(self.rule_arn, self.region), None)
                self.runs += 1
            except Exception:  # noqa: BLE001 - a failed run is logged; the next one is scheduled as usual
                log.exception("scheduled handler %s failed", self.rule_arn)
