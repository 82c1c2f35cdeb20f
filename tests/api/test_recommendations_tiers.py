"""/recommendations under tier and campaign-budget filters (issue 16.5, migration c7a1e9d3b5f2): the rows and
their order equal a Python reference of the ranking rule over a random world of every tier, platform, cost
and flag, for every objective; the score row's copy of the follower tier follows the influencer's."""

from __future__ import annotations

import json
import random
import re
from itertools import product

import pytest
import sqlalchemy as sa

from predictfluence.queries import recommendations as rec
from predictfluence.tiers import TIERS

PLATFORMS = ("instagram", "tiktok", "youtube")
CONTENT_TYPES = ("image", "reel", "video")
FOLLOWERS = (2_000, 9_999, 10_000, 30_000, 49_999, 50_000, 200_000, 499_999, 500_000, 900_000, 1_000_000, 5_000_000)
COLUMN = {"engagements_per_dollar": "engagements_per_dollar", "engagements": "engagements",
          "engagement_rate": "predicted_er"}
BUDGETS = {1: 100_000.0, 2: 900.0, 3: -50.0}  # campaign id: remaining budget (3 is overspent)


def _world(rng: random.Random) -> tuple[list[dict], list[dict], list[tuple]]:
    influencers = [
        {"id": i, "platform": PLATFORMS[i % 3], "followers": rng.choice(FOLLOWERS) + rng.randrange(0, 7) * (i % 2)}
        for i in range(1, 241)
    ]
    scores = []
    for inf in influencers:
        for ct in rng.sample(CONTENT_TYPES, rng.randint(1, 3)):
            er = round(rng.uniform(0.005, 0.1), 6)
            cost = None if rng.random() < 0.1 else round(rng.uniform(40, 2_000), 2)
            engagements = None if rng.random() < 0.05 else er * inf["followers"]
            scores.append({
                "i": inf["id"], "ct": ct, "er": er, "cost": cost, "e": engagements,
                "d": None if cost is None or engagements is None else engagements / cost,
                "r": json.dumps(["bought likes"] if rng.random() < 0.07 else []),
            })
    # hires: (campaign, influencer, status, agreed cost): the hired are left out, and a score without a
    # forecast cost is judged by the average of its influencer's past (non-cancelled) hires
    hires = [(c, i, rng.choice(("contracted", "completed", "cancelled")), rng.choice((300, 1_500)))
             for c in BUDGETS for i in rng.sample(range(1, 241), 25)]
    return influencers, scores, hires


@pytest.fixture()
def world(api_db):
    influencers, scores, hires = _world(random.Random(165))
    with api_db.begin() as conn:
        conn.execute(sa.text("INSERT INTO influencer (id, platform, handle, followers) VALUES (:id, :platform, "
                             "'h' || :id, :followers)"), influencers)
        conn.execute(sa.text("INSERT INTO model_version (id, kind, version, status, metrics, artifact_uri, sha256) "
                             "VALUES (1, 'engagement', 'v1', 'champion', '{}', 's3://m/v1', 'a')"))
        conn.execute(sa.text(
            "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, engagements, "
            "cost_per_post, engagements_per_dollar, anomaly_reasons) "
            "VALUES (:i, :ct, 1, :er, :e, :cost, :d, CAST(:r AS jsonb))"), scores)
        conn.execute(sa.text("INSERT INTO campaign (id, name, budget) VALUES (:id, 'c' || :id, 0)"),
                     [{"id": c} for c in BUDGETS])
        conn.execute(sa.text("INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost) "
                             "VALUES (:c, :i, :s, :a)"),
                     [dict(zip("cisa", h, strict=True)) for h in hires])
        conn.execute(sa.text("ANALYZE influencer; ANALYZE influencer_score"))
    return {"influencers": {r["id"]: r for r in influencers}, "scores": scores, "hires": hires, "db": api_db}


def _tier(followers: int) -> str:
    from predictfluence.tiers import follower_tier

    return follower_tier(followers)  # type: ignore[return-value]


