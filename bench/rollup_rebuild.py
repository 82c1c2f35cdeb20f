"""Benchmark (issue 16.8): a from-scratch rollup rebuild that fills influencer_stats and post_stats beside the
live tables and swaps them in (migration c5e2a8d4f7b1), against the same rebuild re-inserting every row into
the live tables through their indexes (what it did before; the baseline, measured in the same run).

    .venv/bin/python bench/rollup_rebuild.py [--influencers 100000] [--posts-per 3] [--days 4] [--runs 1]

DATABASE_URL selects the server (default: the embedded PostgreSQL). A scratch database is migrated and
seeded in SQL as bench/rollups.py does (influencers, --posts-per posts each, --days days of metrics per post,
audience rows). Each run times four rebuilds (`rollups.rebuild()`), alternating the two ways:
- `first`: the rollups emptied first (TRUNCATE) — a first load's apply, which rebuilds;
- `again`: the rollups full — `predictfluence db rollups --rebuild`, a big reload's apply.
In place is `rollups.SWAP_ROWS` set above the warehouse's size; beside is the module's default.

Output: one line per rebuild; the last line is one JSON object with the median seconds per case, the
ratios in place / beside (`speedup_first`, `speedup_again`) and the sizes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core")]

import sqlalchemy as sa  # noqa: E402

from bench.rollups import seed  # noqa: E402


def timed_rebuild(engine: sa.Engine, swap_rows: int, empty_first: bool) -> tuple[float, list]:
    from predictfluence.queries import rollups

    if empty_first:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {', '.join(rollups.TABLES)}")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM ANALYZE {', '.join(rollups.TABLES)}")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CHECKPOINT")  # each rebuild starts without the previous one's dirty pages
    rollups.SWAP_ROWS = swap_rows
    t0 = time.perf_counter()
    rollups.rebuild(engine)
    return time.perf_counter() - t0, list(rollups.LAST_APPLY["swapped"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=100_000)
    parser.add_argument("--posts-per", type=int, default=3)
    parser.add_argument("--days", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    from predictfluence.db import create_engine
    from predictfluence.queries import rollups
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    beside_rows, in_place_rows = rollups.SWAP_ROWS, 2**62
    times: dict[str, list[float]] = {}
    with scratch_database(database_url(), "pf_bench") as url:
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            t0 = time.perf_counter()
            seed(engine, args.influencers, args.posts_per, args.days)
            print(f"seeded {args.influencers:,} influencers in {time.perf_counter() - t0:.1f} s", flush=True)
            with engine.connect() as conn:
                metric_rows = conn.exec_driver_sql("SELECT count(*) FROM post_metric_daily").scalar_one()
            for run in range(args.runs):
                for case in ("first", "again"):
                    for way, rows in (("in_place", in_place_rows), ("beside", beside_rows)):
                        seconds, swapped = timed_rebuild(engine, rows, empty_first=case == "first")
                        times.setdefault(f"{case}_{way}", []).append(seconds)
                        print(f"run {run + 1} {case:5} {way:8} {seconds:8.1f} s  swapped: {swapped}", flush=True)
            with engine.connect() as conn:
                rows = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()  # noqa: S608
                        for t in ("influencer_stats", "post_stats")}
        finally:
            engine.dispose()
    medians = {case: round(statistics.median(seconds), 1) for case, seconds in times.items()}
    print(json.dumps({
        "influencers": args.influencers, "metric_rows": metric_rows, "rollup_rows": rows, "runs": args.runs,
        "median_s": medians, "swap_rows": beside_rows,
        "speedup_first": round(medians["first_in_place"] / medians["first_beside"], 2),
        "speedup_again": round(medians["again_in_place"] / medians["again_beside"], 2),
    }))


if __name__ == "__main__":
    main()
