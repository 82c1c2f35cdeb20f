"""/recommendations for a nearly spent campaign (issue 16.5, migration d4e9a1c7b5f3): the remaining budget fits
only the cheapest rows, costs rise with followers (a costlier tier has no row that fits), some rows have no
cost forecast (judged by their influencer's past hires, or kept when there are none). Each tier is walked or
its fitting rows read (`_tier_top`, by a capped count); both ways, and the choice, give the rule's rows."""

from __future__ import annotations

import json
import random
from itertools import product

import pytest
import sqlalchemy as sa

from predictfluence.queries import recommendations as rec

CONTENT_TYPES = ("image", "reel", "video")
FOLLOWERS = (2_000, 6_000, 12_000, 30_000, 60_000, 200_000, 600_000, 2_000_000)
COLUMN = {"engagements_per_dollar": "d", "engagements": "e", "engagement_rate": "er"}
CAMPAIGN = 7


def _world(rng: random.Random) -> tuple[list[dict], list[dict], list[tuple]]:
    influencers = [{"id": i, "followers": rng.choice(FOLLOWERS) + rng.randrange(100)} for i in range(1, 301)]
    scores = []
    for inf in influencers:
        for ct in rng.sample(CONTENT_TYPES, rng.randint(1, 3)):
            er = round(rng.uniform(0.005, 0.1), 6)
            rate = max(
                50.0, 10.0 * (inf["followers"] / 1000) ** 0.9 * rng.uniform(0.8, 1.2)
            )  # the bench's card
            cost = None if rng.random() < 0.12 else round(rate, 2)
            e = None if rng.random() < 0.05 else er * inf["followers"]
            scores.append(
                {
                    "i": inf["id"],
                    "ct": ct,
                    "er": er,
                    "cost": cost,
                    "e": e,
                    "d": None if cost is None or e is None else e / cost,
                    "r": json.dumps(["bought likes"] if rng.random() < 0.07 else []),
                }
            )
    # past hires (other campaigns) price some rows without a forecast, cheap and dear; the campaign's own
    # non-cancelled hires are left out
    hires = [
        (c, i, rng.choice(("contracted", "completed", "cancelled")), rng.choice((40, 55, 90, 400, 3_000)))
        for c in (1, 2)
        for i in rng.sample(range(1, 301), 60)
    ]
    hires += [
        (CAMPAIGN, i, rng.choice(("contracted", "cancelled")), 100) for i in rng.sample(range(1, 301), 20)
    ]
    return influencers, scores, hires


@pytest.fixture()
def world(api_db):
    influencers, scores, hires = _world(random.Random(1650))
    with api_db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO influencer (id, platform, handle, followers) VALUES (:id, 'tiktok', "
                "'h' || :id, :followers)"
            ),
            influencers,
        )
        conn.execute(
            sa.text(
                "INSERT INTO model_version (id, kind, version, status, metrics, artifact_uri, sha256) "
                "VALUES (1, 'engagement', 'v1', 'champion', '{}', 's3://m/v1', 'a')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, engagements, "
                "cost_per_post, engagements_per_dollar, anomaly_reasons) "
                "VALUES (:i, :ct, 1, :er, :e, :cost, :d, CAST(:r AS jsonb))"
            ),
            scores,
        )
        conn.execute(
            sa.text("INSERT INTO campaign (id, name, budget) VALUES (:id, 'c' || :id, 0)"),
            [{"id": c} for c in (1, 2, CAMPAIGN)],
        )
        conn.execute(
            sa.text(
                "INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost) "
                "VALUES (:c, :i, :s, :a)"
            ),
            [dict(zip("cisa", h, strict=True)) for h in hires],
        )
        conn.execute(sa.text("ANALYZE influencer; ANALYZE influencer_score"))
    return {"scores": scores, "hires": hires}


