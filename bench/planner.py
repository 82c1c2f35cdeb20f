"""Backtest of the campaign planner on a demo world (issue 11, item 5).

    .venv/bin/python bench/planner.py [--influencers 1500] [--days 150] [--seed 13] [--budgets 8]
                                      [--random-seeds 5] [--latency-candidates 10000] [--latency-runs 30]

1. A demo world (`predictfluence demo-data`) is generated; the cutoff is `--horizon` + 10 days before
   its end (the 10 days let a post made on the horizon's last day finish its tracked days). Only what was
   known before the cutoff is loaded (bench/_demo_world.py `cut_at`: posts, metrics, hires, conversions,
   campaigns before it) into a scratch database; the model and the cost model are trained there and
   every influencer scored (as of the last loaded day). Nothing after the cutoff can leak into features,
   scores or cost forecasts: it is not in the database.
2. Scenarios: every budget (`--budgets` of them, log-spaced from 3 to 1,500 times the pool's median cost
   of one post, at most half the pool's cost) × every filter (none, the two largest platforms, the two
   largest categories, the most common content type). Candidates: influencer_score rows with a cost forecast, flagged accounts left
   out (the planner's default). The planner (predictfluence_ml.planner.solve_plan, called in process,
   objective engagements, one post per influencer) plans each; the baselines fill the same budget
   greedily in their own order with the same forecast cost per post, one post each: top predicted ER, top
   historical ER (observed, the 90 days before the cutoff), top followers, random (median of the seeds).
3. Every selection is realized over the horizon after the cutoff (bench/_backtest.py: genuine
   engagements per post from the world's own daily metrics, bought likes of the truly suspicious accounts
   removed with `_truth.json`'s multiplier; prices from the generator's cost process).
4. Figures: `planned_vs_best_baseline` (median over scenarios of plan realized / best baseline
   realized; goal ≥ 1.25), `plan_interval_coverage` (share of scenarios whose realized total falls in the
   plan's 80 % interval; goal 0.75–0.85), `plan_p95_ms` at `--latency-candidates` candidates (warm;
   goal ≤ 1000) and the first call, the flag against the truth and the default ranking's top 20 / 100
   (bench/flag.py's figures), the cost model's held-out MAE next to the rate-card baseline. `baselines`
   and `plan_realized` are sums over the scenarios. The last output line is one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "ml"), str(ROOT / "bench")]

import sqlalchemy as sa  # noqa: E402

END = dt.date(2026, 11, 1)
TAIL_DAYS = 10  # the longest tracked life of a post (demo params TRACKED_DAYS)
STRATEGIES = ("top_predicted_er", "top_historical_er", "top_followers", "random")

CANDIDATES_SQL = """
SELECT s.influencer_id, lower(i.platform) AS platform, lower(i.handle) AS handle, lower(i.category) AS category,
       i.follower_tier AS tier, i.followers, s.content_type, s.predicted_er, s.er_low, s.er_high,
       s.engagements, s.engagements_low, s.engagements_high, s.cost_per_post, s.cost_low, s.cost_high
FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id
WHERE coalesce(jsonb_array_length(s.anomaly_reasons), 0) = 0
ORDER BY s.influencer_id, s.content_type
"""


def say(message: str) -> None:
    print(message, flush=True)


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """HiGHS prints solver notes straight to file descriptor 1: keep them out of the bench's output."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def candidate_rows(engine: sa.Engine) -> tuple[list[dict], str]:
    """The planner's candidate rows (flagged left out) and where their cost forecast came from; every row
    also gets `rate_card`: the per-platform rate card of the hires before the cutoff (the cost baseline)."""
    import numpy as np

    from predictfluence_ml.costs import rate_card_model
    from predictfluence_ml.costs_data import load_hires

    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.text(CANDIDATES_SQL)).mappings()]
        card = rate_card_model(load_hires(conn))
    cards = card.rate_card(
        np.array([r["platform"] for r in rows]), np.array([float(r["followers"]) for r in rows])
    )
    for r, c in zip(rows, cards.tolist(), strict=True):
        r["rate_card"] = c
    source = "influencer_score.cost_per_post"
    if rows and all(r["cost_per_post"] is None for r in rows):  # a scorer without the cost model
        for r in rows:
            r.update(
                cost_per_post=r["rate_card"], cost_low=r["rate_card"] / 1.5, cost_high=r["rate_card"] * 1.5
            )
        source = "rate card of the hires before the cutoff (scores had no cost forecast)"
    for r in rows:
        if r["engagements"] is None:
            f, er = float(r["followers"]), r["predicted_er"]
            r.update(
                engagements=er * f,
                engagements_low=(r["er_low"] or er) * f,
                engagements_high=(r["er_high"] or er) * f,
            )
    return [r for r in rows if r["cost_per_post"] and r["cost_per_post"] > 0], source


def cost_vs_generator(rows: list[dict], price: dict) -> dict[str, float]:
    """The cost forecast of every candidate row against the generator's price for that account (one draw
    of its cost process): MAE, the rate card's MAE, the median forecast / price and the share of prices
    inside the forecast's 80 % interval."""
    pairs = [(r, price[r["platform"], r["handle"]]) for r in rows if (r["platform"], r["handle"]) in price]
    return {
        "cost_truth_mae": statistics.fmean(abs(r["cost_per_post"] - p) for r, p in pairs),
        "cost_truth_rate_card_mae": statistics.fmean(abs(r["rate_card"] - p) for r, p in pairs),
        "cost_truth_median_ratio": statistics.median(r["cost_per_post"] / p for r, p in pairs),
        "cost_truth_interval_coverage": statistics.fmean(
            (r["cost_low"] or r["cost_per_post"]) <= p <= (r["cost_high"] or r["cost_per_post"])
            for r, p in pairs
        ),
    }


def scenarios(rows: list[dict], budgets: int) -> list[dict]:
    """Filters × budgets. Budgets are log-spaced from 3 to 1,500 times the filtered pool's median cost of
    one post (an influencer's cheapest content type), from a handful of creators to hundreds, and at most
    half of what one post of every influencer in the pool would cost."""

    def top(field: str, n: int) -> list[str]:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r[field]] = counts.get(r[field], 0) + 1
        return sorted(counts, key=lambda k: (-counts[k], k))[:n]

    filters = (
        [{}] + [{"platform": p} for p in top("platform", 2)] + [{"category": c} for c in top("category", 2)]
    )
    filters.append({"content_type": top("content_type", 1)[0]})
    multiples = [3 * 500 ** (k / max(1, budgets - 1)) for k in range(budgets)]
    out = []
    for f in filters:
        pool = [r for r in rows if all(r[k] == v for k, v in f.items())]
        cheapest: dict[int, float] = {}
        for r in pool:
            cheapest[r["influencer_id"]] = min(
                cheapest.get(r["influencer_id"], float("inf")), r["cost_per_post"]
            )
        median, cap = statistics.median(cheapest.values()), 0.5 * sum(cheapest.values())
        for budget in sorted({round(min(cap, median * m), 2) for m in multiples}):  # the cap can repeat one
            out.append({"filters": f, "budget": budget, "rows": pool})
    return out


def to_candidates(rows: list[dict]):
    from predictfluence_ml.planner import Candidates

    return Candidates.from_rows([{
        "influencer_id": r["influencer_id"], "content_type": r["content_type"], "value": r["engagements"],
        "value_low": r["engagements_low"], "value_high": r["engagements_high"], "cost": r["cost_per_post"],
        "cost_low": r["cost_low"], "cost_high": r["cost_high"], "followers": r["followers"],
        "platform": r["platform"], "tier": r["tier"]} for r in rows])  # fmt: skip


