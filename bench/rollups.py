"""Benchmark (issue 16.1): a daily delta of metric rows loaded through the real ETL, then the incremental
rollups, on a small warehouse and on one 10× larger.

    .venv/bin/python bench/rollups.py [--influencers 10000] [--posts-per 5] [--days 6] [--delta 50000]
                                      [--factor 10] [--spread]

DATABASE_URL selects the server (default: the embedded PostgreSQL). For each size (small: --influencers,
large: --factor × as many) a scratch database is migrated and seeded in SQL (influencers, --posts-per
posts each, --days days of metrics per post, 3 audience rows per influencer, every 7th post in one of 10
campaigns; the rollup triggers are off while seeding, then `rollups.rebuild()` — timed: it runs the SQL
of the materialized views' full refresh, the cost every load paid before). Then the delta: --delta rows
for a new day (yesterday), one per post, written as a post_metrics CSV and loaded with
`load_file(refresh_rollups=False)` (etl_s), then `rollups.apply()` (apply_s; it recomputes everything
instead when the delta touches more than `rollups.REBUILD_SHARE` of the posts — `--rebuild-share inf`
forces the incremental path). By default the delta's posts
are the first --delta posts (the same creators are active in both warehouses); `--spread` draws them at
random over the whole warehouse (more influencers touched in the large one).

Output: one line per step; the last line is one JSON object with `delta_load_s` for both sizes
(etl + apply), `delta_load_ratio` (large / small, goal ≤ 1.3), `rebuild_s` per size (the old full refresh)
and the sizes run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core")]

import sqlalchemy as sa  # noqa: E402

SEED = """
INSERT INTO campaign (name, budget) SELECT 'Campaign ' || g, 100000 FROM generate_series(1, 10) g;
INSERT INTO influencer (platform, handle, name, category, country, language, followers)
SELECT (ARRAY['instagram', 'tiktok', 'youtube'])[1 + g % 3], 'creator' || g, 'Creator ' || g,
       (ARRAY['beauty', 'tech', 'food', 'travel'])[1 + g % 4], 'US', 'en', 1000 + (g::bigint * 7919) % 900000
FROM generate_series(1, {influencers}) g;
INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, campaign_id)
SELECT i.platform, 'p' || i.id || '_' || k, i.id, now() - interval '60 days',
       (ARRAY['reel', 'video', 'story'])[1 + (i.id + k) % 3], false,
       CASE WHEN (i.id * 5 + k) % 7 = 0 THEN 1 + (i.id + k) % 10 END
FROM influencer i, generate_series(1, {posts_per}) k
ORDER BY i.id, k;
INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views, impressions)
SELECT p.id, current_date - 1 - d, (p.id * 31 + d * 17) % 500, (p.id + d) % 40, (p.id + d) % 9, (p.id * 3 + d) % 11,
       CASE WHEN p.platform <> 'instagram' THEN (p.id * 13 + d) % 9000 END, (p.id * 7 + d) % 12000
FROM post p, generate_series(1, {days}) d
ORDER BY d, p.id;
INSERT INTO audience_share (influencer_id, dimension, bucket, share)
SELECT i.id, 'country', b.bucket, b.share FROM influencer i,
       (VALUES ('US', 0.5), ('BR', 0.3), ('DE', 0.2)) AS b(bucket, share);
