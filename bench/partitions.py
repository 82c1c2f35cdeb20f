"""Benchmark: the month-partitioned post_metric_daily against a plain copy of the same rows (issue 16.2).

    .venv/bin/python bench/partitions.py [--posts 20000] [--days 180]

DATABASE_URL selects the server (default: the embedded PostgreSQL). A scratch database `pf_bench_part_<random>`
is migrated to head and filled with SQL: --posts posts (10 per influencer, 4 categories) × --days consecutive
days ending yesterday (so ~days/30 monthly partitions), then the same rows are copied into `bench_plain`, a
table created `LIKE post_metric_daily INCLUDING ALL` (plain: same primary key and date index), ANALYZEd
both. The baseline is that plain table, in the same run; every read is timed --repeat times, median:

- `trend_30d_ms`: the analytics trend with a category (queries/analytics.py `_DAILY_BY_CATEGORY`: the one
  read that sums metric rows of a date window itself) over the last 30 days; `trend_30d_partitions` is
  how many partitions its plan scans (pruning, from EXPLAIN) and `trend_30d_plain_ms` the same SQL on the
  plain table;
- `post_lookup_ms` / `post_lookup_plain_ms`: every metric row of 500 random posts by `post_id` (what
  a rollup recompute and the ETL's "has metrics" check do) — the price of partitioning, one index probe per
  partition;
- `retire_month_s`: detaching the oldest month (queue its posts and days for the rollups, DETACH), against
  `retire_month_plain_s`: `DELETE` of the same month's rows from the plain table (what retiring old data
  costs without partitions; no trigger on that copy, VACUUM afterwards not counted). `retire_month_rollups_s`:
  the `rollups.apply` after the detach (needed either way; here every post lost rows, so a full rebuild).
The last line is one JSON object.
"""

# ruff: noqa: S608 - the SQL names only this script's tables
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "tools")]

import sqlalchemy as sa  # noqa: E402

TREND = """
SELECT m.date, p.platform, coalesce(p.campaign_id, 0), count(*), sum(m.likes), sum(m.likes + m.comments),
       coalesce(sum(m.views), 0), count(NULLIF(i.followers, 0))
FROM {table} m JOIN post p ON p.id = m.post_id JOIN influencer i ON i.id = p.influencer_id
WHERE m.date BETWEEN current_date - 30 AND current_date - 1 AND lower(i.category) = lower('tech')
GROUP BY 1, 2, 3
"""
LOOKUP = "SELECT post_id, count(*), sum(likes) FROM {table} WHERE post_id = ANY(%s) GROUP BY post_id"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    if args.posts < 10 or not 60 <= args.days <= 3000:
        parser.error("--posts must be at least 10 and --days between 60 and 3000")

    from predictfluence.db import create_engine
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with scratch_database(database_url(), "pf_bench_part") as url:
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            result = run(engine, args)
        finally:
            engine.dispose()
    print(json.dumps(result))


def sql(engine: sa.Engine, statement: str, params: tuple = ()) -> list[tuple]:
    with engine.begin() as conn:
        result = conn.exec_driver_sql(statement, params) if params else conn.exec_driver_sql(statement)
        return [tuple(r) for r in result] if result.returns_rows else []


