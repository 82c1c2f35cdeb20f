"""Exports of lists that can be large (issue 13.4): GET /influencers.csv (the list's filters, every page) and
GET /shortlists/{id}/items.csv — the CSV body when small, else a file in S3 (streamed multipart upload) and
a JSON link to it; formula cells neutralised; refusals name the field."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import boto3
import sqlalchemy as sa

from tests.api.test_shortlists import call
from tests.api.test_shortlists import seed as seed_shortlists

HEADER = [
    "id", "handle", "name", "platform", "category", "country", "language", "followers", "follower_tier", "posts",
    "avg_engagement_rate", "avg_likes", "avg_views", "avg_comments", "figures_source", "growth_30d", "growth_90d",
]
# platform=instagram,tiktok sorted by followers ascending: bob, alice, erin (no metrics), carol; alice's
# growth: (19,900 - 15,000) / 15,000 over both 30 and 90 days (the snapshot 100 days back is the latest ≥ 30/90 days before)
ROWS = [
    ["2", "ig_bob", "'=1+2", "instagram", "fitness", "UK", "en", "8000", "nano", "1", "0.05", "300.0", "2000.0",
     "50.0", "posts", "", ""],
    ["1", "ig_alice", "Alice A", "instagram", "beauty", "US", "en", "20000", "micro", "3", "0.09000000000000001",
     "1500.0", "15000.0", "150.0", "posts", "0.32666666666666666", "0.32666666666666666"],
    ["5", "ig_erin", "Erin_E%", "instagram", "beauty", "US", "en", "25000", "micro", "1", "", "", "", "", "", "",
     ""],
    ["3", "tt_carol", "-5", "tiktok", "beauty", "US", "en", "150000", "mid", "1", "0.06666666666666667", "9000.0",
     "50000.0", "600.0", "posts", "", ""],
]
QUERY = "/influencers.csv?platform=instagram,tiktok&sort=followers&order=asc&page=2&page_size=1"


def _text(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def _formulas(dataset) -> None:
    """Bob's name is a formula (neutralised); Carol's a negative number (data, kept)."""
    from predictfluence.queries.rollups import refresh

    with dataset.begin() as conn:
        conn.execute(sa.text("UPDATE influencer SET name = '=1+2' WHERE id = 2"))
        conn.execute(sa.text("UPDATE influencer SET name = '-5' WHERE id = 3"))
    refresh(dataset, concurrently=False)  # the list reads the rollup


def test_influencer_search_as_csv_every_page(client, auth, dataset):
    _formulas(dataset)
    response = client.http.get(QUERY, headers=auth["viewer"])
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="influencers.csv"'
    assert list(csv.reader(io.StringIO(_text(response)))) == [HEADER, *ROWS]  # page / page_size ignored


def test_influencer_export_filters_like_the_list(client, auth, dataset):
    for query, expected in (("min_er=0.06&sort=avg_er", ["1", "3"]),  # ER 0.09, 0.0667
                            ("min_er=0.06&sort=avg_er&hide_flagged=true", ["3"])):  # alice is flagged
        got = client.http.get(f"/influencers.csv?{query}", headers=auth["viewer"])
        listed = client.http.get(f"/influencers?{query}", headers=auth["viewer"])
        ids = [row[0] for row in list(csv.reader(io.StringIO(_text(got))))[1:]]
        assert ids == [str(i["id"]) for i in json.loads(listed.body)["items"]] == expected
    none = client.http.get("/influencers.csv?q=nobody-here", headers=auth["viewer"])
    assert _text(none) == ",".join(HEADER) + "\r\n"


def test_influencer_export_refusals_name_the_field(client, auth, dataset):
    for query, field in (("min_er=2", "min_er"), ("sort=nope", "sort"), ("limit=5", "limit"),
                         ("min_er=0.5&max_er=0.1", "query")):
        response = client.http.get(f"/influencers.csv?{query}", headers=auth["viewer"])
        assert response.status_code == 400, (query, response.body)
        assert field in [d["field"] for d in json.loads(response.body)["error"]["details"]], query
    assert client.http.get("/influencers.csv").status_code == 401


def _object(aws, key: str) -> str:
    return boto3.client("s3", region_name="us-east-1").get_object(
        Bucket=aws["models_bucket"], Key=key)["Body"].read().decode()


def test_large_export_is_a_link_to_a_file_in_s3(client, auth, dataset, aws, monkeypatch):
    from predictfluence.api import csv_export

    _formulas(dataset)
    direct = _text(client.http.get(QUERY, headers=auth["viewer"]))
    monkeypatch.setattr(csv_export, "DIRECT_MAX_ROWS", 3)  # 4 rows match: more than a body may hold
    response = client.http.get(QUERY, headers=auth["viewer"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    link = json.loads(response.body)
    assert (link["delivery"], link["rows"], link["filename"], link["bucket"], link["expires_in"]) == (
        "link", 4, "influencers.csv", aws["models_bucket"], 900)
    assert link["key"].startswith("exports/") and link["key"].endswith("-influencers.csv")
    assert link["bytes"] == len(direct.encode())
    assert _object(aws, link["key"]) == direct
    assert link["key"] in link["url"] and "Signature=" in link["url"]
    assert "response-content-disposition=attachment%3B%20filename%3D%22influencers.csv%22" in link["url"]


def test_rows_too_wide_for_a_body_go_to_s3_too(client, auth, dataset, aws, monkeypatch):
    from predictfluence.api import csv_export

    monkeypatch.setattr(csv_export, "DIRECT_MAX_BYTES", 300)  # 5 rows, 1 under DIRECT_MAX_ROWS, but > 300 bytes
    response = client.http.get("/influencers.csv", headers=auth["viewer"])
    link = json.loads(response.body)
    assert link["rows"] == 5
    rows = list(csv.reader(io.StringIO(_object(aws, link["key"]))))
    assert rows[0] == HEADER and [r[0] for r in rows[1:]] == ["4", "3", "5", "1", "2"]  # followers desc


def test_upload_stream_is_a_multipart_upload_of_bounded_parts(aws):
    """40 MiB in 128 KiB chunks: five parts of 8 MiB, the object equal to the chunks in order."""
    from predictfluence import storage

    chunks = [hashlib.sha256(str(i).encode()).hexdigest().encode() * 2048 for i in range(320)]  # 128 KiB each
    assert storage.upload_stream(aws["models_bucket"], "exports/t.csv", iter(chunks), "text/csv") == 40 * 2**20
    got = boto3.client("s3", region_name="us-east-1").get_object(Bucket=aws["models_bucket"], Key="exports/t.csv")
    assert got["ContentType"] == "text/csv" and got["ETag"].strip('"').endswith("-5")
    assert got["Body"].read() == b"".join(chunks)


SHORTLIST_HEADER = [
    "id", "handle", "name", "platform", "category", "country", "language", "followers", "follower_tier", "posts",
    "avg_engagement_rate", "avg_likes", "avg_views", "avg_comments", "flags", "cost_content_type", "cost_per_post",
    "cost_low", "cost_high", "note", "added_at",
]


def test_shortlist_as_csv(client, auth, api_db):
    seed_shortlists(api_db)
    call(client, auth, "post", "/shortlists", {"name": "Spring picks", "influencer_ids": [2, 1]}, 201)
    call(client, auth, "patch", "/shortlists/1/items/2", {"note": "=cmd|' /C calc'!A0"})
    response = client.http.get("/shortlists/1/items.csv", headers=auth["viewer"])
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="shortlist-1.csv"'
    rows = list(csv.reader(io.StringIO(_text(response))))
    assert rows[0] == SHORTLIST_HEADER
    assert [r[:-1] for r in rows[1:]] == [  # added_at: when it was added
        ["2", "tt_b", "TT_B", "tiktok", "Beauty", "", "", "20000", "micro", "0", "", "", "", "",
         "follower spike; likes without conversation", "video", "300.0", "250.0", "380.0", "'=cmd|' /C calc'!A0"],
        ["1", "ig_a", "IG_A", "instagram", "Beauty", "", "", "10000", "micro", "1", "0.05", "400.0", "5000.0", "50.0",
         "", "image", "80.0", "60.0", "100.0", ""],
    ]
    assert all(r[-1].startswith("20") for r in rows[1:])
    missing = client.http.get("/shortlists/9/items.csv", headers=auth["viewer"])
    assert missing.status_code == 404 and json.loads(missing.body)["error"]["details"]["resource"] == "shortlist"
    empty = call(client, auth, "post", "/shortlists", {"name": "Empty"}, 201)
    assert _text(client.http.get(f"/shortlists/{empty['id']}/items.csv", headers=auth["viewer"])) == (
        ",".join(SHORTLIST_HEADER) + "\r\n")


def test_link_counts_the_rows_written_not_the_count_before(aws, monkeypatch):
    """The total is counted before the rows are streamed (a load may land in between): the link says what the
    file holds."""
    from predictfluence.api import csv_export

    monkeypatch.setattr(csv_export, "DIRECT_MAX_ROWS", 0)
    link = csv_export.csv_export("x.csv", ("id", "name"), 1, iter([[(1, "=a")], [(2, "b"), (3, None)]]))
    assert (link.rows, link.bytes) == (3, len(b"id,name\r\n1,'=a\r\n2,b\r\n3,\r\n"))
    assert _object(aws, link.key) == "id,name\r\n1,'=a\r\n2,b\r\n3,\r\n"
