"""Benchmark: 1,000,000 daily-metric rows through the real ETL path against plain COPY baselines.

    .venv/bin/python bench/etl.py [--rows 1000000] [--posts 20000] [--runs 3]

DATABASE_URL selects the server (default: the embedded PostgreSQL). The bench creates a scratch database
`pf_bench_<random>`, migrates it, seeds influencers and posts through the ETL, writes a deterministic
post_metrics CSV, and times in the same run (median of --runs, CHECKPOINT before each):

- copy_unindexed_s: `COPY` of the file into an unindexed table with the file's columns;
- copy_same_key_s:  `COPY` into an empty table with the same columns and PRIMARY KEY (platform, post_id,
                    date) — the physical floor of loading the file into a keyed table;
- etl_s:            `load_file(refresh_rollups=False)` (checksum, checks, validation, post lookup, write, etl_load, report) into
                    an empty post_metric_daily (first load);
- reload_s:         `load_file(force=True)` of the same file again (every key collides: an upsert).

Target: etl_s and reload_s ≤ 1.5 × copy_same_key_s. The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core")]

import sqlalchemy as sa  # noqa: E402

PLATFORMS = ("instagram", "tiktok", "youtube", "twitter")
COLUMNS = "platform text, post_id text, date date, likes bigint, comments bigint, shares bigint, saves bigint, " \
          "views bigint, reach bigint, impressions bigint"


def write_metrics_csv(path: Path, rows: int, posts: int, seed: int) -> None:
    """Deterministic daily metrics: `rows // posts` consecutive days for each post, grouped by post."""
    rng = random.Random(seed)
    days = rows // posts
    start = dt.date.today() - dt.timedelta(days=days + 30)
    dates = [(start + dt.timedelta(days=d)).isoformat() for d in range(days + 1)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n")
        written = 0
        for p in range(posts):
            platform = PLATFORMS[p % len(PLATFORMS)]
            base = int(rng.paretovariate(1.3) * 40)
            video = platform != "instagram" or p % 3 == 0
            n = days + (1 if p < rows - days * posts else 0)
            lines = []
            for d in range(n):
                likes = int(base * (0.6 + rng.random()))
                views = f"{likes * 14 + d}" if video else ""
                lines.append(f"{platform},post{p:06d},{dates[d]},{likes},{likes // 12},{likes // 40},"
                             f"{likes // 25},{views},{likes * 9},{likes * 13}\n")
            out.write("".join(lines))
            written += n
    assert written == rows, written


def write_dimension_csvs(folder: Path, posts: int) -> tuple[Path, Path]:
    influencers = max(1, posts // 10)
    inf_path = folder / "influencers.csv"
    post_path = folder / "posts.csv"
    with open(inf_path, "w", encoding="utf-8") as out:
        out.write("platform,handle,name,category,country,language,followers\n")
        for platform in PLATFORMS:
            for i in range(influencers):
                out.write(f"{platform},creator{i:05d},Creator {i},lifestyle,US,en,{1000 + i * 37}\n")
    with open(post_path, "w", encoding="utf-8") as out:
        out.write("platform,post_id,handle,posted_at,content_type,sponsored,campaign\n")
        posted = dt.date.today() - dt.timedelta(days=120)
        for p in range(posts):
            platform = PLATFORMS[p % len(PLATFORMS)]
            out.write(f"{platform},post{p:06d},creator{p % influencers:05d},{posted}T12:00:00Z,video,false,\n")
    return inf_path, post_path


def median_time(fn: Callable[[], object], runs: int, before: Callable[[], None]) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        before()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with tempfile.TemporaryDirectory(prefix="pf-bench-") as tmp:
        work = Path(tmp)
        os.environ["PF_DATA_DIR"] = str(work / "data")  # reports of the bench loads land here
        reset_settings()
        with scratch_database(database_url(), "pf_bench") as url:
            engine = create_engine(url, poolclass=sa.pool.NullPool)
            try:
                result = run(engine, work, args)
            finally:
                engine.dispose()
    print(json.dumps(result))


def run(engine: sa.Engine, work: Path, args: argparse.Namespace) -> dict:
    from etl_jobs.base import SourceFile
    from etl_jobs.pipeline import load_file
    from predictfluence_tools import migrate

    migrate.upgrade(engine)
    t0 = time.perf_counter()
    inf_path, post_path = write_dimension_csvs(work, args.posts)
    for kind, path in (("influencers", inf_path), ("posts", post_path)):
        outcome = load_file(engine, SourceFile(path=path, key=f"raw/{kind}/{path.name}"))
        assert outcome.status == "loaded" and outcome.rows_rejected == 0, outcome
    csv_path = work / "post_metrics.csv"
    write_metrics_csv(csv_path, args.rows, args.posts, args.seed)
    print(f"seeded {args.posts:,} posts and wrote {args.rows:,} rows "
          f"({csv_path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s", flush=True)

    def sql(statement: str) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)

    def checkpoint() -> None:
        sql("CHECKPOINT")

    def copy_into(table: str) -> None:
        with engine.begin() as conn:
            cursor = conn.connection.driver_connection.cursor()
            with open(csv_path, "rb") as stream:
                cursor.execute(f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)", stream=stream)

    def fresh(table: str, key: bool) -> Callable[[], None]:
        def prepare() -> None:
            sql(f"DROP TABLE IF EXISTS {table}")
            sql(f"CREATE TABLE {table} ({COLUMNS}{', PRIMARY KEY (platform, post_id, date)' if key else ''})")
            checkpoint()
        return prepare

    copy_unindexed, t_unindexed = median_time(lambda: copy_into("bench_unindexed"), args.runs,
                                              fresh("bench_unindexed", key=False))
    print(f"copy into an unindexed table: {t_unindexed}", flush=True)
    copy_same_key, t_same_key = median_time(lambda: copy_into("bench_same_key"), args.runs,
                                            fresh("bench_same_key", key=True))
    print(f"copy into a table with the same key: {t_same_key}", flush=True)
    sql("DROP TABLE bench_unindexed; DROP TABLE bench_same_key")

    source = SourceFile(path=csv_path, key="raw/post_metrics/bench.csv")
    outcomes = []

    def etl(force: bool) -> None:
        outcome = load_file(engine, source, force=force, refresh_rollups=False)
        assert outcome.status == "loaded" and outcome.rows_loaded == args.rows, outcome
        outcomes.append(outcome)

    def empty_warehouse_table() -> None:
        sql("TRUNCATE post_metric_daily; DELETE FROM etl_load WHERE kind = 'post_metrics'")
        checkpoint()

    etl_s, t_etl = median_time(lambda: etl(False), args.runs, empty_warehouse_table)
    print(f"ETL first load: {t_etl}", flush=True)
    reload_s, t_reload = median_time(lambda: etl(True), args.runs, checkpoint)
    print(f"ETL reload (upsert of the same rows): {t_reload}", flush=True)
    with engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT count(*) FROM post_metric_daily").scalar_one()
    assert stored == args.rows, stored
    # After a load the API's materialized rollups are refreshed (load_file by default, the SQS handler
    # once per batch). That is not loading the file: timed here on its own, not part of etl_s/reload_s.
    refresh_s = None
    try:
        from predictfluence.queries import rollups
    except ImportError:
        rollups = None
    if rollups is not None:
        checkpoint()
        t0 = time.perf_counter()
        rollups.refresh(engine)
        refresh_s = round(time.perf_counter() - t0, 3)
        print(f"rollup refresh after a load (not in the ETL times): {refresh_s}", flush=True)

    return {
        "rows": args.rows,
        "rows_per_s": round(args.rows / etl_s),
        "copy_same_key_s": round(copy_same_key, 3),
        "copy_unindexed_s": round(copy_unindexed, 3),
        "etl_s": round(etl_s, 3),
        "reload_s": round(reload_s, 3),
        "ratio_vs_copy": round(etl_s / copy_same_key, 3),
        "reload_ratio_vs_copy": round(reload_s / copy_same_key, 3),
        "rollup_refresh_s": refresh_s,
        "runs": args.runs,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


if __name__ == "__main__":
    main()
