"""The planner's pool cut (predictfluence.queries.planning.PoolCut, PF_PLANNER_POOL_ROWS): the pool is cut
to the best rows by forecast per cost and by forecast (overall and per share group) — at least a number of
rows and every row before a few budgets are spent — and the pinned influencers' rows: exactly that set, on
real PostgreSQL; and the plans over the cut pool match the plans over the whole pool on a seeded world of
240 candidate rows. A whole-pool plan
over 1,000,000 influencers took minutes (docs/benchmarks.md, xl section), past API Gateway's 29 s."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sqlalchemy as sa

N_INFLUENCERS = 120
TYPES = ("reel", "image")


@pytest.fixture()
def pool(api_db):
    """120 influencers × 2 content types, every row priced; campaign 1 (budget 3,000, no hires)."""
    rng = np.random.default_rng(7)
    followers = np.round(np.exp(rng.uniform(np.log(2e3), np.log(2e5), N_INFLUENCERS))).astype(int)
    platforms = rng.choice(["instagram", "tiktok"], N_INFLUENCERS)
    rows = []
    with api_db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO model_version (id, kind, version, status, metrics, artifact_uri, sha256, details) VALUES "
            "(2, 'engagement', 'v2', 'champion', '{}', 's3://m/v2/model.joblib', 'b', '{}')"))
        conn.execute(sa.text("INSERT INTO campaign (id, name, budget) VALUES (1, 'Cap', 3000)"))
        for k in range(N_INFLUENCERS):
            conn.execute(
                sa.text("INSERT INTO influencer (id, platform, handle, name, followers) VALUES (:i, :p, :h, :h, :f)"),
                {"i": k + 1, "p": str(platforms[k]), "h": f"cap_{k}", "f": int(followers[k])},
            )
            for ct in TYPES:
                value = float(round(followers[k] * np.exp(rng.normal(np.log(0.03), 0.6)), 1))
                cost = float(round(followers[k] / 1000 * np.exp(rng.normal(np.log(10), 0.5)) + 5, 2))
                rows.append({"i": k + 1, "ct": ct, "e": value, "c": cost, "f": int(followers[k])})
        conn.execute(
            sa.text(
                "INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, "
                "anomaly_reasons, engagements, engagements_low, engagements_high, cost_per_post, cost_low, "
                "cost_high) VALUES (:i, :ct, 2, 0.03, '[]', :e, :e * 0.6, :e * 1.5, :c, :c * 0.7, :c * 1.4)"
            ),
            rows,
        )
    tiers = {k + 1: _tier(int(f)) for k, f in enumerate(followers)}
    return api_db, rows, {k + 1: str(p) for k, p in enumerate(platforms)}, tiers


def _tier(followers: int) -> str:
    from predictfluence.tiers import follower_tier

    return str(follower_tier(followers))


def _expected(rows, cut, include, tiers, objective="engagements"):
    """The cut worked out here (PoolCut): per ordering — forecast per cost, forecast (rows that fit the
    budget), and forecast per cost within each tier group of `cut.groups` — the first `cut.rows` rows,
    every row before which less than `cut.spend` is spent at `cut.min_posts` posts each (reach: once per
    influencer) and, among the first `fetch` rows, the first `cut.band_rows` of each power-of-two cost band;
    plus the pinned influencers' rows. `fetch` starts at max(rows, depth) and grows 4× while some
    ordering's first `fetch` rows all fall within the spend."""
    worth = (lambda r: r["f"]) if objective == "reach" else (lambda r: r["e"])
    rate = lambda r: worth(r) / r["c"]  # noqa: E731
    affordable = [r for r in rows if r["c"] * cut.min_posts <= cut.budget]  # the others fit no plan
    orderings = [(rows, rate), (affordable, worth)]
    orderings += [([r for r in rows if tiers[r["i"]] == group], rate) for group in cut.groups.get("tier", ())]
    orderings = [sorted(candidates, key=lambda r: (-key(r), r["i"], r["ct"])) for candidates, key in orderings]

    def spends(ordered):  # per row: what it adds to the spend
        seen, out = set(), []
        for r in ordered:
            out.append(r["c"] * cut.min_posts if objective != "reach" or r["i"] not in seen else 0.0)
            seen.add(r["i"])
        return out

    fetch = max(cut.rows, cut.depth, 1)
    while fetch < len(rows) and any(
        len(o[:fetch]) == fetch and sum(spends(o[:fetch])) < cut.spend for o in orderings
    ):
        fetch *= 4
    kept = {(r["i"], r["ct"]) for r in rows if r["i"] in include}
    for ordered in orderings:
        first, spent, bands = ordered[:fetch], 0.0, {}
        for rank, (r, adds) in enumerate(zip(first, spends(first), strict=True), start=1):
            band = math.floor(math.log2(r["c"] * cut.min_posts))
            bands[band] = bands.get(band, 0) + 1
            if rank <= cut.rows or spent < cut.spend or bands[band] <= cut.band_rows:
                kept.add((r["i"], r["ct"]))
            spent += adds
    return kept


