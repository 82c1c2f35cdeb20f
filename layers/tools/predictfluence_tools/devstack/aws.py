"""Local AWS: moto's server (unless AWS_ENDPOINT_URL already points at LocalStack or another endpoint)
and the resources the stack needs — raw and models buckets, the ETL queue with its dead-letter queue and
the raw bucket's ObjectCreated notification to the queue, the scoring queue with its dead-letter queue
(as infra/ creates them in AWS)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from predictfluence import storage
from predictfluence.config import get_settings, reset_settings
from predictfluence_tools.buckets import ensure_bucket

ETL_QUEUE_ENV = "PF_ETL_QUEUE"
DEFAULT_ETL_QUEUE = "predictfluence-etl"
SCORE_QUEUE_ENV = "PF_SCORE_QUEUE"  # functions/events/score.py reads the same variable
DEFAULT_SCORE_QUEUE = "predictfluence-score"
MAX_RECEIVES_BEFORE_DLQ = 3


@dataclass
class LocalAws:
    endpoint_url: str
    server: Any | None  # moto ThreadedMotoServer when we started one

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


def start(host: str, port: int) -> LocalAws:
    """Use AWS_ENDPOINT_URL when set; otherwise start moto's server on host:port and point boto3 at it."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    existing = os.environ.get("AWS_ENDPOINT_URL")
    if existing:
        return LocalAws(existing, None)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    reset_settings()
    storage.reset_clients()
    return LocalAws(endpoint, server)


def etl_queue_name() -> str:
    return os.environ.get(ETL_QUEUE_ENV) or DEFAULT_ETL_QUEUE


def score_queue_name() -> str:
    return os.environ.get(SCORE_QUEUE_ENV) or DEFAULT_SCORE_QUEUE


def _queue_with_dlq(name: str, visibility_timeout_s: int) -> str:
    sqs = storage.client("sqs")
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout_s),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES_BEFORE_DLQ)}
            ),
        },
    )["QueueUrl"]


def provision_score_queue() -> str:
    """Create (idempotently) the scoring queue + DLQ and point the scorer at it (`PF_SCORE_QUEUE_URL`):
    a retraining run in the stack then sends its chunks there, and the stack's dispatcher runs them."""
    url = _queue_with_dlq(score_queue_name(), 300)
    os.environ["PF_SCORE_QUEUE_URL"] = url
    return url


def provision() -> str:
    """Create (idempotently) the buckets, the ETL queue + DLQ and the bucket notification. Returns the
    ETL queue URL."""
    settings = get_settings()
    ensure_bucket(settings.raw_bucket)
    ensure_bucket(settings.models_bucket)
    sqs = storage.client("sqs")
    queue_url = _queue_with_dlq(etl_queue_name(), 60)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    storage.client("s3").put_bucket_notification_configuration(
        Bucket=settings.raw_bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": settings.raw_prefix}]}},
                }
            ]
        },
    )
    return queue_url
