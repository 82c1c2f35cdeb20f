"""/analytics: KPIs, engagement trend, top campaigns, demographics, content types — exact numbers."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa


def _today(engine) -> dt.date:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT CURRENT_DATE")).scalar_one()


def test_kpis(client, auth, dataset):
    body = client.http.get("/analytics/kpis", headers=auth["viewer"]).json_body
    assert body == {
        "total_campaigns": 3, "active_campaigns": 1, "total_influencers": 5, "total_posts": 6,
        "avg_engagement_rate": pytest.approx((0.095 + 0.15 + 0.025 + 10000 / 150000 + 0.05) / 5, rel=1e-12),
        "avg_cost_per_influencer": pytest.approx(8600 / 3, rel=1e-12), "total_spent": 8600.0,
        "snapshot_influencers": 0, "snapshot_avg_engagement_rate": None,
        "by_currency": [{"currency": "EUR", "campaigns": 1, "budget": 0.0, "spent": 0.0},
                        {"currency": "USD", "campaigns": 2, "budget": 11000.0, "spent": 8600.0}],
    }


def test_kpis_of_empty_warehouse(client, auth):
    assert client.http.get("/analytics/kpis", headers=auth["viewer"]).json_body == {
        "total_campaigns": 0, "active_campaigns": 0, "total_influencers": 0, "total_posts": 0,
        "avg_engagement_rate": None, "avg_cost_per_influencer": None, "total_spent": 0.0,
        "snapshot_influencers": 0, "snapshot_avg_engagement_rate": None, "by_currency": []}


def test_kpis_give_imported_creators_their_own_marked_figure(client, auth, api_db):
    """Creators known only from snapshots do not move the post ER; they get their own count and mean."""
    import sqlalchemy as sa

    from predictfluence.queries.rollups import refresh

    with api_db.begin() as conn:
        conn.execute(sa.text("INSERT INTO influencer (id, platform, handle, followers) OVERRIDING SYSTEM VALUE "
                             "VALUES (1, 'instagram', 'a', 1000), (2, 'instagram', 'b', 2000)"))
        conn.execute(sa.text("INSERT INTO influencer_snapshot (influencer_id, as_of, source, engagement_rate) "
                             "VALUES (1, DATE '2026-10-01', 'x', 0.02), (2, DATE '2026-10-01', 'x', 0.04)"))
    refresh(api_db, concurrently=False)
    body = client.http.get("/analytics/kpis", headers=auth["viewer"]).json_body
    assert (body["total_influencers"], body["avg_engagement_rate"], body["snapshot_influencers"]) == (2, None, 2)
    assert body["snapshot_avg_engagement_rate"] == pytest.approx(0.03)


def test_engagement_trend_daily_zero_filled(client, auth, dataset):
    today = _today(dataset)
    body = client.http.get(f"/analytics/engagement-trend?end_date={today.isoformat()}",
                           headers=auth["viewer"]).json_body
    assert body["start_date"] == (today - dt.timedelta(days=29)).isoformat()
    assert body["end_date"] == today.isoformat() and len(body["points"]) == 30
    active = {(today - dt.date.fromisoformat(p["date"])).days: p for p in body["points"] if p["posts"]}
    assert {d: (p["posts"], p["engagements"], p["views"], p["impressions"]) for d, p in active.items()} == {
        10: (1, 1200, 0, 8000), 9: (1, 700, 0, 4000), 5: (1, 2400, 10000, 12000),
        4: (2, 10600, 55000, 66000), 2: (1, 400, 2000, 2500)}
    # the day's ER is the mean over that day's posts: (600/20000 + 10000/150000) / 2
    assert active[4]["engagement_rate"] == pytest.approx((0.03 + 10000 / 150000) / 2, rel=1e-12)
    assert active[4]["likes"] == 9500 and active[4]["comments"] == 650
    assert body["points"][0]["engagement_rate"] is None and body["points"][0]["engagements"] == 0


def test_engagement_trend_filters(client, auth, dataset):
    today = _today(dataset).isoformat()
    tiktok = client.http.get(f"/analytics/engagement-trend?days=7&platform=tiktok&end_date={today}",
                             headers=auth["viewer"]).json_body
    assert len(tiktok["points"]) == 7
    assert [p["engagements"] for p in tiktok["points"]] == [0, 0, 10000, 0, 0, 0, 0]
    gym = client.http.get(f"/analytics/engagement-trend?days=3&campaign_id=2&end_date={today}",
                          headers=auth["viewer"]).json_body
    assert [(p["engagements"], p["engagement_rate"]) for p in gym["points"]] == [(400, 0.05), (0, None), (0, None)]
    assert client.http.get("/analytics/engagement-trend?campaign_id=9", headers=auth["viewer"]).status_code == 404
    default = client.http.get("/analytics/engagement-trend", headers=auth["viewer"]).json_body
    assert len(default["points"]) == 30


def test_top_campaigns_by_engagement_rate(client, auth, dataset):
    body = client.http.get("/analytics/top-campaigns?limit=2", headers=auth["viewer"]).json_body
    assert [(c["campaign_id"], c["posts"], c["engagements"], c["views"], c["spent"]) for c in body["items"]] == [
        (1, 3, 14900, 65000, 8000.0), (2, 1, 400, 2000, 600.0)]
    assert body["items"][0]["avg_engagement_rate"] == pytest.approx((0.095 + 0.15 + 10000 / 150000) / 3, rel=1e-12)
    assert body["items"][1]["cpe"] == 1.5
    everything = client.http.get("/analytics/top-campaigns", headers=auth["viewer"]).json_body
    assert everything["items"][2] == {"campaign_id": 3, "name": "Empty", "brand": None, "status": "draft",
                                      "currency": "EUR", "posts": 0, "avg_engagement_rate": None, "engagements": 0, "views": 0,
                                      "spent": 0.0, "cpe": None}


def test_demographics_follower_weighted(client, auth, dataset):
    body = client.http.get("/analytics/demographics?dimension=country", headers=auth["viewer"]).json_body
    # US = 0.6×20,000 + 0.5×150,000 = 87,000; DE = 75,000; UK = 0.4×20,000 + 1.0×8,000 = 16,000
    assert body["dimension"] == "country" and body["campaign_id"] is None and body["influencers"] == 3
    assert [(b["bucket"], b["audience"]) for b in body["buckets"]] == [("US", 87000.0), ("DE", 75000.0),
                                                                      ("UK", 16000.0)]
    assert [b["share"] for b in body["buckets"]] == pytest.approx([87 / 178, 75 / 178, 16 / 178], rel=1e-12)


def test_demographics_of_a_campaigns_hires(client, auth, dataset):
    body = client.http.get("/analytics/demographics?dimension=country&campaign_id=1", headers=auth["viewer"]).json_body
    assert body["influencers"] == 2
    assert [(b["bucket"], b["audience"]) for b in body["buckets"]] == [("US", 87000.0), ("DE", 75000.0),
                                                                      ("UK", 8000.0)]
    assert [b["share"] for b in body["buckets"]] == pytest.approx([87 / 170, 75 / 170, 8 / 170], rel=1e-12)
    ages = client.http.get("/analytics/demographics?dimension=age_group", headers=auth["viewer"]).json_body
    assert [(b["bucket"], b["share"]) for b in ages["buckets"]] == [("18-24", 0.7), ("25-34", 0.3)]
    gender = client.http.get("/analytics/demographics?dimension=gender", headers=auth["viewer"]).json_body
    assert (gender["influencers"], gender["buckets"]) == (0, [])
    assert client.http.get("/analytics/demographics?dimension=country&campaign_id=8",
                           headers=auth["viewer"]).status_code == 404


def test_content_types(client, auth, dataset):
    body = client.http.get("/analytics/content-types", headers=auth["viewer"]).json_body
    assert body["items"] == [
        {"content_type": "video", "posts": 2, "avg_engagement_rate": pytest.approx((0.15 + 10000 / 150000) / 2),
         "avg_likes": 5750.0, "avg_views": 32500.0, "engagements": 13000, "views": 65000, "impressions": 78000},
        {"content_type": "image", "posts": 3, "avg_engagement_rate": pytest.approx(0.06, rel=1e-12),
         "avg_likes": 1000.0, "avg_views": None, "engagements": 2400, "views": 0, "impressions": 15000},
        {"content_type": "reel", "posts": 1, "avg_engagement_rate": 0.05, "avg_likes": 300.0, "avg_views": 2000.0,
         "engagements": 400, "views": 2000, "impressions": 2500},
    ]
    tiktok = client.http.get("/analytics/content-types?platform=tiktok", headers=auth["viewer"]).json_body
    assert [(i["content_type"], i["posts"]) for i in tiktok["items"]] == [("video", 1)]
    glow = client.http.get("/analytics/content-types?campaign_id=1", headers=auth["viewer"]).json_body
    assert [(i["content_type"], i["posts"], i["engagements"]) for i in glow["items"]] == [("video", 2, 13000),
                                                                                          ("image", 1, 1900)]
