"""/campaigns: CRUD, hires (budget and duplicate rules), linked performance and the summary."""

from __future__ import annotations

import pytest


def test_list_campaigns_with_spend_and_filters(client, auth, dataset):
    body = client.http.get("/campaigns?sort=name&order=asc", headers=auth["viewer"]).json_body
    assert [(c["name"], c["budget"], c["spent"], c["influencer_count"]) for c in body["items"]] == [
        ("Empty", 0.0, 0.0, 0), ("Gym Push", 1000.0, 600.0, 1), ("Spring Glow", 10000.0, 8000.0, 2)]
    assert body["page_info"] == {"total": 3, "page": 1, "page_size": 50, "pages": 1}
    only = client.http.get("/campaigns?status=active", headers=auth["viewer"]).json_body
    assert [c["name"] for c in only["items"]] == ["Spring Glow"]
    found = client.http.get("/campaigns?q=fitco&page_size=1", headers=auth["viewer"]).json_body
    assert [c["name"] for c in found["items"]] == ["Gym Push"] and found["page_info"]["total"] == 1
    by_budget = client.http.get("/campaigns?sort=budget&order=desc&brand=glow", headers=auth["viewer"]).json_body
    assert [c["id"] for c in by_budget["items"]] == [1]


def test_create_get_patch_campaign(client, auth, api_db):
    created = client.http.post("/campaigns", headers=auth["manager"], body=(
        '{"name": "Launch", "brand": "Acme", "budget": 2500.5, "start_date": "2026-03-01", '
        '"end_date": "2026-03-31", "status": "active"}'))
    assert created.status_code == 201, created.body
    body = created.json_body
    assert {k: body[k] for k in ("id", "name", "brand", "objective", "status", "start_date", "end_date", "budget",
                                 "currency", "spent", "influencer_count")} == {
        "id": 1, "name": "Launch", "brand": "Acme", "objective": None, "status": "active",
        "start_date": "2026-03-01", "end_date": "2026-03-31", "budget": 2500.5, "currency": "USD", "spent": 0.0,
        "influencer_count": 0}
    got = client.http.get("/campaigns/1", headers=auth["viewer"]).json_body
    assert got == body
    patched = client.http.patch("/campaigns/1", headers=auth["manager"],
                                body='{"budget": 3000, "brand": null, "status": "paused"}')
    assert patched.status_code == 200
    assert (patched.json_body["budget"], patched.json_body["brand"], patched.json_body["status"],
            patched.json_body["name"]) == (3000.0, None, "paused", "Launch")


def test_create_duplicate_name_is_409(client, auth, dataset):
    response = client.http.post("/campaigns", headers=auth["manager"], body='{"name": "Gym Push"}')
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "campaign_name_taken"
    renamed = client.http.patch("/campaigns/3", headers=auth["manager"], body='{"name": "Spring Glow"}')
    assert renamed.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"brand": "x"}', "name"),
        ('{"name": ""}', "name"),
        ('{"name": "a", "budget": -1}', "budget"),
        ('{"name": "a", "currency": "usd"}', "currency"),
        ('{"name": "a", "status": "running"}', "status"),
        ('{"name": "a", "start_date": "2026-02-01", "end_date": "2026-01-01"}', "body"),
        ('{"name": "a", "unexpected": 1}', "unexpected"),
        ('[1, 2]', "body"),
    ],
)
def test_create_invalid_body_is_422_naming_the_field(client, auth, api_db, body, field):
    response = client.http.post("/campaigns", headers=auth["manager"], body=body)
    assert response.status_code == 422, response.body
    error = response.json_body["error"]
    assert error["code"] == "validation_error"
    assert field in [d["field"] for d in error["details"]]


def test_patch_rejects_null_required_fields_and_reversed_dates(client, auth, dataset):
    response = client.http.patch("/campaigns/1", headers=auth["manager"], body='{"name": null}')
    assert response.status_code == 422 and response.json_body["error"]["details"][0]["field"] == "name"
    reversed_dates = client.http.patch("/campaigns/1", headers=auth["manager"], body='{"end_date": "2020-01-01"}')
    assert reversed_dates.status_code == 422


def test_body_that_is_not_json_is_400(client, auth, api_db):
    response = client.http.post("/campaigns", headers=auth["manager"], body="{not json")
    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "bad_request"
    empty = client.http.post("/campaigns", headers=auth["manager"], body="")
    assert empty.status_code == 422


