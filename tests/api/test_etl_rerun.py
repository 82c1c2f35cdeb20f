"""POST /etl/loads/{id}/rerun (issue 10, point 10): a manager re-queues a load's S3 object for the ETL
with `force`, and the ETL handler then reloads a file whose checksum it had already loaded."""

from __future__ import annotations

import json

import boto3
import pytest
import sqlalchemy as sa

INFLUENCERS = (
    "platform,handle,name,category,country,language,followers\n"
    "instagram,ana,Ana Lima,beauty,BR,pt,12000\n"
    "tiktok,@bo,Bo Chen,gaming,US,en,560000\n"
)
KEY = "raw/influencers/20260301/ab12cd34-week 1.csv"


@pytest.fixture()
def queue(aws, monkeypatch):
    monkeypatch.delenv("PF_ETL_QUEUE_URL", raising=False)
    monkeypatch.setenv("PF_ETL_QUEUE", "pf-test-rerun")
    sqs = boto3.client("sqs", region_name="us-east-1")
    return {"sqs": sqs, "url": sqs.create_queue(QueueName="pf-test-rerun")["QueueUrl"], **aws}


def _messages(queue) -> list[dict]:
    got = queue["sqs"].receive_message(QueueUrl=queue["url"], MaxNumberOfMessages=10, WaitTimeSeconds=0)
    return got.get("Messages", [])


def _load_once(queue) -> list:
    """The upload as S3 notifies it, handled by the ETL: the first load of the file."""
    from functions.events.etl import handle_message

    boto3.client("s3", region_name="us-east-1").put_object(Bucket=queue["raw_bucket"], Key=KEY,
                                                           Body=INFLUENCERS.encode())
    event = {"Records": [{"eventName": "ObjectCreated:Post", "s3": {"bucket": {"name": queue["raw_bucket"]},
                                                                    "object": {"key": "raw/influencers/20260301/ab12cd34-week+1.csv"}}}]}
    return handle_message(json.dumps(event))


def test_a_manager_reruns_a_load_through_the_queue(client, auth, api_db, queue):
    from functions.events.etl import handle_message

    first = _load_once(queue)
    assert [(o.status, o.rows_loaded) for o in first] == [("loaded", 2)]
    load_id = first[0].load_id
    assert [o.status for o in handle_message(json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {
        "bucket": {"name": queue["raw_bucket"]}, "object": {"key": KEY}}}]}))] == ["skipped_duplicate"]

    response = client.http.post(f"/etl/loads/{load_id}/rerun", headers=auth["manager"])
    assert response.status_code == 202, response.body
    assert response.json_body == {"load_id": load_id, "bucket": queue["raw_bucket"], "file_key": KEY,
                                  "message_id": response.json_body["message_id"], "force": True}
    [message] = _messages(queue)
    assert message["MessageId"] == response.json_body["message_id"]
    body = json.loads(message["Body"])
    assert body["force"] is True and body["rerun_of"] == load_id
    assert body["Records"][0]["s3"] == {"bucket": {"name": queue["raw_bucket"]},
                                        "object": {"key": "raw%2Finfluencers%2F20260301%2Fab12cd34-week+1.csv"}}

    with api_db.begin() as conn:  # what a re-run is for: the rows were lost or changed since
        conn.execute(sa.text("DELETE FROM influencer"))
    again = handle_message(message["Body"])  # the ETL handler, as the queue delivers the message
    assert [(o.status, o.rows_loaded, o.load_id) for o in again] == [("loaded", 2, load_id)]
    with api_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar() == 2
        assert conn.execute(sa.text("SELECT count(*) FROM etl_load")).scalar() == 1


def test_rerun_refusals(client, auth, api_db, queue):
    with api_db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO etl_load (file_key, checksum, kind, status) VALUES "
            "('raw/posts/a.csv', repeat('1', 64), 'posts', 'processing'), "
            "('/home/me/posts.csv', repeat('2', 64), 'posts', 'loaded')"))
    assert client.http.post("/etl/loads/1/rerun", headers=auth["viewer"]).status_code == 403
    busy = client.http.post("/etl/loads/1/rerun", headers=auth["manager"])
    assert busy.status_code == 409 and busy.json_body["error"]["code"] == "load_in_progress"
    local = client.http.post("/etl/loads/2/rerun", headers=auth["manager"])
    assert local.status_code == 409 and local.json_body["error"]["code"] == "not_an_upload"
    assert client.http.post("/etl/loads/99/rerun", headers=auth["manager"]).status_code == 404
    assert _messages(queue) == []


def test_rerun_is_in_the_openapi_document(client):
    operation = client.http.get("/openapi.json").json_body["paths"]["/etl/loads/{load_id}/rerun"]["post"]
    assert operation["operationId"] == "rerun_load" and "manager" in operation["description"]
    assert {"202", "401", "403", "404", "409", "503"} <= set(operation["responses"])


def test_rerun_with_the_queue_unreachable_is_503(client, auth, dataset, aws, monkeypatch):
    monkeypatch.setenv("PF_ETL_QUEUE", "no-such-queue")  # moto: QueueDoesNotExist
    monkeypatch.delenv("PF_ETL_QUEUE_URL", raising=False)
    response = client.http.post("/etl/loads/1/rerun", headers=auth["manager"])
    assert response.status_code == 503
    assert response.json_body["error"] == {"code": "service_unavailable", "details": None,
                                           "message": "The ETL queue is unavailable; retry shortly."}
