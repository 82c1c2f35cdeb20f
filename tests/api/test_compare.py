"""GET /influencers/compare?ids=: 2–5 influencers side by side (the world of tests/api/test_shortlists.py)."""

from __future__ import annotations

import json

import pytest

from tests.api.test_shortlists import seed


@pytest.fixture()
def world(api_db):
    seed(api_db)
    return api_db


def _get(client, auth, query, status=200):
    response = client.http.get(f"/influencers/compare?{query}", headers=auth["viewer"])
    assert response.status_code == status, response.body
    return json.loads(response.body)


def test_everything_in_one_call_in_the_order_asked(client, auth, world, db_today):
    items = _get(client, auth, "ids=2,1,3")["items"]
    assert [i["id"] for i in items] == [2, 1, 3]
    two, one, three = items
    assert (one["followers"], one["avg_likes"], one["avg_views"]) == (10000, 400.0, 5000.0)
    assert one["avg_engagement_rate"] == pytest.approx(0.05)
    assert [
        (
            s["content_type"],
            s["predicted_engagement_rate"],
            s["interval_low"],
            s["interval_high"],
            s["cost_per_post"],
            s["cost_low"],
            s["cost_high"],
        )
        for s in one["scores"]
    ] == [
        ("image", 0.03, 0.02, 0.04, 80.0, 60.0, 100.0),
        ("reel", 0.05, 0.04, 0.06, 120.0, 90.0, 160.0),
    ]
    assert (one["cost_content_type"], one["cost_per_post"]) == ("image", 80.0)
    assert one["audience"] == {
        "age_group": [],
        "country": [{"bucket": "US", "share": 0.6}, {"bucket": "GB", "share": 0.4}],
        "gender": [{"bucket": "female", "share": 0.7}, {"bucket": "male", "share": 0.3}],
    }
    assert len(one["trend"]) == 30 and one["trend"][-1]["date"] == db_today.isoformat()
    assert (one["trend"][-1]["engagements"], one["trend"][-1]["likes"], one["trend"][-1]["views"]) == (
        500,
        400,
        5000,
    )
    assert sum(p["engagements"] for p in one["trend"]) == 500
    assert two["flags"] == ["follower spike", "likes without conversation"]
    assert [s["content_type"] for s in two["scores"]] == ["reel", "video"] and two["scores"][0][
        "cost_per_post"
    ] is None
    assert two["audience"] == {"age_group": [], "country": [], "gender": []}
    assert sum(p["engagements"] for p in two["trend"]) == 0
    assert (three["figures_source"], three["avg_engagement_rate"], three["scores"]) == ("snapshot", 0.06, [])


@pytest.mark.parametrize("query", ["ids=1", "ids=1,2,3,4,5,6", "ids=1,1", "ids=1,x", "ids=", "ids=0,1", ""])
def test_ids_are_2_to_5_distinct_ids_else_400_naming_ids(client, auth, world, query):
    error = _get(client, auth, query, 400)["error"]
    assert "ids" in {d["field"] for d in error["details"]}, error


def test_an_unknown_id_is_404(client, auth, world):
    assert "influencer 99" in _get(client, auth, "ids=1,99", 404)["error"]["message"]