def _reference(world, objective, content_type, remaining, include_flagged, limit):
    """The rule: not hired by the campaign, cost (else the past hires' average, else none: kept) within the
    remaining budget, unflagged unless asked; each influencer's best row unless a content type is asked;
    objective DESC NULLS LAST (those by predicted ER), then content type, ties by influencer id."""
    past: dict[int, list[int]] = {}
    for _, i, status, cost in world["hires"]:
        if status != "cancelled":
            past.setdefault(i, []).append(cost)
    hired = {i for c, i, status, _ in world["hires"] if c == CAMPAIGN and status != "cancelled"}

    def cost(s):
        return (
            s["cost"]
            if s["cost"] is not None
            else sum(past[s["i"]]) / len(past[s["i"]])
            if s["i"] in past
            else None
        )

    def key(s):
        value = s[COLUMN[objective]]
        return (value is None, -(value if value is not None else s["er"]))

    rows = [
        s
        for s in world["scores"]
        if s["i"] not in hired
        and (cost(s) is None or cost(s) <= remaining)
        and (content_type is None or s["ct"] == content_type)
        and (include_flagged or s["r"] == "[]")
    ]
    if content_type is None:
        best: dict[int, dict] = {}
        for s in sorted(rows, key=lambda s: (*key(s), s["ct"])):
            best.setdefault(s["i"], s)
        rows = list(best.values())
    return [(s["i"], s["ct"]) for s in sorted(rows, key=lambda s: (*key(s), s["i"]))][:limit]


@pytest.mark.parametrize("few", [1, 10**9, rec._FEW_FITTING, 12])
def test_a_nearly_spent_campaign_ranks_like_the_rule(world, monkeypatch, few):
    """Remaining budgets at percentiles of cost (below the cheapest, the cheapest, 1-50 %, a past-hires average,
    above all), every objective, with and without a content type and flagged rows, short and long pages;
    each tier walked (few = 1), each tier's fitting rows read (few = 10**9), and chosen by the count."""
    monkeypatch.setattr(rec, "_FEW_FITTING", few)
    costs = sorted(s["cost"] for s in world["scores"] if s["cost"] is not None)
    budgets = [
        -50.0,
        0.0,
        costs[0] - 0.01,
        costs[0],
        55.0,
        *(costs[len(costs) * p // 100] for p in (1, 3, 10, 25, 50)),
        costs[-1] + 1,
    ]
    checked = nonempty = 0
    for remaining, objective, content_type, flagged, limit in product(
        budgets, COLUMN, (None, "reel"), (False, True), (3, 40)
    ):
        got = rec.recommend(
            objective=objective,
            content_type=content_type,
            campaign_id=CAMPAIGN,
            remaining_budget=remaining,
            include_flagged=flagged,
            limit=limit,
        )
        expected = _reference(world, objective, content_type, remaining, flagged, limit)
        assert [(r["influencer_id"], r["content_type"]) for r in got] == expected, (
            remaining,
            objective,
            content_type,
            flagged,
            limit,
        )
        checked += 1
        nonempty += bool(expected)
    assert checked == len(budgets) * 3 * 2 * 2 * 2 and nonempty == checked  # rows without a cost always fit


def test_a_tier_filter_with_a_nearly_spent_campaign_ranks_like_the_rule(world, monkeypatch):
    """?tier= with a campaign: the tier's fitting rows are walked or read the same way."""
    from predictfluence.tiers import follower_tier

    for few, tier, remaining in product((1, 10**9), ("nano", "micro", "macro"), (55.0, 120.0, 900.0)):
        monkeypatch.setattr(rec, "_FEW_FITTING", few)
        got = rec.recommend(
            objective="engagements",
            content_type="reel",
            tiers=[tier],
            campaign_id=CAMPAIGN,
            remaining_budget=remaining,
            limit=40,
        )
        whole = rec.recommend(
            objective="engagements",
            content_type="reel",
            campaign_id=CAMPAIGN,
            remaining_budget=remaining,
            limit=10_000,
        )
        assert [r["influencer_id"] for r in got] == [
            r["influencer_id"] for r in whole if follower_tier(r["followers"]) == tier
        ][:40], (few, tier, remaining)
