"""/analytics with a period (start_date..end_date), platform/campaign/category filters and compare=previous.

Exact numbers on tests/api/dataset.py (T = the database's CURRENT_DATE). Metric rows by day (engagements, ER):
T-10 p1 alice 1200 0.06 · T-9 p1 700 0.035 · T-5 p2 alice 2400 0.12 · T-4 p2 alice 600 0.03 and p4 carol 10000
10000/150000 · T-2 p5 bob (fitness) 400 0.05 · T-40 p3 alice 500. Posts published: p1 T-10 image, p2 T-5 video,
p3 T-40 image, p4 T-4 video, p5 T-2 reel, p6 T-1 image (no metrics).
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa


@pytest.fixture
def today(dataset) -> dt.date:
    with dataset.connect() as conn:
        return conn.execute(sa.text("SELECT CURRENT_DATE")).scalar_one()


def _get(client, auth, path: str) -> dict:
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 200, response.body
    return response.json_body


def _d(today: dt.date, back: int) -> str:
    return (today - dt.timedelta(days=back)).isoformat()


def test_trend_over_a_period_with_the_previous_one(client, auth, today):
    body = _get(
        client,
        auth,
        f"/analytics/engagement-trend?start_date={_d(today, 6)}&end_date={_d(today, 0)}&compare=previous",
    )
    assert (body["start_date"], body["end_date"], len(body["points"])) == (_d(today, 6), _d(today, 0), 7)
    assert [p["engagements"] for p in body["points"]] == [0, 2400, 10600, 0, 400, 0, 0]
    assert body["totals"]["posts"] == 4 and body["totals"]["engagements"] == 13400
    assert body["totals"]["engagement_rate"] == pytest.approx(
        (0.12 + 0.03 + 10000 / 150000 + 0.05) / 4, rel=1e-12
    )
    previous = body["previous"]
    assert (previous["start_date"], previous["end_date"]) == (_d(today, 13), _d(today, 7))
    assert [p["engagements"] for p in previous["points"]] == [0, 0, 0, 1200, 700, 0, 0]
    assert (previous["totals"]["posts"], previous["totals"]["engagements"]) == (2, 1900)
    assert previous["totals"]["engagement_rate"] == pytest.approx(0.0475, rel=1e-12)
    change = body["change_pct"]
    assert change["posts"] == pytest.approx(100.0) and change["engagements"] == pytest.approx(
        100 * 11500 / 1900
    )
    assert change["engagement_rate"] == pytest.approx(
        100 * (body["totals"]["engagement_rate"] - 0.0475) / 0.0475
    )
    assert change["views"] is None  # no views in the previous period: no percentage


def test_trend_without_compare_has_no_previous(client, auth, today):
    body = _get(
        client, auth, f"/analytics/engagement-trend?start_date={_d(today, 2)}&end_date={_d(today, 0)}"
    )
    assert body["previous"] is None and body["change_pct"] is None
    assert body["totals"]["engagements"] == 400 and body["totals"]["posts"] == 1


def test_trend_by_category(client, auth, today):
    window = f"start_date={_d(today, 13)}&end_date={_d(today, 0)}"
    fitness = _get(client, auth, f"/analytics/engagement-trend?{window}&category=fitness")
    assert [(p["date"], p["engagements"]) for p in fitness["points"] if p["posts"]] == [(_d(today, 2), 400)]
    beauty_ig = _get(client, auth, f"/analytics/engagement-trend?{window}&category=Beauty&platform=instagram")
    assert [p["engagements"] for p in beauty_ig["points"] if p["posts"]] == [1200, 700, 2400, 600]
    assert beauty_ig["totals"]["engagement_rate"] == pytest.approx(
        (0.06 + 0.035 + 0.12 + 0.03) / 4, rel=1e-12
    )
    beauty_c1 = _get(client, auth, f"/analytics/engagement-trend?{window}&category=beauty&campaign_id=1")
    assert beauty_c1["totals"]["engagements"] == 1200 + 700 + 2400 + 10600
    assert _get(client, auth, f"/analytics/engagement-trend?{window}&category=tech")["totals"]["posts"] == 0


def test_content_types_of_posts_published_in_a_period_with_the_previous_one(client, auth, today):
    body = _get(
        client,
        auth,
        f"/analytics/content-types?start_date={_d(today, 6)}&end_date={_d(today, 0)}&compare=previous",
    )
    assert [(i["content_type"], i["posts"], i["engagements"]) for i in body["items"]] == [
        ("video", 2, 13000),
        ("reel", 1, 400),
        ("image", 1, 0),
    ]
    assert body["items"][0]["avg_engagement_rate"] == pytest.approx((0.15 + 10000 / 150000) / 2, rel=1e-12)
    assert body["items"][2]["avg_engagement_rate"] is None and body["items"][2]["avg_likes"] is None
    assert (body["previous_start_date"], body["previous_end_date"]) == (_d(today, 13), _d(today, 7))
    assert [
        (i["content_type"], i["posts"], i["avg_engagement_rate"], i["engagements"]) for i in body["previous"]
    ] == [("image", 1, 0.095, 1900)]
    assert body["change_pct"] == {
        "video": {"posts": None, "avg_engagement_rate": None, "engagements": None},
        "reel": {"posts": None, "avg_engagement_rate": None, "engagements": None},
        "image": {"posts": 0.0, "avg_engagement_rate": None, "engagements": -100.0},
    }


def test_content_types_by_category_platform_and_campaign(client, auth, today):
    beauty = _get(client, auth, "/analytics/content-types?category=beauty")
    assert [(i["content_type"], i["posts"], i["engagements"]) for i in beauty["items"]] == [
        ("video", 2, 13000),
        ("image", 3, 2400),
    ]
    assert beauty["start_date"] is None and beauty["previous"] is None
    fitness = _get(client, auth, "/analytics/content-types?category=fitness&platform=instagram")
    assert [(i["content_type"], i["posts"], i["avg_likes"]) for i in fitness["items"]] == [("reel", 1, 300.0)]
    glow = _get(
        client, auth, f"/analytics/content-types?campaign_id=1&category=beauty&end_date={_d(today, 5)}"
    )
    # end_date alone: the 30 days up to it (p1 at T-10 and p2 at T-5; p4 at T-4 is after)
    assert (glow["start_date"], glow["end_date"]) == (_d(today, 34), _d(today, 5))
    assert [(i["content_type"], i["posts"]) for i in glow["items"]] == [("video", 1), ("image", 1)]
    tiktok = _get(client, auth, f"/analytics/content-types?platform=tiktok&start_date={_d(today, 4)}")
    assert [(i["content_type"], i["posts"]) for i in tiktok["items"]] == [("video", 1)]


def test_content_types_compare_without_dates_is_the_last_30_days(client, auth, today):
    body = _get(client, auth, "/analytics/content-types?compare=previous")
    assert (body["start_date"], body["end_date"]) == (_d(today, 29), _d(today, 0))
    assert (body["previous_start_date"], body["previous_end_date"]) == (_d(today, 59), _d(today, 30))
    assert [(i["content_type"], i["posts"]) for i in body["previous"]] == [("image", 1)]  # p3 at T-40


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/analytics/engagement-trend?start_date=2026-03-10&end_date=2026-03-09", "end_date"),
        ("/analytics/content-types?start_date=2026-03-10&end_date=2026-03-09", "end_date"),
        ("/analytics/engagement-trend?start_date=2025-01-01&end_date=2026-01-02", "end_date"),
        ("/analytics/content-types?start_date=2025-01-01&end_date=2026-01-02", "end_date"),
        ("/analytics/engagement-trend?start_date=2026-02-30", "start_date"),
        ("/analytics/engagement-trend?compare=next", "compare"),
        ("/analytics/content-types?compare=yes", "compare"),
        ("/analytics/engagement-trend?category=" + "x" * 65, "category"),
        ("/analytics/content-types?campaign_id=0", "campaign_id"),
        ("/analytics/engagement-trend?days=367", "days"),
    ],
)
def test_bad_period_is_400_naming_the_field(client, auth, api_db, path, field):
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 400, response.body
    assert field in [d["field"] for d in response.json_body["error"]["details"]]


def test_a_full_year_is_allowed_and_a_missing_campaign_is_404(client, auth, today):
    year = _get(client, auth, "/analytics/engagement-trend?start_date=2024-01-01&end_date=2024-12-31")
    assert len(year["points"]) == 366
    response = client.http.get(
        "/analytics/content-types?campaign_id=9&start_date=2026-01-01&end_date=2026-01-31",
        headers=auth["viewer"],
    )
    assert response.status_code == 404


def test_top_campaigns_over_a_period_platform_and_category(client, auth, today):
    body = _get(client, auth, f"/analytics/top-campaigns?start_date={_d(today, 6)}&end_date={_d(today, 0)}")
    assert [
        (c["campaign_id"], c["posts"], c["engagements"], c["views"], c["spent"]) for c in body["items"]
    ] == [(1, 2, 13000, 65000, 8000.0), (2, 1, 400, 2000, 600.0), (3, 0, 0, 0, 0.0)]
    assert body["items"][0]["avg_engagement_rate"] == pytest.approx((0.15 + 10000 / 150000) / 2, rel=1e-12)
    assert body["items"][0]["cpe"] == pytest.approx(8000 / 13000, rel=1e-12)
    fitness = _get(client, auth, "/analytics/top-campaigns?category=fitness")
    assert [(c["campaign_id"], c["posts"], c["avg_engagement_rate"]) for c in fitness["items"]] == [
        (2, 1, 0.05),
        (1, 0, None),
        (3, 0, None),
    ]
    tiktok = _get(client, auth, "/analytics/top-campaigns?platform=tiktok&limit=1")
    assert [(c["campaign_id"], c["posts"], c["engagements"]) for c in tiktok["items"]] == [(1, 1, 10000)]
    early = _get(client, auth, f"/analytics/top-campaigns?end_date={_d(today, 6)}")
    assert [(c["campaign_id"], c["posts"], c["avg_engagement_rate"]) for c in early["items"]][0] == (
        1,
        1,
        0.095,
    )


def test_demographics_by_platform_and_category(client, auth, today):
    instagram = _get(client, auth, "/analytics/demographics?dimension=country&platform=instagram")
    # alice US 0.6 × 20,000, UK 0.4 × 20,000; bob UK 1.0 × 8,000
    assert instagram["influencers"] == 2
    assert [(b["bucket"], b["audience"]) for b in instagram["buckets"]] == [("UK", 16000.0), ("US", 12000.0)]
    beauty = _get(client, auth, "/analytics/demographics?dimension=country&category=beauty")
    assert beauty["influencers"] == 2
    assert [(b["bucket"], b["audience"]) for b in beauty["buckets"]] == [
        ("US", 87000.0),
        ("DE", 75000.0),
        ("UK", 8000.0),
    ]
    both = _get(client, auth, "/analytics/demographics?dimension=country&campaign_id=2&category=beauty")
    assert (both["influencers"], both["buckets"]) == (0, [])  # bob is fitness; erin (beauty) is cancelled
    bob = _get(client, auth, "/analytics/demographics?dimension=country&campaign_id=2&platform=instagram")
    assert [(b["bucket"], b["share"]) for b in bob["buckets"]] == [("UK", 1.0)]


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/analytics/top-campaigns?start_date=2026-03-10&end_date=2026-03-01", "end_date"),
        ("/analytics/top-campaigns?compare=previous", "compare"),
        ("/analytics/demographics?dimension=country&category=" + "x" * 65, "category"),
        ("/analytics/demographics?dimension=country&start_date=2026-01-01", "start_date"),
    ],
)
def test_bad_filters_of_top_campaigns_and_demographics_are_400(client, auth, api_db, path, field):
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 400, response.body
    assert field in [d["field"] for d in response.json_body["error"]["details"]]
