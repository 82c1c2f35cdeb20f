"""The campaign planner's solver (predictfluence_ml.planner): optimal against brute force on small random
instances — solved directly, through the LP-bound reduction and through the knapsack bound first —, every constraint respected, reach
counted once per influencer, the refusals, and the sampled interval."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from predictfluence_ml import planner
from predictfluence_ml.planner import Candidates, PlanError, PlanRequest, Share, solve_plan

TYPES = ("reel", "post")
PLATFORMS = ("instagram", "tiktok")
TIERS = ("nano", "micro")


def world(n_influencers: int, seed: int, types=TYPES) -> Candidates:
    rng = np.random.default_rng(seed)
    followers = np.repeat(np.round(np.exp(rng.uniform(np.log(1e3), np.log(2e5), n_influencers))), len(types))
    value = followers * np.exp(rng.normal(np.log(0.03), 0.6, followers.size))
    cost = np.round(followers / 1000 * np.exp(rng.normal(np.log(10), 0.5, followers.size)), 2) + 5
    return Candidates(
        influencer_id=np.repeat(np.arange(1, n_influencers + 1), len(types)).astype(np.int64),
        content_type=np.tile(np.array(types, dtype=object), n_influencers),
        value=value,
        value_low=value * 0.6,
        value_high=value * 1.6,
        cost=cost,
        cost_low=cost * 0.75,
        cost_high=cost * 1.3,
        followers=followers,
        platform=np.repeat(rng.choice(PLATFORMS, n_influencers), len(types)).astype(object),
        tier=np.repeat(rng.choice(TIERS, n_influencers), len(types)).astype(object),
    )


def feasible(c: Candidates, r: PlanRequest, n: np.ndarray) -> bool:
    spent = float(c.cost @ n)
    if spent > r.budget + 1e-9:
        return False
    ids = np.unique(c.influencer_id)
    per = np.array([n[c.influencer_id == i].sum() for i in ids])
    chosen = per > 0
    if ((per > 0) & ((per < r.min_posts) | (per > r.max_posts))).any():
        return False
    if r.max_influencers is not None and chosen.sum() > r.max_influencers:
        return False
    if any(not chosen[ids == p].any() for p in r.pinned):
        return False
    for shares, column in ((r.platform_share, c.platform), (r.tier_share, c.tier)):
        for key, share in shares.items():
            part = float((c.cost * (column == key)) @ n)
            if part < share.min * spent - 1e-6 or part > share.max * spent + 1e-6:
                return False
    return True


def objective(c: Candidates, r: PlanRequest, n: np.ndarray) -> float:
    if r.objective == "reach":
        chosen = np.unique(c.influencer_id[n > 0])
        return float(sum(c.followers[c.influencer_id == i][0] for i in chosen))
    return float(c.value @ n)


def brute_force(c: Candidates, r: PlanRequest) -> float:
    best = None
    for combo in itertools.product(range(r.max_posts + 1), repeat=len(c)):
        n = np.array(combo)
        if n.sum() and feasible(c, r, n):
            value = objective(c, r, n)
            best = value if best is None else max(best, value)
    return best


def plan_posts(c: Candidates, plan) -> np.ndarray:
    n = np.zeros(len(c), dtype=int)
    for pick in plan.picks:
        n[pick.row] = pick.posts
    return n


REQUESTS = [
    dict(budget=300.0),
    dict(budget=500.0, max_posts=2),
    dict(budget=800.0, min_posts=2, max_posts=2, max_influencers=2),
    dict(budget=400.0, objective="reach", max_posts=2),
    dict(budget=600.0, platform_share={"instagram": Share(0.3, 0.7)}),
    dict(budget=600.0, tier_share={"micro": Share(0.0, 0.5)}, max_influencers=3, pinned=frozenset({2})),
    dict(budget=700.0, objective="reach", platform_share={"tiktok": Share(0.4, 1.0)}, max_posts=2),
]


@pytest.mark.parametrize("path", ["dynamic-programme", "direct", "lp-reduction", "knapsack-then-lp"])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("spec", range(len(REQUESTS)))
def test_optimal_against_brute_force(spec: int, seed: int, path: str, monkeypatch) -> None:
    if path != "dynamic-programme":  # the MILP paths: without the programme that takes plain requests
        monkeypatch.setattr(planner, "_DP_PATH", False)
    if path not in ("direct", "dynamic-programme"):  # every instance through LP-bound fixing, restricted MILP
        monkeypatch.setattr(planner, "_DIRECT_LIMIT", 0)
        monkeypatch.setattr(planner, "_RESTRICTED_SIZE", 1)
    if path == "knapsack-then-lp":  # and first through the knapsack bound
        monkeypatch.setattr(planner, "_HUGE_LIMIT", 0)
        monkeypatch.setattr(planner, "_HUGE_RESTRICTED", 1)
    c = world(4, seed)
    r = PlanRequest(mip_rel_gap=0.0, **REQUESTS[spec])
    best = brute_force(c, r)
    if best is None:
        with pytest.raises(PlanError):
            solve_plan(c, r)
        return
    plan = solve_plan(c, r)
    n = plan_posts(c, plan)
    assert feasible(c, r, n)
    assert objective(c, r, n) == pytest.approx(best, rel=1e-9)
    assert plan.total == pytest.approx(best, rel=1e-9)
    assert plan.status == "optimal" and plan.optimality_gap <= 1e-9


def test_budget_and_constraints_hold_on_a_larger_world() -> None:
    c = world(400, 11, types=("reel", "post", "story"))
    r = PlanRequest(
        budget=5000.0,
        max_posts=3,
        max_influencers=12,
        pinned=frozenset({5, 9}),
        platform_share={"instagram": Share(0.2, 0.6)},
        tier_share={"micro": Share(0.3, 1.0)},
    )
    plan = solve_plan(c, r)
    n = plan_posts(c, plan)
    assert feasible(c, r, n)
    assert plan.cost_total <= r.budget
    assert {5, 9} <= {p.influencer_id for p in plan.picks}
    assert all(p.pinned == (p.influencer_id in {5, 9}) for p in plan.picks)
    assert all("pinned by you" in p.why for p in plan.picks if p.pinned)


def test_reach_counts_followers_once_per_influencer() -> None:
    c = world(3, 1)
    c = c.take(np.arange(len(c)))
    r = PlanRequest(
        budget=10_000.0, objective="reach", max_posts=2, platform_share={c.platform[0]: Share(0.0, 1.0)}
    )  # shares on: no pruning of content types
    plan = solve_plan(c, r)
    chosen = {p.influencer_id for p in plan.picks}
    expected = sum(c.followers[c.influencer_id == i][0] for i in chosen)
    assert plan.total == pytest.approx(expected)
    assert sum(p.forecast for p in plan.picks) == pytest.approx(expected)
    assert plan.low == plan.high == plan.total


def test_dominated_content_types_are_pruned_only_without_shares() -> None:
    c = Candidates.from_rows(
        [
            {"influencer_id": 1, "content_type": "reel", "value": 100, "cost": 10, "followers": 1000},
            {"influencer_id": 1, "content_type": "post", "value": 90, "cost": 12, "followers": 1000},
            {"influencer_id": 1, "content_type": "story", "value": 150, "cost": 20, "followers": 1000},
            {"influencer_id": 2, "content_type": "reel", "value": 50, "cost": 5, "followers": 500},
        ]
    )
    assert planner.prune_dominated(c, PlanRequest(budget=100)).tolist() == [0, 2, 3]
    assert planner.prune_dominated(c, PlanRequest(budget=100, objective="reach")).tolist() == [0, 3]
    shares = PlanRequest(budget=100, platform_share={"": Share(0.1, 1.0)})
    assert planner.prune_dominated(c, shares).tolist() == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("changes", "field", "status"),
    [
        (dict(budget=0.0), "budget", 400),
        (dict(budget=float("nan")), "budget", 400),
        (dict(budget=1.0), "budget", 422),
        (dict(objective="likes"), "objective", 400),
        (dict(min_posts=3, max_posts=2), "constraints.posts_per_influencer", 422),
        (
            dict(platform_share={"instagram": Share(0.7, 1.0), "tiktok": Share(0.6, 1.0)}),
            "constraints.platform_share",
            422,
        ),
        (dict(tier_share={"micro": Share(0.6, 0.5)}), "constraints.tier_share", 422),
        (dict(tier_share={"mega": Share(0.1, 1.0)}), "constraints.tier_share", 422),
        (dict(max_influencers=1, pinned=frozenset({1, 2})), "constraints.include", 422),
        (dict(pinned=frozenset({999})), "constraints.include", 422),
        (dict(budget=40.0, pinned=frozenset({1, 2, 3, 4, 5})), "constraints.include", 422),
        (dict(pinned=frozenset({1})), "constraints", 422),
    ],
)
def test_refusals_name_the_field(changes: dict, field: str, status: int) -> None:
    c = world(6, 2)
    if field == "constraints":  # influencer 1 pinned, but its platform/tier contradict the 100 % shares
        platform = "tiktok" if c.platform[0] == "instagram" else "instagram"
        changes = dict(changes, platform_share={platform: Share(1.0, 1.0)})
    request = PlanRequest(**({"budget": 2000.0} | changes))
    with pytest.raises(PlanError) as caught:
        solve_plan(c, request)
    assert caught.value.field == field
    assert caught.value.status == status


def test_no_candidates_is_a_filters_error() -> None:
    with pytest.raises(PlanError) as caught:
        solve_plan(Candidates.from_rows([]), PlanRequest(budget=100.0))
    assert caught.value.field == "filters"


def test_interval_is_sampled_not_summed() -> None:
    c = world(200, 5)
    plan = solve_plan(c, PlanRequest(budget=3000.0, max_posts=2))
    assert len(plan.picks) >= 5
    assert plan.low <= plan.total <= plan.high
    assert plan.cost_low <= plan.cost_total <= plan.cost_high
    summed_low = sum(p.forecast_low for p in plan.picks)
    summed_high = sum(p.forecast_high for p in plan.picks)
    assert plan.high - plan.low < summed_high - summed_low  # a quantile of the sum, not a sum of quantiles
    assert summed_low < plan.low and plan.high < summed_high
    assert all(p.forecast_low <= p.forecast <= p.forecast_high for p in plan.picks)
    assert all(p.cost == pytest.approx(p.posts * p.cost_per_post) for p in plan.picks)
    again = solve_plan(c, PlanRequest(budget=3000.0, max_posts=2))
    assert (again.low, again.high) == (plan.low, plan.high)  # seeded: the same request, the same interval


def test_why_reads_in_plain_words() -> None:
    c = world(20, 3)
    plan = solve_plan(c, PlanRequest(budget=1000.0, max_posts=2, currency="USD"))
    why = plan.picks[0].why
    assert "engagements forecast" in why and "$" in why and "per dollar" in why
    assert f"among {len(c):,} candidates" in why


def test_knapsack_bound_is_dantzigs() -> None:
    value, cost = np.array([60.0, 100.0, 120.0]), np.array([10.0, 20.0, 30.0])
    upper, reduced = planner.reduce.knapsack_bound(value, cost, 50.0, 1)
    assert upper == pytest.approx(60 + 100 + 120 * 20 / 30)  # the classic example: 240
    assert reduced.tolist() == pytest.approx([0.0, 0.0, 0.0])
    upper, reduced = planner.reduce.knapsack_bound(value, cost, 25.0, 1)
    assert upper == pytest.approx(60 + 100 * 15 / 20)
    assert reduced.tolist() == pytest.approx([0.0, 0.0, 5 * 30 - 120])  # r = 5 per unit of cost


@pytest.mark.parametrize("spec", range(len(REQUESTS)))
def test_rounded_lp_plan_is_feasible_and_its_gap_honest(spec: int, monkeypatch) -> None:
    """With a loose gap the rounded LP plan is returned as soon as it is within it of z_LP: it must be a
    feasible plan, and its reported gap must hold against the brute-force optimum."""
    monkeypatch.setattr(planner, "_DIRECT_LIMIT", 0)
    for seed in range(4):
        c = world(4, seed)
        r = PlanRequest(mip_rel_gap=0.5, **REQUESTS[spec])
        best = brute_force(c, r)
        if best is None:
            continue
        plan = solve_plan(c, r)
        n = plan_posts(c, plan)
        assert feasible(c, r, n)
        assert plan.optimality_gap <= 0.5 and plan.status == "optimal"
        if r.objective != "reach":
            assert objective(c, r, n) >= best * (1 - plan.optimality_gap) - 1e-9


DP_REQUESTS = [  # no shares, max_influencers absent or not binding: the dynamic programme's requests
    dict(budget=250.0),
    dict(budget=900.0),
    dict(budget=500.0, max_posts=3),
    dict(budget=700.0, min_posts=2, max_posts=3),
    dict(budget=400.0, pinned=frozenset({1, 3})),
    dict(budget=450.0, objective="reach"),
    dict(budget=350.0, objective="reach", max_posts=2, pinned=frozenset({2})),
    dict(budget=600.0, max_posts=2, max_influencers=5),
]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("spec", range(len(DP_REQUESTS)))
def test_dynamic_programme_is_exact_against_brute_force(spec: int, seed: int, monkeypatch) -> None:
    """The programme alone (the MILP is made to fail, so a plan can only come from it), at gap 0 on
    4 influencers × 3 content types (2 when an influencer may have several posts: brute force tries
    every count per row), posts spread over content types included."""
    monkeypatch.setattr(planner, "_milp", lambda *a, **k: pytest.fail("the MILP path was taken"))
    r = PlanRequest(mip_rel_gap=0.0, **DP_REQUESTS[spec])
    c = world(4, 100 + seed, types=("reel", "post", "story") if r.max_posts == 1 else TYPES)
    best = brute_force(c, r)
    if best is None:  # e.g. the pinned influencers alone over budget
        with pytest.raises(PlanError):
            solve_plan(c, r)
        return
    plan = solve_plan(c, r)
    n = plan_posts(c, plan)
    assert feasible(c, r, n)
    assert objective(c, r, n) == pytest.approx(best, rel=1e-9)
    assert plan.status == "optimal" and plan.optimality_gap == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_dynamic_programme_matches_the_milp_on_a_larger_world(seed: int, monkeypatch) -> None:
    """300 influencers × 2 content types (too many for brute force): the programme's optimum at gap 0
    equals the MILP's at gap 0, and with the default gap it is within 10⁻⁴ and says so."""
    c = world(300, 40 + seed)
    exact = PlanRequest(budget=4000.0 + 3000.0 * seed, mip_rel_gap=0.0, time_limit=60.0)
    dp_plan = solve_plan(c, exact)
    monkeypatch.setattr(planner, "_DP_PATH", False)
    milp_plan = solve_plan(c, exact)
    assert dp_plan.total == pytest.approx(milp_plan.total, rel=1e-9)
    assert dp_plan.cost_total <= exact.budget
    monkeypatch.setattr(planner, "_DP_PATH", True)
    loose = solve_plan(c, PlanRequest(budget=exact.budget))
    assert loose.total >= milp_plan.total * (1 - loose.optimality_gap) - 1e-6
    assert 0.0 <= loose.optimality_gap <= 1e-4 and loose.status == "optimal"