"""


def seed(engine: sa.Engine, influencers: int, posts_per: int, days: int) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("SET session_replication_role = replica")  # no triggers: rebuild() follows
        for statement in SEED.format(influencers=influencers, posts_per=posts_per, days=days).split(";"):
            if statement.strip():
                conn.exec_driver_sql(statement)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def write_delta(engine: sa.Engine, path: Path, delta: int, spread: bool, rng: random.Random,
                day: dt.date | None = None) -> None:
    """One row per post for `day` (yesterday): the first `delta` posts, or `delta` posts drawn at random."""
    with engine.connect() as conn:
        posts = conn.exec_driver_sql("SELECT platform, external_id FROM post ORDER BY id").all()
    chosen = rng.sample(posts, delta) if spread else posts[:delta]
    day = day or dt.date.today() - dt.timedelta(days=1)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n")
        out.writelines(f"{p},{e},{day},{rng.randint(0, 900)},{rng.randint(0, 60)},{rng.randint(0, 9)},"
                       f"{rng.randint(0, 9)},{rng.randint(0, 9000)},,{rng.randint(0, 12000)}\n" for p, e in chosen)


def one_size(url: sa.URL, work: Path, influencers: int, args: argparse.Namespace) -> dict:
    from etl_jobs.base import SourceFile
    from etl_jobs.pipeline import load_file
    from predictfluence.db import create_engine
    from predictfluence.queries import rollups
    from predictfluence_tools import migrate

    engine = create_engine(url, poolclass=sa.pool.NullPool)
    try:
        migrate.upgrade(engine)
        t0 = time.perf_counter()
        seed(engine, influencers, args.posts_per, args.days)
        seed_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rollups.rebuild(engine)
        rebuild_s = time.perf_counter() - t0
        with engine.connect() as conn:
            metric_rows = conn.exec_driver_sql("SELECT count(*) FROM post_metric_daily").scalar_one()
        print(f"{influencers:,} influencers, {metric_rows:,} metric rows: seeded in {seed_s:.1f} s, "
              f"rollups rebuilt from scratch in {rebuild_s:.2f} s", flush=True)
        path = work / f"delta_{influencers}.csv"
        write_delta(engine, path, args.delta, args.spread, random.Random(args.seed))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("CHECKPOINT")
        t0 = time.perf_counter()
        outcome = load_file(engine, SourceFile(path=path, key=f"raw/post_metrics/{path.name}"),
                            refresh_rollups=False)
        etl_s = time.perf_counter() - t0
        assert outcome.status == "loaded" and outcome.rows_loaded == args.delta, outcome
        t0 = time.perf_counter()
        assert rollups.apply(engine)
        apply_s = time.perf_counter() - t0
        mode = rollups.LAST_APPLY["mode"]
        print(f"  delta {args.delta:,} rows: etl {etl_s:.2f} s + rollups {apply_s:.2f} s ({mode})", flush=True)
        return {"influencers": influencers, "metric_rows": metric_rows, "seed_s": round(seed_s, 1),
                "rebuild_s": round(rebuild_s, 2), "etl_s": round(etl_s, 2), "apply_s": round(apply_s, 2), "apply_mode": mode,
                "delta_load_s": round(etl_s + apply_s, 2)}
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=10_000)
    parser.add_argument("--posts-per", type=int, default=5)
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--delta", type=int, default=50_000)
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--spread", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild-share", type=float, default=None,
                        help="rollups.REBUILD_SHARE for the run (inf: always incremental; default: the module's)")
    args = parser.parse_args()
    if args.delta > args.influencers * args.posts_per:
        parser.error("--delta must not exceed the small warehouse's posts (--influencers × --posts-per)")

    from predictfluence.config import reset_settings
    from predictfluence.queries import rollups
    from predictfluence_tools.localdb import database_url

    if args.rebuild_share is not None:
        rollups.REBUILD_SHARE = args.rebuild_share
    from predictfluence_tools.scratchdb import scratch_database

    sizes = {}
    with tempfile.TemporaryDirectory(prefix="pf-bench-rollups-") as tmp:
        work = Path(tmp)
        os.environ["PF_DATA_DIR"] = str(work / "data")
        reset_settings()
        for label, influencers in (("small", args.influencers), ("large", args.influencers * args.factor)):
            with scratch_database(database_url(), "pf_bench") as url:
                sizes[label] = one_size(url, work, influencers, args)
    print(json.dumps({
        "delta_rows": args.delta, "spread": args.spread, "rebuild_share": rollups.REBUILD_SHARE, "small": sizes["small"], "large": sizes["large"],
        "delta_load_s": {label: s["delta_load_s"] for label, s in sizes.items()},
        "delta_load_ratio": round(sizes["large"]["delta_load_s"] / sizes["small"]["delta_load_s"], 2),
        "apply_ratio": round(sizes["large"]["apply_s"] / sizes["small"]["apply_s"], 2),
    }))


if __name__ == "__main__":
    main()
