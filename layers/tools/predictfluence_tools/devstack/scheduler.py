"""moto never fires EventBridge schedules, so locally this thread sends the app's scheduled handler a
real-shaped `Scheduled Event` at a fixed interval (the same handler EventBridge invokes in AWS)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from predictfluence.retraining import scheduled_event

log = logging.getLogger(__name__)


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
                self.handler(scheduled_event(resources=[self.rule_arn]), None)
                self.runs += 1
            except Exception:  # noqa: BLE001 - a failed run is logged; the next one is scheduled as usual
                log.exception("scheduled handler %s failed", self.rule_arn)