def _reference(world, objective, tier, platform, content_type, campaign, include_flagged, limit, bounds=(None, None)):
    """The ranking rule, in Python: filters; each influencer's best row (objective DESC NULLS LAST, rows without
    it by predicted ER, then content type) unless a content type is asked; then the same order, ties by id."""
    column = COLUMN[objective]
    hires = world["hires"]
    past = {}
    for _, i, status, cost in hires:
        if status != "cancelled":
            past.setdefault(i, []).append(cost)

    def fits(s):
        if campaign is None:
            return True
        if any(c == campaign and i == s["i"] and st != "cancelled" for c, i, st, _ in hires):
            return False
        remaining = BUDGETS[campaign]
        cost = s["cost"] if s["cost"] is not None else (
            sum(past[s["i"]]) / len(past[s["i"]]) if s["i"] in past else remaining)
        return cost <= remaining

    def key(s):
        value = {"engagements_per_dollar": s["d"], "engagements": s["e"], "predicted_er": s["er"]}[column]
        return (value is None, -(value if value is not None else s["er"]))

    rows = [s for s in world["scores"]
            if (tier is None or _tier(world["influencers"][s["i"]]["followers"]) == tier)
            and (platform is None or world["influencers"][s["i"]]["platform"] == platform)
            and (bounds[0] is None or world["influencers"][s["i"]]["followers"] >= bounds[0])
            and (bounds[1] is None or world["influencers"][s["i"]]["followers"] <= bounds[1])
            and (content_type is None or s["ct"] == content_type)
            and (include_flagged or s["r"] == "[]") and fits(s)]
    if content_type is None:
        best = {}
        for s in sorted(rows, key=lambda s: (*key(s), s["ct"])):
            best.setdefault(s["i"], s)
        rows = list(best.values())
    return [(s["i"], s["ct"]) for s in sorted(rows, key=lambda s: (*key(s), s["i"]))][:limit]


def test_tier_platform_and_budget_filters_rank_like_the_rule(world):
    """Every objective × tier (each of the five and none) × platform × content type × campaign (none, one with
    budget to spare, one nearly spent, one overspent), flagged in and out, a short and a long page."""
    checked = nonempty = 0
    for objective, tier, platform, content_type, campaign, flagged, limit in product(
        COLUMN, (None, "nano", "micro", "mid", "macro", "mega"), (None, "tiktok"), (None, "reel"),
        (None, *BUDGETS), (False, True), (3, 400),
    ):
        if flagged and limit == 3:
            continue
        got = rec.recommend(objective=objective, platform=platform, content_type=content_type,
                            tiers=[tier] if tier else None, campaign_id=campaign,
                            remaining_budget=BUDGETS.get(campaign), include_flagged=flagged, limit=limit)
        expected = _reference(world, objective, tier, platform, content_type, campaign, flagged, limit)
        assert [(r["influencer_id"], r["content_type"]) for r in got] == expected, (
            objective, tier, platform, content_type, campaign, flagged, limit)
        assert all(r["follower_tier"] == tier for r in got) or tier is None
        checked += 1
        nonempty += bool(expected)
    assert checked == 3 * 6 * 2 * 2 * 4 * 3 and nonempty > checked * 0.9


def test_the_score_rows_tier_follows_the_influencer(world):
    """Written without a tier, a score row takes its influencer's; a follower change across a tier boundary
    rewrites the influencer's score rows (and a change within the tier writes nothing); the tier filter follows."""
    with world["db"].begin() as conn:
        pairs = conn.execute(sa.text(
            "SELECT count(*) FILTER (WHERE s.follower_tier IS DISTINCT FROM i.follower_tier), count(*) "
            "FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id")).one()
        assert pairs[0] == 0 and pairs[1] == len(world["scores"])
        conn.execute(sa.text("UPDATE influencer SET followers = 20000 WHERE id = 1"))  # -> micro
        conn.execute(sa.text("UPDATE influencer SET followers = 3000000 WHERE id = 2"))  # -> mega
        assert dict(conn.execute(sa.text(
            "SELECT DISTINCT influencer_id, follower_tier FROM influencer_score WHERE influencer_id IN (1, 2)"
        )).all()) == {1: "micro", 2: "mega"}
        where = "FROM influencer_score WHERE influencer_id = 1 ORDER BY content_type"
        before = conn.execute(sa.text(f"SELECT ctid::text {where}")).all()
        conn.execute(sa.text("UPDATE influencer SET followers = 20001 WHERE id = 1"))  # still micro
        assert conn.execute(sa.text(f"SELECT ctid::text {where}")).all() == before
    for tier, iid in (("micro", 1), ("mega", 2)):
        got = rec.recommend(objective="engagement_rate", tiers=[tier], include_flagged=True, limit=1000)
        assert iid in {r["influencer_id"] for r in got} and {r["follower_tier"] for r in got} == {tier}


