"""Re-running a load: the original S3 object goes back on the ETL queue, as S3 itself would put it there.

The message is an S3 event notification for the same bucket and key (the shape the ETL handler already
reads, `functions/events/etl.py`) with `"force": true`, which makes the handler reload a file whose
checksum was loaded before (the CLI's `--force`). The queue is `PF_ETL_QUEUE_URL` in AWS (infra sets it on
every function) or the queue named `PF_ETL_QUEUE` (default `predictfluence-etl`) locally.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote_plus

from predictfluence import storage
from predictfluence.config import get_settings

RERUN_EVENT = "ObjectCreated:Rerun"


def queue_url(sqs: Any) -> str:
    settings = get_settings()
    if settings.etl_queue_url:
        return settings.etl_queue_url
    return str(sqs.get_queue_url(QueueName=settings.etl_queue)["QueueUrl"])


def rerun_message(bucket: str, key: str, load_id: int) -> dict[str, Any]:
    """An S3 ObjectCreated notification for s3://bucket/key (key URL-encoded as S3 sends it), forced."""
    return {
        "Records": [{
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "eventName": RERUN_EVENT,
            "eventTime": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key, safe="")}},
        }],
        "force": True,
        "rerun_of": load_id,
    }


def requeue(bucket: str, key: str, load_id: int) -> str:
    """Send the re-run message; returns SQS's message id."""
    sqs = storage.client("sqs")
    sent = sqs.send_message(QueueUrl=queue_url(sqs), MessageBody=json.dumps(rerun_message(bucket, key, load_id)))
    return str(sent["MessageId"])
