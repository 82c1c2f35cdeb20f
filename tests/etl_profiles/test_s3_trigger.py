"""Profiles files dropped into the raw bucket: S3 → SQS (moto) → the app's `etl` handler → PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import boto3
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from .conftest import EXPORTS, REAL_DATASET


def _wire(bucket: str) -> dict[str, Any]:
    s3 = boto3.client("s3", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="pf-test-profiles")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    return {"s3": s3, "sqs": sqs, "url": url, "arn": arn, "bucket": bucket}


def _deliver(wired: dict[str, Any]) -> dict:
    """Take every message off the queue and invoke the deployed handler with the real SQS event."""
    from chalice.test import Client

    from app import app

    messages: list[dict] = []
    while got := wired["sqs"].receive_message(QueueUrl=wired["url"], MaxNumberOfMessages=10).get("Messages"):
        messages += got
    event = {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": wired["arn"],
                "awsRegion": "us-east-1",
            }
            for m in messages
        ]
    }
    with Client(app) as client:
        return client.lambda_.invoke("etl", event).payload


def test_real_dataset_and_mapped_export_from_s3(db: Engine, aws: dict[str, str]) -> None:
    wired = _wire(aws["raw_bucket"])
    s3 = wired["s3"]
    s3.put_object(
        Bucket=wired["bucket"],
        Key="raw/profiles/top_insta_influencers_data.csv",
        Body=REAL_DATASET.read_bytes(),
    )
    # A tool export whose headers need the mapping uploaded beside it (first, so the CSV's event finds it).
    s3.put_object(
        Bucket=wired["bucket"],
        Key="raw/profiles/socialtool_export.csv.mapping.json",
        Body=(EXPORTS / "socialtool_export.csv.mapping.json").read_bytes(),
    )
    s3.put_object(
        Bucket=wired["bucket"],
        Key="raw/profiles/socialtool_export.csv",
        Body=(EXPORTS / "socialtool_export.csv").read_bytes(),
    )

    assert _deliver(wired) == {"batchItemFailures": []}

    with db.connect() as conn:
        loads = conn.execute(
            sa.text(
                "SELECT file_key, kind, status, rows_in, rows_loaded, report_key FROM etl_load ORDER BY file_key"
            )
        ).all()
        by_source = conn.execute(
            sa.text("SELECT source, count(*) FROM influencer_snapshot GROUP BY 1 ORDER BY 1")
        ).all()
        cristiano = conn.execute(
            sa.text(
                "SELECT i.followers, s.posts, s.avg_likes, s.engagement_rate, i.country FROM influencer i "
                "JOIN influencer_snapshot s ON s.influencer_id = i.id WHERE i.handle = 'cristiano'"
            )
        ).one()
    assert [tuple(r) for r in loads] == [
        (
            "raw/profiles/socialtool_export.csv",
            "profiles",
            "loaded",
            3,
            3,
            "reports/profiles/socialtool_export.csv.json",
        ),
        (
            "raw/profiles/top_insta_influencers_data.csv",
            "profiles",
            "loaded",
            199,
            199,
            "reports/profiles/top_insta_influencers_data.csv.json",
        ),
    ]
    assert [tuple(r) for r in by_source] == [("file:top_insta_influencers_data", 199), ("socialtool", 3)]
    assert tuple(cristiano) == (475_800_000, 3_300, 8_700_000.0, 0.0139, "ES")

    report = json.loads(
        s3.get_object(Bucket=wired["bucket"], Key="reports/profiles/top_insta_influencers_data.csv.json")[
            "Body"
        ].read()
    )
    assert (report["rows_loaded"], report["rejections"]) == (199, [])