def one_scenario(n: int, sc: dict, args: argparse.Namespace, realized, hist, main_type, by_id) -> dict:
    """Plan one scenario and fill its budget with every baseline; everything realized (engagements, cost)."""
    from _backtest import (
        Candidate,
        Pick,
        baseline_orders,
        greedy_fill,
        realized_total,
        realized_within_budget,
    )

    from predictfluence_ml.planner import PlanRequest, solve_plan

    with quiet_stdout():
        plan = solve_plan(to_candidates(sc["rows"]), PlanRequest(budget=sc["budget"], seed=n))
    picks = [
        Pick(p.influencer_id, p.content_type, p.posts)
        for p in sorted(plan.picks, key=lambda p: -p.forecast / max(p.cost, 1e-9))
    ]  # best per $ first
    value, cost = realized_total(picks, by_id, realized)
    real = {"plan": realized_within_budget(picks, by_id, realized, sc["budget"])}
    cands = [Candidate(r["influencer_id"], (r["platform"], r["handle"]), r["content_type"], int(r["followers"]),
                       float(r["predicted_er"]), float(r["cost_per_post"])) for r in sc["rows"]]  # fmt: skip
    got = {}
    for name, orders in baseline_orders(cands, hist, main_type, args.random_seeds).items():
        fills = [greedy_fill(o, sc["budget"]) for o in orders]
        outcomes = [realized_total(f, by_id, realized) for f in fills]
        got[name] = (statistics.median(v for v, _c in outcomes), statistics.median(c for _v, c in outcomes))
        real[name] = statistics.median(
            realized_within_budget(f, by_id, realized, sc["budget"]) for f in fills
        )
    best = max(got, key=lambda k: got[k][0])
    best_pd = max(v / c for v, c in got.values() if c > 0)
    out = {"filters": sc["filters"], "budget": sc["budget"], "picks": len(picks), "status": plan.status,
           "forecast": [round(plan.low), round(plan.total), round(plan.high)], "forecast_cost": round(plan.cost_total),
           "realized": round(value), "realized_cost": round(cost), "covered": plan.low <= value <= plan.high,
           "baselines": {k: [round(v), round(c)] for k, (v, c) in got.items()}, "best_baseline": best,
           "ratio": value / got[best][0] if got[best][0] > 0 else float("nan"),
           "ratio_per_dollar": (value / cost) / best_pd if cost > 0 and best_pd > 0 else float("nan"),
           "real_prices": {k: round(v) for k, v in real.items()},
           "ratio_real_prices": real["plan"] / max(real[k] for k in STRATEGIES) if max(real[k] for k in STRATEGIES) > 0
           else float("nan")}  # fmt: skip
    say(f"  {n + 1:>2d}. {json.dumps(sc['filters']):<26s} budget {sc['budget']:>9,.0f}: {len(picks):>3d} picks, "
        f"forecast {plan.total:>10,.0f} [{plan.low:,.0f}, {plan.high:,.0f}]{'' if out['covered'] else ' (out)'}, "
        f"realized {value:>10,.0f} for ${cost:,.0f}; best baseline {best} {got[best][0]:,.0f} for "
        f"${got[best][1]:,.0f} → {out['ratio']:.2f}×; hired at real prices within budget {real['plan']:,.0f} vs "
        f"{max(real[k] for k in STRATEGIES):,.0f} → {out['ratio_real_prices']:.2f}×")  # fmt: skip
    return out


