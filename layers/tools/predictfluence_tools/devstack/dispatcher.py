"""Long-polls an SQS queue (the ETL's, the scoring chunks') and invokes the app's handler for it with a
real SQS event, as Lambda's event source mapping does: successful messages are deleted; failed ones become visible again and, after
`maxReceiveCount` receives, move to the dead-letter queue. Partial batch responses
(`{"batchItemFailures": [...]}`) are honoured."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from predictfluence import storage

log = logging.getLogger(__name__)


def sqs_event(messages: list[dict[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "messageAttributes": m.get("MessageAttributes", {}),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


class SqsDispatcher(threading.Thread):
    def __init__(
        self,
        queue_url: str,
        handler: Callable[[dict[str, Any], Any], Any],
        region: str,
        batch_size: int = 10,
        wait_seconds: int = 1,
        label: str = "ETL",
    ) -> None:
        super().__init__(name=f"sqs-dispatcher-{label.lower()}", daemon=True)
        self.label = label
        self.queue_url = queue_url
        self.handler = handler
        self.region = region
        self.batch_size = min(batch_size, 10)
        self.wait_seconds = wait_seconds
        self._stop_event = threading.Event()
        self.batches = 0
        self.failures = 0

    def stop(self) -> None:
        self._stop_event.set()

    def run(self) -> None:
        sqs = storage.client("sqs")
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        while not self._stop_event.is_set():
            try:
                self.poll_once(sqs, queue_arn)
            except Exception:  # noqa: BLE001 - the dispatcher must outlive a failing poll
                if self._stop_event.is_set():
                    break
                log.exception("%s dispatcher: polling the queue failed; retrying", self.label)
                self._stop_event.wait(1.0)

    def poll_once(self, sqs: Any, queue_arn: str) -> int:
        response = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return 0
        self.batches += 1
        failed_ids: set[str] = set()
        try:
            result = self.handler(sqs_event(messages, queue_arn, self.region), None)
            if isinstance(result, dict):
                failed_ids = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - like Lambda: the whole batch is retried
            log.exception("%s handler failed for a batch of %d message(s)", self.label, len(messages))
            failed_ids = {m["MessageId"] for m in messages}
        self.failures += len(failed_ids)
        for message in messages:
            if message["MessageId"] not in failed_ids:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)
