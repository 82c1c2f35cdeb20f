"""/uploads (pre-signed POST into raw/<kind>/) and /etl/loads (+ the report from S3 or a local file)."""

from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa


def test_upload_ticket_is_a_presigned_post_limited_to_the_raw_prefix(client, auth, api_db, aws):
    response = client.http.post("/uploads", headers=auth["manager"],
                                body='{"kind": "posts", "filename": "week 1.csv", "content_length": 2048}')
    assert response.status_code == 201, response.body
    ticket = response.json_body
    assert ticket["method"] == "POST" and ticket["bucket"] == aws["raw_bucket"]
    assert ticket["key"].startswith("raw/posts/") and ticket["key"].endswith("-week_1.csv")
    assert (ticket["content_type"], ticket["max_bytes"], ticket["expires_in"]) == ("text/csv", 2048, 900)
    assert ticket["fields"]["key"] == ticket["key"] and ticket["fields"]["Content-Type"] == "text/csv"
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 2048] in conditions
    assert {"Content-Type": "text/csv"} in conditions
    assert {"key": ticket["key"]} in conditions and {"bucket": aws["raw_bucket"]} in conditions


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"kind": "secrets", "filename": "a.csv", "content_length": 1}', "kind"),
        ('{"kind": "posts", "filename": "../../etc/passwd.csv", "content_length": 1}', "filename"),
        ('{"kind": "posts", "filename": "a.exe", "content_length": 1}', "filename"),
        ('{"kind": "posts", "filename": "a/b.csv", "content_length": 1}', "filename"),
        ('{"kind": "posts", "filename": "a.csv", "content_length": 0}', "content_length"),
        ('{"kind": "posts", "filename": "a.csv", "content_length": 536870913}', "content_length"),
    ],
)
def test_upload_request_validation(client, auth, api_db, body, field):
    response = client.http.post("/uploads", headers=auth["manager"], body=body)
    assert response.status_code == 422
    assert field in [d["field"] for d in response.json_body["error"]["details"]]


def test_viewer_cannot_upload(client, auth, api_db):
    response = client.http.post("/uploads", headers=auth["viewer"],
                                body='{"kind": "posts", "filename": "a.csv", "content_length": 1}')
    assert response.status_code == 403


def test_loads_list_and_filters(client, auth, dataset):
    body = client.http.get("/etl/loads", headers=auth["viewer"]).json_body
    assert [(x["id"], x["kind"], x["status"], x["rows_in"], x["rows_loaded"], x["rows_rejected"])
            for x in body["items"]] == [(2, "influencers", "rejected", 5, 3, 2), (1, "posts", "loaded", 10, 10, 0)]
    assert body["page_info"]["total"] == 2
    rejected = client.http.get("/etl/loads?status=rejected", headers=auth["viewer"]).json_body
    assert [x["id"] for x in rejected["items"]] == [2]
    assert client.http.get("/etl/loads?kind=posts&page_size=1", headers=auth["viewer"]).json_body[
        "page_info"] == {"total": 1, "page": 1, "page_size": 1, "pages": 1}


def test_load_detail_reads_the_report_from_s3(client, auth, dataset, aws):
    import boto3

    report = {"rejected": [{"row": 3, "reason": "followers: not a number"}]}
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=aws["raw_bucket"], Key="reports/b.json",
                                                           Body=json.dumps(report).encode())
    body = client.http.get("/etl/loads/2", headers=auth["viewer"]).json_body
    assert body["report"] == report and body["report_error"] is None
    assert body["file_key"] == "raw/influencers/b.csv"


def test_load_detail_reads_a_local_report_and_survives_a_missing_one(client, auth, dataset, aws, tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"ok": true}', encoding="utf-8")
    with dataset.begin() as conn:
        conn.execute(sa.text("UPDATE etl_load SET report_key = :k WHERE id = 1"), {"k": str(path)})
    assert client.http.get("/etl/loads/1", headers=auth["viewer"]).json_body["report"] == {"ok": True}
    missing = client.http.get("/etl/loads/2", headers=auth["viewer"]).json_body
    assert missing["report"] is None and missing["report_error"] == "report unavailable: NoSuchKey"
    assert client.http.get("/etl/loads/3", headers=auth["viewer"]).status_code == 404