def backtest(rows: list[dict], args: argparse.Namespace, realized, hist, main_type) -> dict[str, object]:
    """Every scenario; the medians of the per-scenario ratios and the sums over scenarios."""
    by_id = {r["influencer_id"]: (r["platform"], r["handle"]) for r in rows}
    per = [one_scenario(n, sc, args, realized, hist, main_type, by_id)
           for n, sc in enumerate(scenarios(rows, args.budgets))]  # fmt: skip
    median = lambda xs: statistics.median([x for x in xs if x == x]) if any(x == x for x in xs) else None  # noqa: E731
    value = {k: sum(s["baselines"][k][0] for s in per) for k in STRATEGIES}
    cost = {k: sum(s["baselines"][k][1] for s in per) for k in STRATEGIES}
    plan_value, plan_cost = sum(s["realized"] for s in per), sum(s["realized_cost"] for s in per)
    plan_forecast, plan_cost_forecast = (
        sum(s["forecast"][1] for s in per),
        sum(s["forecast_cost"] for s in per),
    )
    return {
        "planned_vs_best_baseline": median([s["ratio"] for s in per]),
        "planned_vs_best_baseline_min": min(s["ratio"] for s in per),
        "planned_vs_best_baseline_per_dollar": median([s["ratio_per_dollar"] for s in per]),
        "planned_vs_best_baseline_real_prices": median([s["ratio_real_prices"] for s in per]),
        "plan_realized_real_prices": sum(s["real_prices"]["plan"] for s in per),
        "baselines_real_prices": {k: sum(s["real_prices"][k] for s in per) for k in STRATEGIES},
        "plan_interval_coverage": sum(s["covered"] for s in per) / len(per),
        "plan_realized": plan_value,
        "plan_forecast": plan_forecast,
        "plan_realized_vs_forecast": plan_value / plan_forecast if plan_forecast else None,
        "plan_cost_forecast": plan_cost_forecast,
        "plan_cost_realized": plan_cost,
        "plan_spend_vs_budget": median([s["realized_cost"] / s["budget"] for s in per]),
        "baselines": value,
        "baselines_cost_realized": cost,
        "baselines_spend_vs_budget": {k: median([s["baselines"][k][1] / s["budget"] for s in per]) for k in STRATEGIES},
        "plan_vs_baseline": {k: plan_value / value[k] for k in STRATEGIES if value[k] > 0},
        "plan_vs_baseline_per_dollar": {k: (plan_value / plan_cost) / (value[k] / cost[k])
                                        for k in STRATEGIES if value[k] > 0 and cost[k] > 0 and plan_cost > 0},
        "scenarios": len(per),
        "realized_fallbacks": dict(realized.fallbacks),
        "per_scenario": per,
    }  # fmt: skip


def latency(rows: list[dict], n: int, runs: int, seed: int) -> dict[str, float]:
    """Plan latency at `n` candidates: the world's candidate rows tiled (new influencer ids, ±10 %
    lognormal jitter on forecasts and costs) up to `n`; the first call, then `runs` warm calls at budgets
    from 1 % to 20 % of the pool's cost."""
    import numpy as np

    from predictfluence_ml.planner import PlanRequest, solve_plan

    rng = np.random.default_rng(seed)
    tiled = []
    for k in range(n):
        r = dict(rows[k % len(rows)])
        r["influencer_id"] = r["influencer_id"] + 10_000_000 * (k // len(rows))
        j, c = rng.lognormal(0, 0.1), rng.lognormal(0, 0.1)
        for key in ("engagements", "engagements_low", "engagements_high"):
            r[key] = r[key] * j
        for key in ("cost_per_post", "cost_low", "cost_high"):
            r[key] = r[key] * c
        tiled.append(r)
    cands = to_candidates(tiled)
    total = float(np.sum(cands.cost))
    timings, statuses = [], []
    for i in range(runs + 1):
        budget = total * 0.01 * 20 ** (i % 8 / 7)
        with quiet_stdout():
            t0 = time.perf_counter()
            plan = solve_plan(cands, PlanRequest(budget=budget, seed=i))
            timings.append((time.perf_counter() - t0) * 1000)
        statuses.append(plan.status)
    warm = sorted(timings[1:])
    return {"plan_candidates": len(cands), "plan_first_ms": round(timings[0], 1),
            "plan_p50_ms": round(statistics.median(warm), 1),
            "plan_p95_ms": round(warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))], 1),
            "plan_not_optimal": sum(s != "optimal" for s in statuses)}  # fmt: skip