def test_a_tier_is_read_from_its_tier_index(api_db):
    """With sequential and bitmap scans priced out, the tier-filtered ranking is an index walk of the tier's
    (content_type, follower_tier, objective DESC, influencer_id) index for every objective: a tier in the
    ranking's order, ties by id included."""
    from predictfluence.db import get_engine
    from predictfluence.queries.filters import Where

    for objective, index in (("engagements", "tier_engagements"), ("engagements_per_dollar", "tier_per_dollar"),
                             ("predicted_er", "tier_er")):
        for per_content_type, content_type in ((True, []), (False, ["s.content_type = 'reel'"])):
            where = Where("s.follower_tier = :tier0", *content_type, tier0="micro")
            sql = rec._ranking_sql(where, objective, per_content_type=per_content_type, picked=None)
            with get_engine().begin() as conn:
                conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
                conn.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
                plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {sql}"), {**where.params, "limit": 5}).scalars())
            # influencer_score is partitioned by scoring run (b3d8e6f1a2c4): the plan names its one partition's
            # copy of ix_influencer_score_<index>, `<partition>_<index>`
            assert re.search(rf"Index Scan using influencer_score_\w+_{index} on influencer_score_\w+", plan), plan


def test_without_a_tier_each_tier_is_read_from_its_tier_index(api_db):
    """Without ?tier= the ranking merges the top `limit` of every tier (and of the rows without one), each read
    from its tier's index in the ranking's order (migration f5d9b2a7c3e1 dropped the (content_type, objective)
    indexes the unfiltered ranking walked, so the scoring swap no longer maintains them)."""
    from predictfluence.db import get_engine
    from predictfluence.queries.filters import Where

    with get_engine().begin() as conn:
        left = conn.execute(sa.text("SELECT indexname FROM pg_indexes WHERE tablename = 'influencer_score'")).scalars()
        assert not {"ix_influencer_score_content_er", "ix_influencer_score_content_engagements",
                    "ix_influencer_score_content_per_dollar"} & set(left)
    for objective, index in (("engagements", "tier_engagements"), ("engagements_per_dollar", "tier_per_dollar"),
                             ("predicted_er", "tier_er")):
        for per_content_type, content_type in ((True, []), (False, ["s.content_type = 'reel'"])):
            where = Where(*content_type)
            sql = rec._ranking_sql(where, objective, per_content_type=per_content_type, picked=None,
                                   walks=rec._tier_walks(None, None))
            with get_engine().begin() as conn:
                conn.execute(sa.text("SET LOCAL enable_seqscan = off"))
                conn.execute(sa.text("SET LOCAL enable_bitmapscan = off"))
                plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {sql}"), {"limit": 5}).scalars())
            walks = re.split(rf"Index Scan using influencer_score_\w+_{index} on influencer_score_\w+", plan)[1:]
            conditions = [w.split("\n")[1].strip() for w in walks]
            for tier in TIERS:  # one ordered walk per tier, merged: the merge stops after `limit` rows
                assert any(c.startswith("Index Cond: ") and f"= '{tier}'" in c for c in conditions), plan
            assert "Merge Append" in plan, plan


def test_without_a_tier_an_influencer_without_followers_is_ranked(world):
    """An influencer without a follower count has no tier: the merged ranking reads those rows too, in place."""
    with world["db"].begin() as conn:
        conn.execute(sa.text("INSERT INTO influencer (id, platform, handle) VALUES (999, 'tiktok', 'nofollowers')"))
        conn.execute(sa.text(
            "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, engagements, "
            "cost_per_post, engagements_per_dollar) VALUES (999, 'reel', 1, 0.5, NULL, NULL, NULL), "
            "(999, 'image', 1, 0.0001, 1e12, 1, 1e12)"))
    for objective, content_type, first in (("engagement_rate", None, "reel"), ("engagements", None, "image"),
                                           ("engagements_per_dollar", "image", "image")):
        got = rec.recommend(objective=objective, content_type=content_type, limit=5)
        assert [(r["influencer_id"], r["content_type"], r["follower_tier"]) for r in got][:1] == [
            (999, first, None)], objective
    got = rec.recommend(objective="engagements", content_type="reel", limit=1000)  # no engagements: after the rest
    assert [r["influencer_id"] for r in got].index(999) == len([s for s in world["scores"] if s["ct"] == "reel"
                                                                and s["e"] is not None and s["r"] == "[]"])


def test_without_a_tier_follower_bounds_walk_the_tiers_they_meet(world):
    """Follower bounds without a tier walk only the tiers their range meets (a tier outside it has no match),
    the boundary tiers included: the same rows as the rule."""
    for objective, bounds, content_type in product(COLUMN, ((None, 30_000), (10_000, 60_000), (49_999, 50_000),
                                                            (500_000, None), (1_000_000, 1_000_000)), (None, "reel")):
        got = rec.recommend(objective=objective, content_type=content_type, min_followers=bounds[0],
                            max_followers=bounds[1], limit=30)
        expected = _reference(world, objective, None, None, content_type, None, False, 30, bounds)
        assert [(r["influencer_id"], r["content_type"]) for r in got] == expected and expected, (objective, bounds)
