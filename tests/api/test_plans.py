"""POST /campaigns/{id}/plan through the Chalice test client on real PostgreSQL, with a hand-made
influencer_score whose optimal plans are worked out below; the refusals (4xx naming the field); and the
synchronous Lambda path (RequestResponse invoke, envelope, 4xx passed on)."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

INFLUENCERS = [  # id, platform, handle, category, followers
    (1, "instagram", "ig_a", "Beauty", 20_000),
    (2, "instagram", "ig_b", "Beauty", 30_000),
    (3, "instagram", "ig_c", "Fashion", 200_000),
    (4, "tiktok", "tt_d", "Beauty", 15_000),
    (5, "instagram", "ig_e", "Beauty", 40_000),
    (6, "tiktok", "tt_f", "Beauty", 8_000),
]
SCORES = [  # influencer, content type, expected engagements per post, forecast cost of a post, flagged
    (1, "reel", 1000.0, 100.0, False),
    (1, "image", 600.0, 30.0, False),
    (2, "reel", 1800.0, 300.0, False),
    (3, "reel", 14000.0, 900.0, False),
    (4, "video", 1200.0, 200.0, False),
    (5, "reel", 3600.0, 60.0, True),  # flagged: planned only with include_flagged
    (6, "reel", 500.0, None, False),  # no cost forecast: never planned
]
# Campaign 1: budget 1,000, influencer 2 hired for 300 → remaining 700. Campaign 2: budget 5,000, no hires.


@pytest.fixture()
def world(api_db):
    seed(api_db)
    return api_db


def seed(engine) -> None:
    """The influencers, scores, campaigns and hire above (also used by tests/cli/test_plan.py)."""
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
                "INSERT INTO model_version (id, kind, version, status, metrics, artifact_uri, sha256, details) VALUES "
                "(2, 'engagement', 'v2', 'champion', '{}', 's3://m/v2/model.joblib', 'b', '{}')"
            )
        )
        for iid, ct, engagements, cost, flagged in SCORES:
            conn.execute(
                sa.text(
                    "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, "
                    "anomaly_reasons, engagements, engagements_low, engagements_high, cost_per_post, cost_low, "
                    "cost_high) VALUES (:i, :ct, 2, 0.05, CAST(:r AS jsonb), :e, :e * 0.6, :e * 1.5, :c, :c * 0.7, "
                    ":c * 1.4)"
                ),
                {
                    "i": iid,
                    "ct": ct,
                    "e": engagements,
                    "c": cost,
                    "r": json.dumps(["likes without conversation"] if flagged else []),
                },
            )
        conn.execute(
            sa.text("INSERT INTO campaign (id, name, budget) VALUES (1, 'Spring', 1000), (2, 'Big', 5000)")
        )
        conn.execute(
            sa.text(
                "INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost) "
                "VALUES (1, 2, 'contracted', 300)"
            )
        )


def _plan(client, auth, campaign_id, body, status=200, role="manager"):
    response = client.http.post(
        f"/campaigns/{campaign_id}/plan",
        headers={**auth[role], "Content-Type": "application/json"},
        body=json.dumps(body),
    )
    assert response.status_code == status, response.body
    return json.loads(response.body)


def _picks(plan):
    return sorted((i["influencer_id"], i["content_type"], i["posts"]) for i in plan["items"])


def test_default_plan_uses_the_remaining_budget_and_leaves_out_hired_flagged_and_unpriced(
    client, auth, world
):
    plan = _plan(client, auth, 1, {})
    # remaining 700; candidates 1 reel, 1 image, 3 reel, 4 video; best: 1 reel + 4 video = 2,200 for 300
    assert plan["budget"] == 700.0
    assert plan["candidates"] == 4
    assert _picks(plan) == [(1, "reel", 1), (4, "video", 1)]
    assert plan["forecast"]["total"] == pytest.approx(2200.0)
    assert plan["forecast"]["low"] <= 2200.0 <= plan["forecast"]["high"]
    assert plan["forecast"]["unit"] == "engagements" and plan["forecast"]["interval"] == 0.8
    assert plan["cost_total"] == pytest.approx(300.0)
    assert plan["remaining_after"] == pytest.approx(400.0)
    assert plan["status"] == "optimal" and plan["optimality_gap"] == 0.0
    assert plan["model_version"] == {"id": 2, "version": "v2"}
    assert plan["cost_interval"]["low"] <= 300.0 <= plan["cost_interval"]["high"]
    item = next(i for i in plan["items"] if i["influencer_id"] == 4)
    assert item["handle"] == "tt_d" and item["platform"] == "tiktok" and item["follower_tier"] == "micro"
    assert item["cost"] == 200.0 and item["forecast"] == 1200.0 and not item["pinned"]
    assert "1 video: 1,200 engagements forecast" in item["why"] and "$200" in item["why"]


def test_posts_max_influencers_and_pins(client, auth, world):
    body = {
        "budget": 1500,
        "constraints": {"posts_per_influencer": {"min": 1, "max": 2}, "max_influencers": 2},
    }
    plan = _plan(client, auth, 2, body)
    assert _picks(plan) == [(2, "reel", 2), (3, "reel", 1)]  # 14,000 + 2 × 1,800 for 1,500
    assert plan["forecast"]["total"] == pytest.approx(17600.0) and plan["cost_total"] <= 1500
    body["constraints"]["include"] = [4]
    plan = _plan(client, auth, 2, body)
    assert _picks(plan) == [(3, "reel", 1), (4, "video", 2)]  # 14,000 + 2 × 1,200
    assert [i["pinned"] for i in plan["items"] if i["influencer_id"] == 4] == [True]
    assert "pinned by you" in next(i["why"] for i in plan["items"] if i["influencer_id"] == 4)


def test_flagged_only_when_asked(client, auth, world):
    assert _picks(_plan(client, auth, 2, {"budget": 100})) == [(1, "reel", 1)]
    flagged = _plan(client, auth, 2, {"budget": 100, "filters": {"include_flagged": True}})
    assert _picks(flagged) == [(1, "image", 1), (5, "reel", 1)]  # 3,600 + 600 for 90


def test_shares_filters_and_exclusions(client, auth, world):
    plan = _plan(
        client, auth, 2, {"budget": 5000, "constraints": {"platform_share": {"tiktok": {"min": 0.9}}}}
    )
    assert _picks(plan) == [(4, "video", 1)]
    plan = _plan(
        client,
        auth,
        2,
        {
            "budget": 5000,
            "filters": {"platform": "instagram", "category": "beauty"},
            "constraints": {"exclude": [2]},
        },
    )
    assert _picks(plan) == [(1, "reel", 1)]
    hired_too = _plan(client, auth, 1, {"budget": 400, "constraints": {"exclude_hired": False}})
    assert (2, "reel", 1) in _picks(hired_too)


def test_reach_counts_each_influencer_once(client, auth, world):
    plan = _plan(
        client,
        auth,
        2,
        {"budget": 1000, "objective": "reach", "constraints": {"posts_per_influencer": {"max": 2}}},
    )
    assert _picks(plan) == [(1, "image", 1), (3, "reel", 1)]  # 200,000 + 20,000 followers for 930
    assert plan["forecast"] == {
        "total": 220000.0,
        "low": 220000.0,
        "high": 220000.0,
        "interval": 0.8,
        "unit": "followers",
    }


def test_conversions_from_history(client, auth, world):
    assert (
        _plan(client, auth, 2, {"budget": 300, "objective": "conversions"}, 422)["error"]["details"][0][
            "field"
        ]
        == "objective"
    )
    with world.begin() as conn:
        for n in range(5):  # influencer 1: 10 orders over 5 sponsored posts; influencer 4: 3 over 1
            conn.execute(
                sa.text(
                    "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, "
                    "sponsored, campaign_id) VALUES ('instagram', :x, 1, now(), 'reel', true, 2)"
                ),
                {"x": f"p{n}"},
            )
        conn.execute(
            sa.text(
                "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, "
                "sponsored, campaign_id) VALUES ('tiktok', 'q1', 4, now(), 'video', true, 2)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO conversion_daily (campaign_id, influencer_id, date, orders) VALUES "
                "(2, 1, '2026-01-01', 6), (2, 1, '2026-01-02', 4), (2, 4, '2026-01-01', 3)"
            )
        )
    plan = _plan(client, auth, 2, {"budget": 300, "objective": "conversions"})
    assert _picks(plan) == [(1, "image", 1), (4, "video", 1)]  # 3 + 2 orders for 230
    assert plan["forecast"]["total"] == pytest.approx(5.0) and plan["forecast"]["unit"] == "orders"
    assert plan["forecast"]["low"] < 5.0 < plan["forecast"]["high"]


def test_influencer_ids_limit_the_candidates_to_a_shortlist(client, auth, world):
    body = {"budget": 5000, "filters": {"influencer_ids": [1, 2, 4]}}
    plan = _plan(client, auth, 2, body)
    # candidates 1 reel, 1 image, 2 reel, 4 video (3 is left out); best: 1 reel + 2 reel + 4 video
    assert plan["candidates"] == 4
    assert _picks(plan) == [(1, "reel", 1), (2, "reel", 1), (4, "video", 1)]
    assert plan["forecast"]["total"] == pytest.approx(4000.0) and plan["cost_total"] == pytest.approx(600.0)
    body["filters"]["platform"] = "tiktok"  # the other filters still apply
    assert _picks(_plan(client, auth, 2, body)) == [(4, "video", 1)]
    error = _plan(client, auth, 2, {"filters": {"influencer_ids": []}}, 422)["error"]
    assert "filters.influencer_ids" in {d["field"] for d in error["details"]}
    error = _plan(client, auth, 2, {"filters": {"influencer_ids": list(range(1, 502))}}, 422)["error"]
    assert "filters.influencer_ids" in {d["field"] for d in error["details"]}


@pytest.mark.parametrize(
    ("campaign", "body", "status", "field"),
    [
        (2, {"budget": 0}, 400, "budget"),
        (2, {"budget": -5}, 400, "budget"),
        (2, {"budget": "lots"}, 400, "budget"),
        (2, {"budget": True}, 400, "budget"),
        (2, {"budget": 10}, 422, "budget"),
        (2, {"objective": "likes"}, 422, "objective"),
        (
            2,
            {"constraints": {"posts_per_influencer": {"min": 3, "max": 2}}},
            422,
            "constraints.posts_per_influencer",
        ),
        (
            2,
            {"constraints": {"platform_share": {"instagram": {"min": 0.6}, "tiktok": {"min": 0.6}}}},
            422,
            "constraints",
        ),
        (2, {"constraints": {"include": [1], "exclude": [1]}}, 422, "constraints"),
        (2, {"constraints": {"include": [1, 3], "max_influencers": 1}}, 422, "constraints"),
        (2, {"constraints": {"include": [6]}}, 422, "constraints.include"),
        (2, {"budget": 500, "constraints": {"include": [3]}}, 422, "constraints.include"),
        (2, {"filters": {"platform": "youtube"}}, 422, "filters"),
        (2, {"constraints": {"tier_share": {"mega": {"min": 0.5}}}}, 422, "constraints.tier_share"),
        (
            2,
            {
                "budget": 5000,
                "constraints": {
                    "platform_share": {"tiktok": {"min": 0.5}},
                    "max_influencers": 1,
                    "include": [1],
                },
            },
            422,
            "constraints",
        ),
        (999, {}, 404, None),
        (2, {"unknown": 1}, 422, "unknown"),
    ],
)
def test_refusals_are_4xx_naming_the_field(client, auth, world, campaign, body, status, field):
    error = _plan(client, auth, campaign, body, status)["error"]
    if field is not None:
        assert field in {d["field"] for d in error["details"]}, error


def test_viewers_may_not_plan(client, auth, world):
    _plan(client, auth, 2, {}, 403, role="viewer")


class _FakeLambda:
    """boto3's Lambda client, invoking the planner handler in-process (the payload goes through JSON)."""

    def __init__(self) -> None:
        self.calls: list[dict] = []

    def invoke(self, FunctionName, InvocationType, Payload):  # noqa: N803 - boto3's names
        from functions.events.plan import handle_plan

        self.calls.append({"function": FunctionName, "type": InvocationType})
        answer = handle_plan(json.loads(Payload))
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}


