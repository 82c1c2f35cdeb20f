"""No silent caps (issue 13): lists page and say how many there are."""

from __future__ import annotations

import sqlalchemy as sa


def test_campaigns_beyond_a_page(client, auth, dataset):
    with dataset.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO campaign (name, budget) SELECT 'c' || lpad(g::text, 3, '0'), 0 "
                "FROM generate_series(1, 205) g"
            )
        )
    first = client.http.get("/campaigns?page_size=200&sort=name", headers=auth["viewer"]).json_body
    assert first["page_info"] == {"total": 208, "page": 1, "page_size": 200, "pages": 2}
    second = client.http.get("/campaigns?page_size=200&page=2&sort=name", headers=auth["viewer"]).json_body
    assert len(first["items"]) == 200 and len(second["items"]) == 8
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}


def test_recommendations_page_and_has_more(client, auth, dataset):
    url = "/recommendations?include_flagged=true&objective=engagement_rate&limit=1"
    first = client.http.get(url, headers=auth["viewer"]).json_body
    assert (first["page"], first["has_more"], [(i["rank"], i["handle"]) for i in first["items"]]) == (
        1,
        True,
        [(1, "ig_alice")],
    )
    second = client.http.get(url + "&page=2", headers=auth["viewer"]).json_body
    assert (second["page"], second["has_more"], [(i["rank"], i["handle"]) for i in second["items"]]) == (
        2,
        False,
        [(2, "tt_carol")],
    )
    third = client.http.get(url + "&page=3", headers=auth["viewer"]).json_body
    assert (third["items"], third["has_more"]) == ([], False)
    assert client.http.get(url + "&page=51", headers=auth["viewer"]).status_code == 400


def test_loads_beyond_a_page(client, auth, dataset):
    with dataset.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO etl_load (file_key, checksum, kind, status, rows_in, rows_loaded, rows_rejected, "
                "started_at) SELECT 'raw/posts/' || g || '.csv', lpad(g::text, 64, '0'), 'posts', 'loaded', 1, 1, 0, "
                "now() FROM generate_series(1, 23) g"
            )
        )
    first = client.http.get("/etl/loads?page_size=20", headers=auth["viewer"]).json_body
    assert first["page_info"] == {"total": 25, "page": 1, "page_size": 20, "pages": 2}
    second = client.http.get("/etl/loads?page_size=20&page=2", headers=auth["viewer"]).json_body
    assert len(second["items"]) == 5