def test_delete_archives_a_campaign_with_hires_and_deletes_one_without(client, auth, dataset):
    archived = client.http.delete("/campaigns/1", headers=auth["manager"])
    assert archived.json_body == {"id": 1, "outcome": "archived"}
    assert client.http.get("/campaigns/1", headers=auth["viewer"]).json_body["status"] == "archived"
    assert client.http.get("/campaigns/1/influencers", headers=auth["viewer"]).json_body["total"] == 2
    deleted = client.http.delete("/campaigns/3", headers=auth["manager"])
    assert deleted.json_body == {"id": 3, "outcome": "deleted"}
    assert client.http.get("/campaigns/3", headers=auth["viewer"]).status_code == 404
    assert client.http.delete("/campaigns/3", headers=auth["manager"]).status_code == 404


def test_hire_within_budget(client, auth, dataset):
    response = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                                body='{"influencer_id": 5, "agreed_cost": 2000}')
    assert response.status_code == 201, response.body
    hire = response.json_body
    assert (hire["campaign_id"], hire["influencer_id"], hire["status"], hire["agreed_cost"]) == (1, 5, "contracted",
                                                                                                 2000.0)
    summary = client.http.get("/campaigns/1/summary", headers=auth["viewer"]).json_body
    assert (summary["spent"], summary["remaining"], summary["influencer_count"]) == (10000.0, 0.0, 3)


def test_hire_that_would_overspend_is_409_unless_allowed(client, auth, dataset):
    response = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                                body='{"influencer_id": 5, "agreed_cost": 2000.01}')
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "over_budget"
    assert response.json_body["error"]["details"] == {"budget": 10000.0, "spent": 8000.0, "remaining": 2000.0,
                                                      "agreed_cost": 2000.01}
    allowed = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                               body='{"influencer_id": 5, "agreed_cost": 2000.01, "allow_overspend": true}')
    assert allowed.status_code == 201
    summary = client.http.get("/campaigns/1/summary", headers=auth["viewer"]).json_body
    assert summary["remaining"] == -0.01


def test_duplicate_hire_is_409(client, auth, dataset):
    response = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                                body='{"influencer_id": 1, "agreed_cost": 1}')
    assert response.status_code == 409
    assert response.json_body["error"]["code"] == "already_hired"


def test_hire_unknown_campaign_or_influencer_is_404_and_archived_campaign_409(client, auth, dataset):
    assert client.http.post("/campaigns/99/influencers", headers=auth["manager"],
                            body='{"influencer_id": 5, "agreed_cost": 1}').status_code == 404
    missing = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                               body='{"influencer_id": 99, "agreed_cost": 1}')
    assert missing.status_code == 404 and missing.json_body["error"]["details"]["resource"] == "influencer"
    client.http.delete("/campaigns/1", headers=auth["manager"])
    archived = client.http.post("/campaigns/1/influencers", headers=auth["manager"],
                                body='{"influencer_id": 5, "agreed_cost": 1}')
    assert archived.status_code == 409 and archived.json_body["error"]["code"] == "campaign_archived"


def test_patch_hire_status_and_cost_with_budget_check(client, auth, dataset):
    ok = client.http.patch("/campaigns/1/influencers/1", headers=auth["manager"],
                           body='{"status": "live", "agreed_cost": 5000}')
    assert ok.status_code == 200 and (ok.json_body["status"], ok.json_body["agreed_cost"]) == ("live", 5000.0)
    over = client.http.patch("/campaigns/1/influencers/1", headers=auth["manager"], body='{"agreed_cost": 5000.5}')
    assert over.status_code == 409 and over.json_body["error"]["code"] == "over_budget"
    # re-activating a cancelled hire counts against the budget again
    revived = client.http.patch("/campaigns/2/influencers/5", headers=auth["manager"], body='{"status": "live"}')
    assert revived.status_code == 200
    assert client.http.patch("/campaigns/2/influencers/9", headers=auth["manager"],
                             body='{"status": "live"}').status_code == 404


def test_remove_hire(client, auth, dataset):
    response = client.http.delete("/campaigns/2/influencers/2", headers=auth["manager"])
    assert response.status_code == 204
    assert client.http.get("/campaigns/2/influencers", headers=auth["viewer"]).json_body["total"] == 1
    assert client.http.delete("/campaigns/2/influencers/2", headers=auth["manager"]).status_code == 404


