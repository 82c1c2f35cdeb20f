"""/shortlists through the Chalice test client on real PostgreSQL: create (with first creators), list,
rename, add, annotate, remove, delete; the rows' figures (list figures, flags, cheapest cost forecast);
conflicts and refusals naming the field; roles."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

INFLUENCERS = [  # id, platform, handle, category, followers
    (1, "instagram", "ig_a", "Beauty", 10_000),
    (2, "tiktok", "tt_b", "Beauty", 20_000),
    (3, "instagram", "ig_c", "Fashion", 5_000),
    (4, "youtube", "yt_d", None, None),
]
SCORES = [  # influencer, content type, predicted ER, low, high, cost, cost low, cost high, flags
    (1, "reel", 0.05, 0.04, 0.06, 120.0, 90.0, 160.0, []),
    (1, "image", 0.03, 0.02, 0.04, 80.0, 60.0, 100.0, []),
    (2, "video", 0.07, 0.05, 0.09, 300.0, 250.0, 380.0, ["likes without conversation", "follower spike"]),
    (2, "reel", 0.06, None, None, None, None, None, ["follower spike"]),
]


def seed(engine) -> None:
    """Influencer 1 has one reel measured today (500 engagements, 400 likes, 5,000 views), 3 only an imported
    snapshot, 2 and 4 no figures; scores and flags above; 1's audience (country, gender)."""
    from predictfluence.queries.rollups import refresh

    with engine.begin() as conn:
        for iid, platform, handle, category, followers in INFLUENCERS:
            conn.execute(
                sa.text(
                    "INSERT INTO influencer (id, platform, handle, name, category, followers) "
                    "VALUES (:i, :p, :h, upper(:h), :c, :f)"
                ),
                {"i": iid, "p": platform, "h": handle, "c": category, "f": followers},
            )
        conn.execute(
            sa.text(
                "INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers, posts, avg_likes, "
                "avg_views, engagement_rate) VALUES (3, DATE '2026-11-01', 'list', 5000, 40, 250, 1000, 0.06)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO post (id, platform, external_id, influencer_id, posted_at, content_type) "
                "VALUES (1, 'instagram', 'p1', 1, now() - interval '1 day', 'reel')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views) "
                "VALUES (1, CURRENT_DATE, 400, 50, 30, 20, 5000)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO model_version (id, kind, version, status, metrics, artifact_uri, sha256, details) "
                "VALUES (1, 'engagement', 'v1', 'champion', '{}', 's3://m/v1/model.joblib', 'a', '{}')"
            )
        )
        for iid, ct, er, low, high, cost, c_low, c_high, flags in SCORES:
            conn.execute(
                sa.text(
                    "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, "
                    "er_low, er_high, cost_per_post, cost_low, cost_high, anomaly_reasons) "
                    "VALUES (:i, :ct, 1, :er, :lo, :hi, :c, :cl, :ch, CAST(:r AS jsonb))"
                ),
                {
                    "i": iid,
                    "ct": ct,
                    "er": er,
                    "lo": low,
                    "hi": high,
                    "c": cost,
                    "cl": c_low,
                    "ch": c_high,
                    "r": json.dumps(flags),
                },
            )
        conn.execute(
            sa.text(
                "INSERT INTO audience_share (influencer_id, dimension, bucket, share) VALUES "
                "(1, 'country', 'US', 0.6), (1, 'country', 'GB', 0.4), (1, 'gender', 'female', 0.7), "
                "(1, 'gender', 'male', 0.3)"
            )
        )
    refresh(engine, concurrently=False)


@pytest.fixture()
def world(api_db):
    seed(api_db)
    return api_db


def call(client, auth, method, path, body=None, status=200, role="manager"):
    headers = {**auth[role], "Content-Type": "application/json"}
    kwargs = {"body": json.dumps(body)} if body is not None else {}
    response = getattr(client.http, method)(path, headers=headers, **kwargs)
    assert response.status_code == status, response.body
    return json.loads(response.body) if response.body else None


