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


OLD_SQL_ERROR = (
    "(pg8000.exceptions.DatabaseError) {'S': 'ERROR', 'V': 'ERROR', 'C': '22003', 'M': 'value "
    "\"99999999999999999999\" is out of range for type bigint', 'F': 'numutils.c', 'L': '614', "
    "'R': 'pg_strtoint64_safe'}\n[SQL: INSERT INTO influencer_profile (influencer_id, followers) VALUES "
    "(%s, %s)]\n[parameters: " + repr([(i, "secret-" + "x" * 40) for i in range(2_000)]) + "]\n"
    "(Background on this error at: https://sqlalche.me/e/20/4xp6)"
)


def test_load_errors_are_one_short_line_without_sql(client, auth, dataset):
    """Issue 10, point 5: rows written before the ETL stored short errors can hold a whole SQLAlchemy
    message (statement, bound rows, server source file); the API shows one clipped line."""
    with dataset.begin() as conn:
        conn.execute(sa.text("UPDATE etl_load SET status = 'failed', error = :e WHERE id = 1"), {"e": OLD_SQL_ERROR})
        conn.execute(sa.text("UPDATE etl_load SET error = :e WHERE id = 2"), {"e": "bad header: " + "h," * 5_000})
    listed = {x["id"]: x["error"] for x in client.http.get("/etl/loads", headers=auth["viewer"]).json_body["items"]}
    one = client.http.get("/etl/loads/1", headers=auth["viewer"]).json_body["error"]
    assert listed[1] == one == 'value "99999999999999999999" is out of range for type bigint (SQLSTATE 22003)'
    two = client.http.get("/etl/loads/2", headers=auth["viewer"]).json_body["error"]
    assert listed[2] == two and len(two) == 300 and two.startswith("bad header: h,h,") and two.endswith("…")
    for shown in (listed[1], listed[2]):
        assert "[SQL" not in shown and "INSERT" not in shown and "secret" not in shown and "numutils" not in shown


def _big_report(rejections: int, value_chars: int) -> dict:
    return {
        "file": "raw/influencers/b.csv", "kind": "influencers", "load_id": 2, "status": "loaded",
        "rows_in": rejections + 3, "rows_loaded": 3, "rows_rejected": rejections,
        "reasons": {f"reason {i}: " + "r" * 500: 1 for i in range(300)},
        "notes": ["n" * 10_000],
        "rejections": [{"line": i + 2, "reason": "followers: not a number", "column": "followers",
                        "value": "v" * value_chars} for i in range(rejections)],
    }


def test_load_detail_inlines_a_bounded_report_and_links_the_full_one(client, auth, dataset, aws):
    """Issue 10, point 7: a 5 MB report is not inlined whole; the first 100 rejections are, clipped, with
    the total and a presigned GET for the report."""
    import boto3
    import requests

    report = _big_report(5_000, 1_000)
    data = json.dumps(report).encode()
    assert len(data) > 5_000_000
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=aws["raw_bucket"], Key="reports/b.json", Body=data)
    response = client.http.get("/etl/loads/2", headers=auth["viewer"])
    assert response.status_code == 200
    assert len(response.body) < 200_000
    body = response.json_body
    shown = body["report"]
    assert [r["line"] for r in shown["rejections"]] == list(range(2, 102))
    assert all(len(r["value"]) == 200 and r["value"].endswith("…") for r in shown["rejections"])
    assert len(shown["reasons"]) == 100 and all(len(k) <= 200 for k in shown["reasons"])
    assert len(shown["notes"][0]) == 200
    assert (shown["rows_rejected"], body["rows_rejected"], body["rejections_total"]) == (5_000, 2, 5_000)
    assert body["report_truncated"] is True and body["report_error"] is None
    assert body["report_url_expires_in"] == 300
    assert "X-Amz-Expires=300" in body["report_url"] or "Expires=" in body["report_url"]
    full = requests.get(body["report_url"], timeout=30)
    assert full.status_code == 200 and full.json() == report


def test_a_report_too_large_to_read_is_only_linked(client, auth, dataset, aws, monkeypatch):
    import boto3

    from predictfluence.api import limits

    monkeypatch.setattr(limits, "REPORT_MAX_READ_BYTES", 100_000)
    data = json.dumps(_big_report(500, 1_000)).encode()
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=aws["raw_bucket"], Key="reports/b.json", Body=data)
    body = client.http.get("/etl/loads/2", headers=auth["viewer"]).json_body
    assert body["report"] is None and body["report_truncated"] is True
    assert body["report_error"].startswith(f"the report has {len(data):,} bytes") and body["report_url"]


def test_a_small_report_is_inlined_whole(client, auth, dataset, aws):
    import boto3

    report = _big_report(3, 10)
    report.pop("reasons")
    report["notes"] = []
    boto3.client("s3", region_name="us-east-1").put_object(Bucket=aws["raw_bucket"], Key="reports/b.json",
                                                           Body=json.dumps(report).encode())
    body = client.http.get("/etl/loads/2", headers=auth["viewer"]).json_body
    assert body["report"] == report and body["report_truncated"] is False and body["rejections_total"] == 3