def test_the_api_invokes_the_planner_function_synchronously(client, auth, world, monkeypatch):
    from predictfluence import storage

    fake = _FakeLambda()
    monkeypatch.setenv("PF_PLANNER_FUNCTION", "predictfluence-dev-planner")
    monkeypatch.setattr(storage, "client", lambda name: fake)
    plan = _plan(client, auth, 1, {})
    assert _picks(plan) == [(1, "reel", 1), (4, "video", 1)]
    error = _plan(client, auth, 2, {"budget": 10}, 422)["error"]
    assert error["details"][0]["field"] == "budget" and "cheapest" in error["message"]
    assert fake.calls == [{"function": "predictfluence-dev-planner", "type": "RequestResponse"}] * 2


def test_planner_function_name_follows_chalice_naming(monkeypatch):
    from predictfluence import planning

    monkeypatch.delenv("PF_PLANNER_FUNCTION", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-prod")
    assert planning.planner_function_name() == "predictfluence-prod-planner"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-prod-etl")
    assert planning.planner_function_name() == "predictfluence-prod-planner"


def test_planner_event_refusals():
    from functions.events.plan import handle_plan

    assert handle_plan({"campaign_id": "x"})["error"]["status"] == 400
    assert handle_plan({"campaign_id": 1, "body": [1]})["error"]["field"] == "body"


def test_conversion_history_is_set_based_and_counts_sponsored_posts_of_converting_campaigns(world):
    """orders = every conversion row's orders; sponsored_posts = the influencer's sponsored posts in the
    campaigns it has conversion rows for (not its other campaigns', not unsponsored ones). One aggregate
    and one join, no subquery per influencer: that was 13-29 s of a whole-pool plan at 100,000 influencers."""
    from predictfluence.queries import planning

    with world.begin() as conn:
        conn.execute(sa.text("INSERT INTO campaign (id, name, budget) VALUES (3, 'Other', 100)"))
        posts = [  # (influencer, campaign, sponsored, how many)
            (1, 1, True, 2), (1, 2, True, 3), (1, 3, True, 4), (1, 2, False, 5), (4, 3, True, 1), (2, 1, True, 2)]
        for n, (iid, cid, sponsored, count) in enumerate(posts):
            for k in range(count):
                conn.execute(sa.text(
                    "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, "
                    "campaign_id) VALUES ('instagram', :x, :i, now(), 'reel', :s, :c)"),
                    {"x": f"c{n}-{k}", "i": iid, "s": sponsored, "c": cid})
        conn.execute(sa.text(
            "INSERT INTO conversion_daily (campaign_id, influencer_id, date, orders) VALUES "
            "(1, 1, '2026-01-01', 6), (1, 1, '2026-01-02', 4), (2, 1, '2026-01-01', 1), (3, 4, '2026-01-03', 3)"))
        columns, _version, _pool = planning.plan_candidates(
            2, objective="conversions", exclude_hired=False, conn=conn)
        history = {int(i): (o, p) for i, o, p in zip(columns["influencer_id"], columns["orders"],
                                                     columns["sponsored_posts"], strict=True)}
        # influencer 1: 11 orders; sponsored posts in campaigns 1 and 2 (2 + 3), not 3's, not unsponsored;
        # influencer 4: 3 orders, 1 post in campaign 3; influencer 2: posts but no conversions, no candidate
        assert history == {1: ("11", "5"), 4: ("3", "1")}
        # the other objectives read no conversion history at all
        columns, _version, _pool = planning.plan_candidates(
            2, objective="engagements", exclude_hired=False, conn=conn)
        assert set(columns["orders"]) == set(columns["sponsored_posts"]) == {"NaN"}
        plan_text = "\n".join(conn.execute(sa.text(
            f"EXPLAIN WITH {planning._CONVERSIONS} SELECT * FROM conv")).scalars())  # noqa: S608
    assert "SubPlan" not in plan_text, plan_text