def test_create_fill_annotate_and_read_with_figures(client, auth, world):
    created = call(
        client, auth, "post", "/shortlists", {"name": "Spring picks", "influencer_ids": [2, 1]}, 201
    )
    assert created["name"] == "Spring picks" and created["size"] == 2 and created["id"] == 1
    assert created["created_by"] == "test manager (key 2)"
    assert [i["id"] for i in created["items"]] == [2, 1]  # the order they were given
    call(client, auth, "post", "/shortlists/1/items", {"influencer_ids": [3, 1], "note": "ask rates"})
    call(client, auth, "patch", "/shortlists/1/items/2", {"note": "great reels"})
    got = call(client, auth, "get", "/shortlists/1", role="viewer")
    assert got["size"] == 3
    items = {i["id"]: i for i in got["items"]}
    assert [i["id"] for i in got["items"]] == [2, 1, 3]
    assert [items[i]["note"] for i in (2, 1, 3)] == ["great reels", None, "ask rates"]  # 1 kept its note
    one = items[1]
    assert (one["handle"], one["followers"], one["posts"], one["figures_source"]) == (
        "ig_a",
        10000,
        1,
        "posts",
    )
    assert one["avg_engagement_rate"] == pytest.approx(0.05)
    assert (one["avg_likes"], one["avg_views"]) == (400.0, 5000.0)
    assert one["flags"] == [] and one["added_by"] == "test manager (key 2)"
    assert (one["cost_content_type"], one["cost_per_post"], one["cost_low"], one["cost_high"]) == (
        "image",
        80.0,
        60.0,
        100.0,
    )
    two = items[2]
    assert two["flags"] == ["follower spike", "likes without conversation"]
    assert (two["cost_content_type"], two["cost_per_post"]) == ("video", 300.0)
    assert two["avg_engagement_rate"] is None and two["figures_source"] is None
    three = items[3]
    assert (three["figures_source"], three["avg_engagement_rate"], three["avg_likes"]) == (
        "snapshot",
        0.06,
        250.0,
    )
    assert three["cost_per_post"] is None and three["flags"] == []


def test_list_rename_remove_delete(client, auth, world):
    call(client, auth, "post", "/shortlists", {"name": "b list", "influencer_ids": [1]}, 201)
    call(client, auth, "post", "/shortlists", {"name": "A list"}, 201)
    page = call(client, auth, "get", "/shortlists", role="viewer")
    assert [(s["name"], s["size"]) for s in page["items"]] == [("A list", 0), ("b list", 1)]
    assert page["page_info"] == {"total": 2, "page": 1, "page_size": 50, "pages": 1}
    assert call(client, auth, "patch", "/shortlists/1", {"name": "Beauty"})["name"] == "Beauty"
    call(client, auth, "delete", "/shortlists/1/items/1", status=204)
    assert call(client, auth, "get", "/shortlists/1")["items"] == []
    call(client, auth, "delete", "/shortlists/1/items/1", status=404)
    assert call(client, auth, "delete", "/shortlists/2")["name"] == "A list"
    assert [s["name"] for s in call(client, auth, "get", "/shortlists")["items"]] == ["Beauty"]
    call(client, auth, "get", "/shortlists/2", status=404)


def test_deleting_an_influencer_takes_it_off_its_lists(client, auth, world):
    call(client, auth, "post", "/shortlists", {"name": "x", "influencer_ids": [1, 4]}, 201)
    with world.begin() as conn:
        conn.execute(sa.text("DELETE FROM influencer WHERE id = 4"))
    assert [i["id"] for i in call(client, auth, "get", "/shortlists/1")["items"]] == [1]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("post", "/shortlists", {"name": "Taken"}, 409, "name"),
        ("patch", "/shortlists/2", {"name": "Taken"}, 409, "name"),
        ("post", "/shortlists", {"name": ""}, 422, "name"),
        ("post", "/shortlists", {"name": "n", "influencer_ids": [1, 99]}, 422, "influencer_ids"),
        ("post", "/shortlists/1/items", {"influencer_ids": [99]}, 422, "influencer_ids"),
        ("post", "/shortlists/1/items", {"influencer_ids": []}, 422, "influencer_ids"),
        ("post", "/shortlists/1/items", {"influencer_ids": list(range(1, 502))}, 422, "influencer_ids"),
        ("post", "/shortlists/9/items", {"influencer_ids": [1]}, 404, None),
        ("patch", "/shortlists/1/items/3", {"note": "x"}, 404, None),
        ("patch", "/shortlists/1/items/1", {"note": "x" * 2001}, 422, "note"),
        ("patch", "/shortlists/9", {"name": "y"}, 404, None),
        ("delete", "/shortlists/9", None, 404, None),
    ],
)
def test_refusals_name_the_field(client, auth, world, method, path, body, status, field):
    call(client, auth, "post", "/shortlists", {"name": "Taken", "influencer_ids": [1]}, 201)
    call(client, auth, "post", "/shortlists", {"name": "Other"}, 201)
    error = call(client, auth, method, path, body, status)["error"]
    if field is not None:
        assert field in {d["field"] for d in error["details"]}, error


def test_viewers_read_but_do_not_write(client, auth, world):
    call(client, auth, "post", "/shortlists", {"name": "v"}, 403, role="viewer")
    call(client, auth, "post", "/shortlists", {"name": "v"}, 201)
    call(client, auth, "post", "/shortlists/1/items", {"influencer_ids": [1]}, 403, role="viewer")
    call(client, auth, "delete", "/shortlists/1", status=403, role="viewer")
    assert call(client, auth, "get", "/shortlists/1", role="viewer")["size"] == 0
