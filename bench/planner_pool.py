"""The planner's pool cut against the whole pool on a large warehouse (issue 16; docs/ml.md, "The pool cut").

    .venv/bin/python bench/planner_pool.py --reuse URL [--iterations 3] [--no-whole]

URL is a warehouse kept by `bench/api.py --influencers N --sql-seed --keep` (scored: influencer_score has
costs and engagements). For five plan bodies — a budget-bound plan, a ten times larger budget, a plan
bound by `max_influencers` with several posts each, the reach objective, a tier share — the plan is
computed in process (predictfluence_ml.planner_service.run_plan: validation, candidates query, solver,
response) with the cut (the default PF_PLANNER_POOL_ROWS) and, as the baseline in the same run, over the
whole pool (PF_PLANNER_POOL_ROWS = 10⁹, spend cover of every row: the code before the cut).
Figures per body: wall ms of each (median of `--iterations` for the cut, one whole-pool call), candidate
rows solved over, the forecast of each and `cut_vs_whole` (cut forecast / whole-pool forecast: ≥ 1 − 10⁻⁴
means the cut lost nothing the solver's gap can see). `--no-whole` skips the baseline (at 1,000,000
influencers one whole-pool call takes minutes and gigabytes). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time

BODIES = {
    "budget": {"budget": 20000.0},
    "large_budget": {"budget": 200000.0},
    "max_influencers": {
        "budget": 50000.0,
        "constraints": {"max_influencers": 5, "posts_per_influencer": {"min": 1, "max": 3}},
    },
    "reach": {"budget": 20000.0, "objective": "reach"},
    "tier_share": {"budget": 20000.0, "constraints": {"tier_share": {"nano": {"min": 0.3}}}},
}
WHOLE_POOL_ROWS = "1000000000"


def _timed(campaign_id: int, body: dict, pool_rows: str | None) -> tuple[float, dict]:
    from predictfluence_ml.planner_service import run_plan

    if pool_rows is None:
        os.environ.pop("PF_PLANNER_POOL_ROWS", None)
    else:
        os.environ["PF_PLANNER_POOL_ROWS"] = pool_rows
    started = time.perf_counter()
    plan = run_plan(campaign_id, body)
    return (time.perf_counter() - started) * 1000.0, plan


def _summary(ms: float, plan: dict) -> dict:
    return {
        "ms": round(ms),
        "candidates": plan["candidates"],
        "candidates_total": plan["candidates_total"],
        "forecast": plan["forecast"]["total"],
        "status": plan["status"],
        "gap": plan["optimality_gap"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", required=True, help="the database URL of a kept, scored bench warehouse")
    parser.add_argument("--iterations", type=int, default=3, help="cut calls per body (the median is quoted)")
    parser.add_argument("--no-whole", action="store_true", help="skip the whole-pool baseline")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.reuse
    import sqlalchemy as sa

    with sa.create_engine(args.reuse).connect() as conn:
        campaign_id = conn.execute(sa.text("SELECT min(id) FROM campaign")).scalar_one()
    result: dict = {"bodies": {}}
    for name, body in BODIES.items():
        runs = [_timed(campaign_id, body, None) for _ in range(max(1, args.iterations))]
        row = {"cut": _summary(statistics.median(ms for ms, _ in runs), runs[-1][1])}
        if not args.no_whole:
            row["whole"] = _summary(*_timed(campaign_id, body, WHOLE_POOL_ROWS))
            row["cut_vs_whole"] = row["cut"]["forecast"] / row["whole"]["forecast"]
            row["speedup"] = row["whole"]["ms"] / max(row["cut"]["ms"], 1)
        print(name, json.dumps(row), flush=True)
        result["bodies"][name] = row
    cut_ms = [row["cut"]["ms"] for row in result["bodies"].values()]
    result["cut_p50_ms"] = statistics.median(cut_ms)
    result["cut_max_ms"] = max(cut_ms)
    if not args.no_whole:
        result["cut_vs_whole_min"] = min(row["cut_vs_whole"] for row in result["bodies"].values())
        result["speedup_median"] = statistics.median(row["speedup"] for row in result["bodies"].values())
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
