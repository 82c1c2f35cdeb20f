"""CSV exports (issue 13): exact content, formula cells neutralised, 404s, the chunked writer."""

from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    text = response.body.decode() if isinstance(response.body, bytes) else response.body
    return list(csv.reader(io.StringIO(text)))


def test_campaign_report_csv(client, auth, dataset):
    with dataset.begin() as conn:  # a name a spreadsheet would run as a formula; a negative number is data
        conn.execute(sa.text("UPDATE influencer SET name = '=HYPERLINK(\"http://x\")' WHERE id = 1"))
        conn.execute(sa.text("UPDATE influencer SET name = '-5' WHERE id = 3"))
    response = client.http.get("/campaigns/1/report.csv", headers=auth["viewer"])
    assert response.headers["Content-Disposition"] == 'attachment; filename="campaign-1-report.csv"'
    assert _csv(response) == [
        [
            "influencer_id",
            "handle",
            "name",
            "platform",
            "followers",
            "hire_status",
            "agreed_cost",
            "currency",
            "posts",
            "engagements",
            "engagement_rate",
            "views",
            "impressions",
            "clicks",
            "orders",
            "revenue",
            "cpe",
            "roas",
            "cpa",
        ],
        [
            "1",
            "ig_alice",
            '\'=HYPERLINK("http://x")',
            "instagram",
            "20000",
            "contracted",
            "3000.00",
            "USD",
            "2",
            "4900",
            "0.1225",
            "15000",
            "30000",
            "150",
            "15",
            "750.00",
            "0.6122",
            "0.2500",
            "200.00",
        ],
        [
            "3",
            "tt_carol",
            "-5",
            "tiktok",
            "150000",
            "live",
            "5000.00",
            "USD",
            "1",
            "10000",
            "0.06666666666666667",
            "50000",
            "60000",
            "200",
            "20",
            "2000.00",
            "0.5000",
            "0.4000",
            "250.00",
        ],
    ]


def test_campaign_report_csv_empty_and_unknown(client, auth, dataset):
    assert _csv(client.http.get("/campaigns/3/report.csv", headers=auth["viewer"]))[1:] == []
    missing = client.http.get("/campaigns/99/report.csv", headers=auth["viewer"])
    assert missing.status_code == 404 and missing.json_body["error"]["code"] == "not_found"
    assert client.http.get("/campaigns/1/report.csv").status_code == 401


def test_recommendations_csv_is_the_same_page(client, auth, dataset):
    rows = _csv(
        client.http.get(
            "/recommendations.csv?include_flagged=true&objective=engagement_rate", headers=auth["viewer"]
        )
    )
    assert rows[0][:4] == ["rank", "influencer_id", "handle", "name"]
    assert [(r[0], r[2], r[9], r[10], r[17]) for r in rows[1:]] == [
        ("1", "ig_alice", "video", "0.12", ""),
        ("2", "tt_carol", "video", "0.06", ""),
    ]
    image = _csv(
        client.http.get(
            "/recommendations.csv?include_flagged=true&content_type=image", headers=auth["viewer"]
        )
    )
    assert [(r[2], r[17], r[18]) for r in image[1:]] == [
        ("ig_alice", "engagement spike", "Strong beauty audience")
    ]
    page2 = _csv(
        client.http.get(
            "/recommendations.csv?include_flagged=true&objective=engagement_rate&limit=1&page=2",
            headers=auth["viewer"],
        )
    )
    assert [(r[0], r[2]) for r in page2[1:]] == [("2", "tt_carol")]
    bad = client.http.get("/recommendations.csv?page=0", headers=auth["viewer"])
    assert bad.status_code == 400 and "page" in bad.json_body["error"]["message"]


def test_rejected_rows_csv_from_the_report(client, auth, dataset, tmp_path):
    report = tmp_path / "b.csv.json"
    report.write_text(
        json.dumps(
            {
                "rejections": [
                    {"line": 2, "reason": "followers is negative", "column": "followers", "value": "'-3"},
                    {"line": 5, "reason": "handle missing", "column": "handle", "value": None},
                    {"line": 7, "reason": "bad platform", "column": "platform", "value": "@SUM(A1)"},
                ]
            }
        )
    )
    with dataset.begin() as conn:
        conn.execute(sa.text("UPDATE etl_load SET report_key = :k WHERE id = 2"), {"k": str(report)})
    rows = _csv(client.http.get("/etl/loads/2/rejected.csv", headers=auth["viewer"]))
    assert rows == [
        ["line", "reason", "column", "value"],
        ["2", "followers is negative", "followers", "'-3"],
        ["5", "handle missing", "handle", ""],
        ["7", "bad platform", "platform", "'@SUM(A1)"],
    ]
    assert _csv(client.http.get("/etl/loads/1/rejected.csv", headers=auth["viewer"])) == [
        ["line", "reason", "column", "value"]
    ]  # no report: just the header
    report.unlink()
    gone = client.http.get("/etl/loads/2/rejected.csv", headers=auth["viewer"])
    assert gone.status_code == 404 and gone.json_body["error"]["details"]["resource"] == "load report"
    assert client.http.get("/etl/loads/9/rejected.csv", headers=auth["viewer"]).status_code == 404


def test_export_writer_chunks_and_neutralises():
    from predictfluence.api.csv_export import csv_text

    chunks = iter([[(1, "=1+1", None)], [(2, "+3.5", "a,b")], []])
    assert csv_text(("id", "name", "note"), chunks) == 'id,name,note\r\n1,\'=1+1,\r\n2,+3.5,"a,b"\r\n'


def test_streamed_rows_come_in_chunks(dataset):
    from predictfluence.queries import exports

    chunks = list(exports.stream("SELECT id FROM influencer ORDER BY id", chunk=2))
    assert chunks == [[(1,), (2,)], [(3,), (4,)], [(5,)]]