def median_ms(engine: sa.Engine, statement: str, repeat: int, params: tuple = ()) -> float:
    sql(engine, statement, params)  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        sql(engine, statement, params)
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def seed(engine: sa.Engine, posts: int, days: int) -> float:
    from predictfluence.queries import partitions, rollups

    t0 = time.perf_counter()
    influencers = max(1, posts // 10)
    sql(engine, f"""
        INSERT INTO influencer (platform, handle, category, followers)
        SELECT 'instagram', 'h' || g, (ARRAY['tech', 'beauty', 'food', 'travel'])[1 + g % 4], 1000 + g * 37
        FROM generate_series(1, {influencers}) g;
        INSERT INTO post (influencer_id, platform, external_id, content_type, posted_at)
        SELECT 1 + (g - 1) / 10, 'instagram', 'p' || g, 'reel', current_date - {days}
        FROM generate_series(1, {posts}) g""")
    with engine.begin() as conn:  # months first (a bulk backfill through DEFAULT would be moved row by row)
        conn.exec_driver_sql(f"""INSERT INTO post_metric_daily (post_id, date)
            SELECT min(id), d::date FROM post, generate_series(current_date - {days}, current_date - 1,
            interval '1 month') d GROUP BY d""")
    with engine.begin() as conn:
        partitions.ensure(conn)
        conn.exec_driver_sql("TRUNCATE post_metric_daily")
    sql(engine, f"""
        INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views)
        SELECT p.id, current_date - d, (p.id * 7 + d * 13) % 5000, (p.id + d) % 300, d % 40, p.id % 20, p.id * d % 90000
        FROM post p, generate_series(1, {days}) d""")
    sql(engine, "DELETE FROM rollup_dirty; DELETE FROM rollup_metric_delta")
    rollups.rebuild(engine)
    sql(engine, "CREATE TABLE bench_plain (LIKE post_metric_daily INCLUDING ALL)")
    sql(engine, "INSERT INTO bench_plain SELECT * FROM post_metric_daily")
    sql(engine, "ANALYZE post_metric_daily")
    sql(engine, "ANALYZE bench_plain")
    return time.perf_counter() - t0


def run(engine: sa.Engine, args: argparse.Namespace) -> dict:
    from predictfluence.queries import partitions, rollups

    out: dict = {"posts": args.posts, "days": args.days, "seed_s": round(seed(engine, args.posts, args.days), 1)}
    out["metric_rows"] = sql(engine, "SELECT count(*) FROM post_metric_daily")[0][0]
    with engine.connect() as conn:
        parts = [p for p in partitions.partitions(conn, ("post_metric_daily",)) if p.month]
    out["partitions"] = len(parts)
    out["trend_30d_ms"] = median_ms(engine, TREND.format(table="post_metric_daily"), args.repeat)
    out["trend_30d_plain_ms"] = median_ms(engine, TREND.format(table="bench_plain"), args.repeat)
    plan = "\n".join(r[0] for r in sql(engine, "EXPLAIN " + TREND.format(table="post_metric_daily")))
    out["trend_30d_partitions"] = sum(f"post_metric_daily_{s}" in plan for s in [p.name[18:] for p in parts] + ["default"])
    ids = "{" + ",".join(str(1 + (i * 7919) % args.posts) for i in range(500)) + "}"
    out["post_lookup_ms"] = median_ms(engine, LOOKUP.format(table="post_metric_daily"), args.repeat, (ids,))
    out["post_lookup_plain_ms"] = median_ms(engine, LOOKUP.format(table="bench_plain"), args.repeat, (ids,))
    oldest = parts[0]
    first = sql(engine, f"SELECT min(date), max(date) + 1 FROM {oldest.name}")[0]
    sql(engine, "CHECKPOINT")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        partitions.detach_before(conn, partitions.parse_month(parts[1].month), ("post_metric_daily",))
    out["retire_month_s"] = round(time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    rollups.apply(engine)  # every post had rows in that month: apply() recomputes everything (REBUILD_SHARE)
    out["retire_month_rollups_s"] = round(time.perf_counter() - t0, 3)
    out["retire_month_rows"] = oldest.rows
    sql(engine, "CHECKPOINT")
    t0 = time.perf_counter()
    sql(engine, "DELETE FROM bench_plain WHERE date >= %s AND date < %s", (first[0], first[1]))
    out["retire_month_plain_s"] = round(time.perf_counter() - t0, 3)
    out["trend_ratio"] = round(out["trend_30d_ms"] / out["trend_30d_plain_ms"], 3)
    out["post_lookup_ratio"] = round(out["post_lookup_ms"] / out["post_lookup_plain_ms"], 3)
    out["retire_ratio"] = round(out["retire_month_s"] / out["retire_month_plain_s"], 3)
    print(json.dumps(out), flush=True)
    return out


if __name__ == "__main__":
    main()