def test_linked_influencer_performance(client, auth, dataset):
    body = client.http.get("/campaigns/1/influencers", headers=auth["viewer"]).json_body
    assert body["total"] == 2
    alice, carol = body["items"]
    assert {k: v for k, v in alice.items() if k != "hired_at"} == {
        "influencer_id": 1, "handle": "ig_alice", "name": "Alice A", "platform": "instagram", "followers": 20000,
        "hire_status": "contracted", "agreed_cost": 3000.0, "posts": 2, "engagements": 4900,
        "engagement_rate": pytest.approx(0.1225, rel=1e-12), "views": 15000, "impressions": 30000,
        "cpe": pytest.approx(3000 / 4900, rel=1e-12), "clicks": 150, "orders": 15, "revenue": 750.0, "roas": 0.25,
        "cpa": 200.0, "hired_by": None, "hired_by_label": None}
    assert (carol["posts"], carol["engagements"], carol["views"], carol["cpe"], carol["orders"], carol["revenue"],
            carol["roas"]) == (1, 10000, 50000, 0.5, 20, 2000.0, 0.4)
    assert carol["engagement_rate"] == pytest.approx(10000 / 150000, rel=1e-12)
    assert client.http.get("/campaigns/3/influencers", headers=auth["viewer"]).json_body == {"items": [], "total": 0}
    assert client.http.get("/campaigns/42/influencers", headers=auth["viewer"]).status_code == 404


def test_the_hires_figures_read_the_campaigns_posts_and_conversions_once(api_db, dataset):
    """Issue 16.5: the hires table looked up each hire's posts and conversions apart (a 500-hire campaign at 1M:
    500 index probes of post_stats and 500 scans of every conversion_daily partition, 127 ms drawn p95). Each is
    now grouped by influencer in one pass: every scan of them runs once, whatever the number of hires."""
    import json

    import sqlalchemy as sa

    from predictfluence.db import get_engine
    from predictfluence.queries import campaigns

    def scans(node: dict) -> list[tuple[str, int]]:
        here = [(node["Relation Name"], node["Actual Loops"])] if node.get("Relation Name", "").startswith(
            ("post_stats", "conversion_daily")) else []
        return here + [s for child in node.get("Plans", []) for s in scans(child)]

    seen: list[tuple[str, dict]] = []
    listen = lambda conn, cursor, statement, params, *args: seen.append((statement, params))  # noqa: E731
    sa.event.listen(get_engine(), "before_cursor_execute", listen)
    try:
        assert len(campaigns.hire_performance(1)) == 2
    finally:
        sa.event.remove(get_engine(), "before_cursor_execute", listen)
    statement, params = seen[-1]
    with api_db.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", params).scalar_one()
    found = scans((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"])
    assert {name.split("_p")[0] for name, _ in found} >= {"post_stats", "conversion_daily"}, found
    assert all(loops == 1 for _, loops in found), found


def test_campaign_summary(client, auth, dataset):
    body = client.http.get("/campaigns/1/summary", headers=auth["viewer"]).json_body
    assert body == {
        "campaign_id": 1, "name": "Spring Glow", "status": "active", "currency": "USD", "budget": 10000.0,
        "spent": 8000.0, "remaining": 2000.0, "influencer_count": 2, "avg_cost_per_influencer": 4000.0,
        "posts": 3, "avg_engagement_rate": pytest.approx((0.095 + 0.15 + 10000 / 150000) / 3, rel=1e-12),
        "avg_views": 32500.0, "engagements": 14900, "views": 65000, "impressions": 90000,
        "cpe": pytest.approx(8000 / 14900, rel=1e-12), "cpm": pytest.approx(8000 / 90000 * 1000, rel=1e-12),
        "cpv": pytest.approx(8000 / 65000, rel=1e-12), "clicks": 350, "orders": 35, "revenue": 2750.0,
        "roas": 0.34375, "cpa": pytest.approx(8000 / 35, rel=1e-12),
    }


def test_summary_excludes_cancelled_hires_and_handles_empty_campaigns(client, auth, dataset):
    gym = client.http.get("/campaigns/2/summary", headers=auth["viewer"]).json_body
    assert (gym["spent"], gym["influencer_count"], gym["posts"], gym["engagements"], gym["cpe"], gym["cpm"],
            gym["cpa"], gym["avg_engagement_rate"]) == (600.0, 1, 1, 400, 1.5, 240.0, 600.0, 0.05)
    assert gym["roas"] == pytest.approx(40 / 600, rel=1e-12)
    empty = client.http.get("/campaigns/3/summary", headers=auth["viewer"]).json_body
    assert (empty["spent"], empty["posts"], empty["cpe"], empty["cpm"], empty["cpv"], empty["roas"], empty["cpa"],
            empty["avg_cost_per_influencer"], empty["avg_engagement_rate"]) == (0.0, 0, None, None, None, None,
                                                                                 None, None, None)
    assert client.http.get("/campaigns/4/summary", headers=auth["viewer"]).status_code == 404