def test_heuristic_pass_alone_is_never_returned_as_a_proof() -> None:
    """The beam pass (a start for the exact pass) returns a feasible plan; the exact pass from it finds
    the optimum even when the start is poor."""
    from predictfluence_ml import planner_dp as dp

    c = world(200, 9)
    ids, owner = np.unique(c.influencer_id, return_inverse=True)
    opts = dp.build_options(c.value, np.zeros(len(c)), c.cost, owner, np.zeros(len(ids), bool), 1, 1)
    start = dp.solve(opts, 3000.0, float("inf"), beam=1, core=3)
    assert float(opts.cost[start[0]].sum()) <= 3000.0
    assert float(opts.value[start[0]].sum()) == pytest.approx(start[1])
    found = dp.solve(opts, 3000.0, float("inf"), start=start)
    reference = solve_plan(c, PlanRequest(budget=3000.0, mip_rel_gap=0.0))
    assert found[1] == pytest.approx(reference.total, rel=1e-9) and found[2] == 0.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("spec", range(len(DP_REQUESTS)))
def test_dynamic_programme_gap_is_honest_at_the_default_gap(spec: int, seed: int, monkeypatch) -> None:
    """At the default relative gap (10⁻⁴) the programme may skip plans better by less than that; the gap
    it reports must hold against brute force, and a reported 0 means the optimum itself."""
    monkeypatch.setattr(planner, "_milp", lambda *a, **k: pytest.fail("the MILP path was taken"))
    r = PlanRequest(**DP_REQUESTS[spec])
    c = world(4, 200 + seed, types=("reel", "post", "story") if r.max_posts == 1 else TYPES)
    best = brute_force(c, r)
    if best is None:
        return
    plan = solve_plan(c, r)
    got = objective(c, r, plan_posts(c, plan))
    assert 0.0 <= plan.optimality_gap <= r.mip_rel_gap and plan.status == "optimal"
    assert got >= best * (1 - plan.optimality_gap) - 1e-9
    if plan.optimality_gap == 0.0:
        assert got == pytest.approx(best, rel=1e-9)


def test_dynamic_programme_share_is_cpu_time_not_wall_time(monkeypatch) -> None:
    """On a busy machine the wall clock runs on while the programme waits for a core: its share (2 s)
    is metered in CPU time, so a plan it can solve does not fall back to the slower MILP because other
    work held the cores. Simulated by a wall clock that jumps 10 s at every reading."""
    from predictfluence_ml import planner_dp as dp

    wall = iter(range(0, 10**9, 10))
    monkeypatch.setattr(dp.time, "perf_counter", lambda: float(next(wall)))
    monkeypatch.setattr(planner, "_milp", lambda *a, **k: pytest.fail("the MILP path was taken"))
    c = world(200, 9)
    plan = solve_plan(c, PlanRequest(budget=3000.0, time_limit=1e9))
    assert plan.status == "optimal" and plan.cost_total <= 3000.0