def test_the_cut_keeps_exactly_the_best_rows_the_pinned_and_each_share_groups_best(pool):
    from predictfluence.queries import planning
    from predictfluence.queries.planning import PoolCut

    engine, rows, _platforms, tiers = pool
    with engine.connect() as conn:
        whole, _, total = planning.plan_candidates(1, conn=conn)
        assert total == len(whole["influencer_id"]) == len(rows)  # no cut: the whole pool
        cuts = [
            (PoolCut(rows=5, spend=0.0), []),
            (PoolCut(rows=12, spend=500.0, min_posts=2), [3, 77]),
            (PoolCut(rows=3, spend=300.0, groups={"tier": ("nano", "mid")}), [5]),
            (PoolCut(rows=2, spend=2500.0), []),  # the first 2 rows cover less: read further
            (PoolCut(rows=30, spend=400.0, budget=100.0, min_posts=2), [4]),  # rows over the budget: in none
            (PoolCut(rows=1000, spend=0.0), []),  # more rows than the pool: all of it
            (PoolCut(rows=3, spend=200.0, band_rows=2, depth=60), []),  # each cost band's best 2 of the first 60
            (PoolCut(rows=3, spend=900.0, band_rows=1, depth=4, min_posts=3), [2]),  # the read grows: 4, 16, ...
        ]
        # reach counts an influencer's spend once (this cut keeps fewer rows if every row counted)
        cuts += [(PoolCut(rows=4, spend=5000.0, groups={"tier": ("micro",)}), [9], "reach")]
        for cut, include, *objective in cuts:
            columns, version, total = planning.plan_candidates(
                1, cut=cut, include=include, objective=(objective or ["engagements"])[0], conn=conn
            )
            got = set(zip(map(int, columns["influencer_id"]), columns["content_type"], strict=True))
            assert total == len(rows) and version == 2
            assert got == _expected(rows, cut, include, tiers, *objective)
            assert len(got) < len(rows) or cut.rows >= len(rows)


def _plan(client, auth, body):
    response = client.http.post(
        "/campaigns/1/plan", headers={**auth["manager"], "Content-Type": "application/json"}, body=json.dumps(body)
    )
    assert response.status_code == 200, response.body
    return json.loads(response.body)


@pytest.mark.parametrize(
    "body",
    [
        {"budget": 3000},
        {"budget": 800, "constraints": {"posts_per_influencer": {"min": 1, "max": 3}}},
        {"budget": 20000, "constraints": {"max_influencers": 4}},
        {"budget": 3000, "objective": "reach"},
        {"budget": 3000, "constraints": {"tier_share": {"nano": {"min": 0.3}}}},
    ],
)
def test_plans_over_the_cut_pool_match_the_whole_pool(pool, client, auth, monkeypatch, body):
    whole = _plan(client, auth, body)
    monkeypatch.setenv("PF_PLANNER_POOL_ROWS", "5")
    cut = _plan(client, auth, body)
    assert whole["candidates_total"] == cut["candidates_total"] == 240
    assert cut["candidates"] < whole["candidates"]
    # both are proven within the solver's relative gap (1e-4) of their pool's optimum
    assert cut["forecast"]["total"] >= whole["forecast"]["total"] * (1 - 2e-4)
    assert cut["cost_total"] <= body["budget"]
