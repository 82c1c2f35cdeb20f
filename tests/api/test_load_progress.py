"""GET /etl/loads while loads run (issue 13.9): a running load is `processing` with its `rows_processed` (from
the ETL's progress row, etl_jobs.progress); an ended one has rows_processed = rows_in; a progress row left by
a run that died long ago is ignored. Dataset: tests/api/dataset.py (load 1 posts loaded 10 rows, load 2
influencers rejected 2 of 5)."""

from __future__ import annotations

import sqlalchemy as sa


def _progress(db, load_id: int, key: str, kind: str, rows: int, age_minutes: int = 0) -> None:
    with db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO etl_load_progress (load_id, file_key, kind, rows_processed, started_at, updated_at) "
            "VALUES (:id, :key, :kind, :rows, now() - make_interval(mins => :age + 1), "
            "now() - make_interval(mins => :age))"), {"id": load_id, "key": key, "kind": kind, "rows": rows,
                                                       "age": age_minutes})


def test_running_loads_show_rows_processed(client, auth, dataset, db):
    _progress(db, 7, "raw/post_metrics/big.csv", "post_metrics", 125_000)  # a new load, not committed yet
    _progress(db, 1, "raw/posts/a.csv", "posts", 4)  # load 1 re-run (forced), running
    _progress(db, 9, "raw/posts/dead.csv", "posts", 50, age_minutes=20)  # a killed run's leftover
    body = client.http.get("/etl/loads", headers=auth["viewer"]).json_body
    got = [(x["id"], x["kind"], x["status"], x["rows_in"], x["rows_processed"], x["finished_at"] is None)
           for x in body["items"]]
    assert got == [
        (7, "post_metrics", "processing", 0, 125_000, True),
        (2, "influencers", "rejected", 5, 5, False),
        (1, "posts", "processing", 10, 4, False),  # the previous run's counts until the re-run commits
    ]
    assert body["page_info"]["total"] == 3
    running = client.http.get("/etl/loads?status=processing", headers=auth["viewer"]).json_body
    assert [x["id"] for x in running["items"]] == [7, 1] and running["page_info"]["total"] == 2
    one = client.http.get("/etl/loads/7", headers=auth["viewer"])
    assert one.status_code == 200
    assert (one.json_body["status"], one.json_body["rows_processed"], one.json_body["file_key"]) == (
        "processing", 125_000, "raw/post_metrics/big.csv")
    assert client.http.get("/etl/loads/9", headers=auth["viewer"]).status_code == 404


def test_a_running_load_cannot_be_rerun(client, auth, dataset, db):
    _progress(db, 1, "raw/posts/a.csv", "posts", 4)
    response = client.http.post("/etl/loads/1/rerun", headers=auth["manager"])
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "load_in_progress"


def test_ended_loads_have_every_row_processed(client, auth, dataset):
    body = client.http.get("/etl/loads", headers=auth["viewer"]).json_body
    assert [(x["id"], x["rows_processed"]) for x in body["items"]] == [(2, 5), (1, 10)]
