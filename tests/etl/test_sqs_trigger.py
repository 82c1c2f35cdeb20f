"""S3 → SQS → the Chalice `etl` handler → PostgreSQL, end to end with moto and the real SQS messages."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote_plus

import boto3
import pytest

from tests.etl.conftest import rows, scalar

DATA = Path(__file__).resolve().parents[1] / "data" / "etl"


@pytest.fixture()
def pipeline(aws, seeded):
    """The raw bucket notifies a queue on ObjectCreated, exactly as the deployed stack does."""
    s3 = boto3.client("s3", region_name="us-east-1")
    sqs = boto3.client("sqs", region_name="us-east-1")
    queue_url = sqs.create_queue(QueueName="pf-test-etl")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=aws["raw_bucket"],
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    return {"s3": s3, "sqs": sqs, "queue_url": queue_url, "queue_arn": arn, "bucket": aws["raw_bucket"]}


def _receive_all(p) -> list[dict]:
    messages = []
    while True:
        got = p["sqs"].receive_message(QueueUrl=p["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return messages
        messages += got["Messages"]


def _event(p, messages: list[dict]) -> dict:
    return {"Records": [{
        "messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
        "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"], "eventSource": "aws:sqs",
        "eventSourceARN": p["queue_arn"], "awsRegion": "us-east-1",
    } for m in messages]}


def _invoke(event: dict) -> dict:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        return client.lambda_.invoke("etl", event).payload


def test_put_object_to_rows_in_postgres(pipeline):
    body = (DATA / "post_metrics.csv").read_bytes()
    pipeline["s3"].put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/day 1.csv", Body=body)
    messages = _receive_all(pipeline)
    bodies = [json.loads(m["Body"]) for m in messages]
    assert [b.get("Event") for b in bodies] == ["s3:TestEvent", None]  # moto sends the test event first
    assert bodies[1]["Records"][0]["s3"]["object"]["key"] == "raw%2Fpost_metrics%2Fday+1.csv"  # URL-encoded

    assert _invoke(_event(pipeline, messages)) == {"batchItemFailures": []}
    assert rows(pipeline_db(), "SELECT p.external_id, m.date::text, m.likes FROM post_metric_daily m "
                               "JOIN post p ON p.id = m.post_id ORDER BY 1, 2") == [
        ("p1", "2026-03-02", 120), ("p1", "2026-03-03", 80), ("t1", "2026-03-03", 5000),
    ]
    assert rows(pipeline_db(), "SELECT file_key, kind, status, rows_loaded, report_key FROM etl_load "
                               "WHERE kind = 'post_metrics'") == [
        ("raw/post_metrics/day 1.csv", "post_metrics", "loaded", 3, "reports/post_metrics/day 1.csv.json"),
    ]
    report = pipeline["s3"].get_object(Bucket=pipeline["bucket"], Key="reports/post_metrics/day 1.csv.json")
    assert json.loads(report["Body"].read())["rows_loaded"] == 3

    # the same message delivered again (SQS is at-least-once) is a no-op
    assert _invoke(_event(pipeline, messages)) == {"batchItemFailures": []}
    assert scalar(pipeline_db(), "SELECT count(*) FROM etl_load WHERE kind = 'post_metrics'") == 1


def test_mapping_object_beside_the_csv(pipeline):
    s3 = pipeline["s3"]
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/export.csv.mapping.json",
                  Body=json.dumps({"Network": "platform", "Post": "post_id", "Day": "date", "Hearts": "likes"}))
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/export.csv",
                  Body=b"Network,Post,Day,Hearts\ntiktok,t1,2026-03-09,77\n")
    assert _invoke(_event(pipeline, _receive_all(pipeline))) == {"batchItemFailures": []}
    assert rows(pipeline_db(), "SELECT date::text, likes FROM post_metric_daily") == [("2026-03-09", 77)]
    assert scalar(pipeline_db(), "SELECT count(*) FROM etl_load WHERE kind = 'post_metrics'") == 1


def test_one_failing_record_does_not_fail_the_others(pipeline, monkeypatch):
    s3 = pipeline["s3"]
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/good.csv",
                  Body=(DATA / "post_metrics.csv").read_bytes())
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/conversions/c.csv",
                  Body=(DATA / "conversions.csv").read_bytes())
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/hires/broken.csv", Body=b"")  # rejected whole: no retry
    messages = _receive_all(pipeline)
    assert len(messages) == 4  # TestEvent + 3 objects
    by_key = {unquote_plus(json.loads(m["Body"])["Records"][0]["s3"]["object"]["key"]): m["MessageId"]
              for m in messages if "Records" in json.loads(m["Body"])}

    from etl_jobs.kinds import conversions

    def db_down(self, conn, hmap):
        raise ConnectionError("database went away")

    monkeypatch.setattr(conversions.ConversionsLoader, "upsert", db_down)
    result = _invoke(_event(pipeline, messages))
    assert result == {"batchItemFailures": [{"itemIdentifier": by_key["raw/conversions/c.csv"]}]}
    assert scalar(pipeline_db(), "SELECT count(*) FROM post_metric_daily") == 3
    assert scalar(pipeline_db(), "SELECT count(*) FROM conversion_daily") == 0
    assert rows(pipeline_db(), "SELECT kind, status FROM etl_load WHERE kind IN ('post_metrics', 'conversions', "
                               "'hires') ORDER BY id") == [
        ("post_metrics", "loaded"), ("conversions", "failed"), ("hires", "rejected"),
    ]
    # SQS redelivers the failed message; now it loads, the others are not touched again
    monkeypatch.undo()
    retry = [m for m in messages if m["MessageId"] == by_key["raw/conversions/c.csv"]]
    assert _invoke(_event(pipeline, retry)) == {"batchItemFailures": []}
    assert scalar(pipeline_db(), "SELECT count(*) FROM conversion_daily") == 3


def test_malformed_message_is_reported_and_test_event_skipped(pipeline):
    event = _event(pipeline, [
        {"MessageId": "m-test", "ReceiptHandle": "r1", "MD5OfBody": "",
         "Body": json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": pipeline["bucket"]})},
        {"MessageId": "m-bad", "ReceiptHandle": "r2", "MD5OfBody": "", "Body": "not json"},
        {"MessageId": "m-gone", "ReceiptHandle": "r3", "MD5OfBody": "", "Body": json.dumps({"Records": [{
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": pipeline["bucket"]}, "object": {"key": "raw/posts/missing.csv"}}}]})},
    ])
    assert _invoke(event) == {"batchItemFailures": [{"itemIdentifier": "m-bad"}, {"itemIdentifier": "m-gone"}]}
    assert scalar(pipeline_db(), "SELECT count(*) FROM etl_load") == 3  # the seeded loads only


def pipeline_db():
    from predictfluence.db import get_engine

    return get_engine()


def test_rollups_are_refreshed_once_per_batch(pipeline, monkeypatch):
    from etl_jobs import pipeline as etl_pipeline

    calls = []
    real = etl_pipeline._refresh_rollups
    monkeypatch.setattr(etl_pipeline, "_refresh_rollups", lambda engine: (calls.append(1), real(engine)))
    s3 = pipeline["s3"]
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/a.csv",
                  Body=(DATA / "post_metrics.csv").read_bytes())
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/audience/b.csv", Body=(DATA / "audience.csv").read_bytes())
    assert _invoke(_event(pipeline, _receive_all(pipeline))) == {"batchItemFailures": []}
    assert calls == [1]
    assert scalar(pipeline_db(), "SELECT likes FROM post_stats s JOIN post p ON p.id = s.post_id "
                                 "WHERE p.external_id = 't1'") == 5000


def _upload_with_ticket(pipeline, kind: str, filename: str, body: bytes) -> str:
    """What the site does: a ticket from the uploads module (the API's `POST /uploads`), then a presigned
    POST of the file to S3."""
    import requests

    from predictfluence.uploads import presigned_post

    ticket = presigned_post(kind, filename, len(body))
    response = requests.post(ticket["url"], data=ticket["fields"], files={"file": (filename, body, "text/csv")},
                             timeout=10)
    assert response.status_code == 204, response.text
    return ticket["key"]


def test_the_kind_chosen_at_upload_is_the_kind_loaded(pipeline):
    """Issue 10.2: ticket keys are raw/<kind>/<date>/<random>-<name>; the kind was ignored (the key was
    only read as raw/<kind>/<file>) and the header decided."""
    key = _upload_with_ticket(pipeline, "influencers", "team.csv",
                              b"platform,handle,name,followers\ninstagram,tkt1,Ticket One,1500\n")
    assert key.count("/") == 3
    assert _invoke(_event(pipeline, _receive_all(pipeline))) == {"batchItemFailures": []}
    assert rows(pipeline_db(), "SELECT kind, status, rows_loaded FROM etl_load WHERE file_key = :k", k=key) == [
        ("influencers", "loaded", 1)]


def test_a_header_contradicting_the_chosen_kind_rejects_the_file_naming_both(pipeline):
    """Issue 10.2: an upload made as hires with an influencers header loaded into `influencer`."""
    before = scalar(pipeline_db(), "SELECT count(*) FROM influencer")
    key = _upload_with_ticket(pipeline, "hires", "hires.csv",
                              b"platform,handle,name,followers\ninstagram,tkt2,Ticket Two,1500\n")
    assert _invoke(_event(pipeline, _receive_all(pipeline))) == {"batchItemFailures": []}
    [(kind, status, error)] = rows(pipeline_db(), "SELECT kind, status, error FROM etl_load WHERE file_key = :k",
                                   k=key)
    assert (kind, status) == ("hires", "rejected")
    assert error == (
        "the file was uploaded as hires, but its header (platform, handle, name, followers) is the header of the "
        "influencers kind; upload it as influencers, or give it the hires columns "
        "(campaign, platform, handle, status, agreed_cost, hired_at, overspend)")
    assert scalar(pipeline_db(), "SELECT count(*) FROM influencer") == before


@pytest.mark.parametrize("mapping", [b"{not json", b"[1, 2]", b"\xff\xfe"])
def test_a_malformed_mapping_beside_the_upload_is_a_recorded_rejection(pipeline, mapping):
    """Issue 10.14: it raised before the load started, so the message was retried into the DLQ."""
    s3 = pipeline["s3"]
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/export.csv.mapping.json", Body=mapping)
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/export.csv",
                  Body=b"Network,Post,Day,Hearts\ntiktok,t1,2026-03-09,77\n")
    assert _invoke(_event(pipeline, _receive_all(pipeline))) == {"batchItemFailures": []}
    [(status, error)] = rows(pipeline_db(), "SELECT status, error FROM etl_load WHERE kind = 'post_metrics'")
    assert status == "rejected"
    assert error.startswith("mapping file export.csv.mapping.json ")
    assert scalar(pipeline_db(), "SELECT count(*) FROM post_metric_daily") == 0


def test_the_etl_loads_the_version_the_event_names(pipeline):
    """Issue 10.10: the raw bucket is versioned; an upload overwritten before its message is handled
    still loads as it was uploaded (its own event's versionId), not as the later version."""
    s3 = pipeline["s3"]
    s3.put_bucket_versioning(Bucket=pipeline["bucket"], VersioningConfiguration={"Status": "Enabled"})
    _receive_all(pipeline)  # the TestEvent
    header = b"platform,handle,name,followers\n"
    version = s3.put_object(Bucket=pipeline["bucket"], Key="raw/influencers/v.csv",
                            Body=header + b"instagram,ver1,V,1\n")["VersionId"]
    [first] = _receive_all(pipeline)
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/influencers/v.csv",
                  Body=header + b"instagram,ver2,V,2\ninstagram,ver3,V,3\n")
    body = json.loads(first["Body"])  # S3 names the version in s3.object.versionId; moto's queue message omits it
    body["Records"][0]["s3"]["object"]["versionId"] = version
    assert _invoke(_event(pipeline, [{**first, "Body": json.dumps(body)}])) == {"batchItemFailures": []}
    assert rows(pipeline_db(), "SELECT handle FROM influencer WHERE handle LIKE 'ver%'") == [("ver1",)]


def test_records_not_started_when_time_runs_low_are_batch_item_failures(pipeline):
    """Issue 10.6: near the Lambda's timeout the handler stops starting records and reports them for
    redelivery, instead of being killed with the whole batch."""
    from chalice.app import SQSEvent

    from functions.events.etl import MIN_REMAINING_MS, handle_sqs_batch

    s3 = pipeline["s3"]
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/post_metrics/a.csv", Body=(DATA / "post_metrics.csv").read_bytes())
    s3.put_object(Bucket=pipeline["bucket"], Key="raw/audience/b.csv", Body=(DATA / "audience.csv").read_bytes())
    messages = [m for m in _receive_all(pipeline) if "Records" in json.loads(m["Body"])]
    left = iter([900_000, MIN_REMAINING_MS + 60_000, MIN_REMAINING_MS - 1, MIN_REMAINING_MS - 1])
    result = handle_sqs_batch(SQSEvent(_event(pipeline, messages), None), lambda: next(left))
    assert result == {"batchItemFailures": [{"itemIdentifier": messages[1]["MessageId"]}]}
    assert scalar(pipeline_db(), "SELECT count(*) FROM etl_load WHERE status = 'loaded' AND file_key LIKE 'raw/%'") == 1
