"""Campaign reporting (issue 13): KPIs per currency and per-hire CPA on the known dataset."""

from __future__ import annotations


def test_kpis_total_budget_and_spend_per_currency(client, auth, dataset):
    body = client.http.get("/analytics/kpis", headers=auth["viewer"]).json_body
    # Spring Glow 10,000 (spent 3,000 + 5,000) and Gym Push 1,000 (600; erin's 200 is cancelled) are USD,
    # Empty (0, no hires) is EUR: never one sum over both currencies
    assert body["by_currency"] == [
        {"currency": "EUR", "campaigns": 1, "budget": 0.0, "spent": 0.0},
        {"currency": "USD", "campaigns": 2, "budget": 11000.0, "spent": 8600.0},
    ]


def test_kpis_currency_totals_follow_a_new_currency(client, auth, dataset):
    created = client.http.post(
        "/campaigns", headers=auth["manager"], body='{"name": "Tokyo", "budget": 500000, "currency": "JPY"}'
    )
    assert created.status_code == 201
    hired = client.http.post(
        f"/campaigns/{created.json_body['id']}/influencers",
        headers=auth["manager"],
        body='{"influencer_id": 4, "agreed_cost": 120000}',
    )
    assert hired.status_code == 201, hired.body
    body = client.http.get("/analytics/kpis", headers=auth["viewer"]).json_body
    assert [(c["currency"], c["budget"], c["spent"]) for c in body["by_currency"]] == [
        ("EUR", 0.0, 0.0),
        ("JPY", 500000.0, 120000.0),
        ("USD", 11000.0, 8600.0),
    ]


def test_hire_performance_has_cpa(client, auth, dataset):
    items = client.http.get("/campaigns/1/influencers", headers=auth["viewer"]).json_body["items"]
    # alice: 3,000 / 15 orders; carol: 5,000 / 20 orders
    assert [(h["handle"], h["orders"], h["revenue"], h["cpa"]) for h in items] == [
        ("ig_alice", 15, 750.0, 200.0),
        ("tt_carol", 20, 2000.0, 250.0),
    ]
    gym = client.http.get("/campaigns/2/influencers", headers=auth["viewer"]).json_body["items"]
    # bob 600 / 1 order; erin (cancelled) has no orders: no CPA
    assert [(h["handle"], h["cpa"]) for h in gym] == [("ig_bob", 600.0), ("ig_erin", None)]


def test_campaign_summary_for_the_report(client, auth, dataset):
    body = client.http.get("/campaigns/1/summary", headers=auth["viewer"]).json_body
    assert {
        k: body[k] for k in ("currency", "budget", "spent", "clicks", "orders", "revenue", "roas", "cpa")
    } == {
        "currency": "USD",
        "budget": 10000.0,
        "spent": 8000.0,
        "clicks": 350,
        "orders": 35,
        "revenue": 2750.0,
        "roas": 2750.0 / 8000.0,
        "cpa": 8000.0 / 35,
    }