def run(engine: sa.Engine, args: argparse.Namespace, work: Path) -> dict[str, object]:
    from _backtest import history, realize
    from _demo_world import (
        cut_at,
        flag_figures,
        generate_world,
        load_world,
        suspicious_accounts,
        train_and_score,
    )

    full = generate_world(args.influencers, args.days, args.seed, END, work / "full", say)
    cutoff = END - dt.timedelta(days=args.horizon + TAIL_DAYS - 1)  # END is the world's last day
    cut = cut_at(full, cutoff, work / "cut")
    say(
        f"cutoff {cutoff} ({args.horizon}-day horizon + {TAIL_DAYS} tail days to {END}); loading what came before it"
    )
    load_world(engine, cut, say)
    suspicious = suspicious_accounts(full)
    trained = train_and_score(engine, say, tag="bench-planner")
    cost = trained["cost"]
    flags = flag_figures(engine, set(suspicious), say)
    rows, cost_source = candidate_rows(engine)
    say(
        f"{len(rows):,} candidate rows (influencer × content type, flagged left out); cost forecast: {cost_source}"
    )
    realized = realize(full, cutoff, args.horizon, suspicious, args.seed, args.influencers)
    hist, main_type = history(cut, cutoff)
    truth_cost = cost_vs_generator(rows, realized.price)
    say("cost forecast vs the generator's price over the candidates: " + json.dumps(truth_cost))
    result = backtest(rows, args, realized, hist, main_type)
    lat = latency(rows, args.latency_candidates, args.latency_runs, args.seed)
    say(
        f"planner latency at {lat['plan_candidates']:,} candidates: first {lat['plan_first_ms']} ms, warm p50 "
        f"{lat['plan_p50_ms']} ms, p95 {lat['plan_p95_ms']} ms"
    )
    per = result.pop("per_scenario")
    if args.scenario_table:
        args.scenario_table.write_text(json.dumps(per, indent=1) + "\n", encoding="utf-8")
    return {
        **result, **lat,
        "suspicious_in_top20": flags["suspicious_in_top20"], "suspicious_in_top100": flags["suspicious_in_top100"],
        "flag_precision": flags["flag_precision"], "flag_recall": flags["flag_recall"],
        "cost_mae": cost.get("cost_mae"), "cost_baseline_mae": cost.get("cost_baseline_mae"),
        "cost_interval_coverage": cost.get("cost_interval_coverage"), "cost_test_hires": cost.get("cost_test_hires"),
        **truth_cost, "cost_source": cost_source, "candidates": len(rows), "cutoff": cutoff.isoformat(),
        "as_of": trained["as_of"], "horizon_days": args.horizon, "seed": args.seed, "influencers": args.influencers,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=1500)
    parser.add_argument(
        "--days", type=int, default=150, help="the world's length; the cutoff is horizon + 10 before its end"
    )
    parser.add_argument("--horizon", type=int, default=30, help="days after the cutoff that are realized")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--budgets", type=int, default=8, help="budgets per filter (6 filters)")
    parser.add_argument("--random-seeds", type=int, default=5)
    parser.add_argument("--latency-candidates", type=int, default=10_000)
    parser.add_argument("--latency-runs", type=int, default=30)
    parser.add_argument(
        "--scenario-table", type=Path, help="write the per-scenario figures (JSON) to this file"
    )
    args = parser.parse_args()
    if args.days < args.horizon + TAIL_DAYS + 30:
        parser.error("--days must leave at least 30 days before the cutoff")
    os.environ.setdefault("PF_ML_THREADS", "1")

    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine
    from predictfluence_ml.training import ml_threads
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with tempfile.TemporaryDirectory(prefix="pf-bench-planner-") as tmp, \
            scratch_database(database_url(), "pf_bench_planner") as url:  # fmt: skip
        os.environ["PF_DATA_DIR"] = str(Path(tmp) / "data")
        reset_settings()
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            with ml_threads():
                result = run(engine, args, Path(tmp) / "work")
        finally:
            engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
