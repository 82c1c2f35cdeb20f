"""Benchmark: every ETL kind's load of an N-row file against COPY of the same resolved rows (issue 16.8, 16.9).

    .venv/bin/python bench/etl.py [--rows 1000000] [--kinds influencers,posts,...]

DATABASE_URL selects the server (default: the embedded PostgreSQL). The bench creates a scratch database
`pf_bench_<random>`, migrates it and, for each kind in load order (influencers, campaigns, posts,
post_metrics, audience, hires, conversions, profiles; bench/_etl_files.py writes the files, --rows rows
per kind, each kind's references present), times once each, CHECKPOINT before every timed step:

- `<kind>.etl_s`: `load_file(kind=…, refresh_rollups=False)` of the file (checksum, checks, typing, key
  lookups, write incl. the rollup queue triggers, etl_load row, report) into the kind's empty table.
- `<kind>.copy_s`, the true floor: the rows that load left in the kind's table, already resolved (ids,
  not text keys; `COPY (SELECT …) TO` a file, untimed), `COPY … FROM` into an empty table created
  `LIKE <table> INCLUDING ALL` (same primary key, unique and secondary indexes, defaults; no triggers or
  foreign keys) in the same run. `<kind>.ratio` = etl_s / copy_s, goal ≤ 1.5.
- `<kind>.reload10_etl_s` / `reload100_etl_s`: load_file of the same keys with the values of 10 % / 100 %
  of the rows changed (a different file each: no checksum skip, no identical-file fast path).
- `<kind>.reload10_copy_s` / `reload100_copy_s`, their baselines: the table's rows after that reload,
  resolved and dumped as above, then in ONE transaction `CREATE TEMP TABLE … (LIKE <table>)`, `COPY` of
  every row into it, `INSERT INTO <LIKE table> SELECT … ON CONFLICT (<the kind's key>) DO UPDATE SET
  <every other column> = EXCLUDED.… WHERE (<columns>) IS DISTINCT FROM (EXCLUDED.…)` — all rows sent,
  only the changed ones written, like the ETL. Afterwards (untimed) the LIKE table must equal the
  warehouse table row for row (`EXCEPT` both ways), or the bench fails.
- post_metrics also keeps the old baseline for comparison: `post_metrics.copy_text_key_s`, COPY of the
  CSV file itself into a table (platform text, post_id text, date, …) with PRIMARY KEY (platform,
  post_id, date) and no date index, and `post_metrics.ratio_vs_text_key` = etl_s / that.

Partitioned daily facts (issue 16.2): with `--revision c5a8e1d4b207` (the last revision before migration
6a1d3e8f2b90) the bench runs on the plain tables, so plain vs partitioned is two runs of this script back
to back. On the partitioned schema `<kind>.partitions_s` is the post-batch step the ETL runs once per
batch (`SELECT pf_fact_partitions()`: the bench's month has no partition yet, so the first load went to
the DEFAULT partition and is moved into its own month here; the reloads then write into it), untimed in
etl_s and reported beside it. `--month-exists` makes the month's partition before the first load instead
(untimed; the daily-delta case: the post_metrics fast path then COPYs straight into the partition).

The rollup queue the triggers fill (rollup_dirty, rollup_metric_delta) is emptied after each load,
untimed: applying it is bench/rollups.py's. profiles writes influencer_snapshot (its baseline) and also
updates the influencer rows whose values it changes (not in its baseline: the ratio flatters the floor;
every bench variant changes them all but reload 10 %). The last line of output is one JSON object.
"""

# ruff: noqa: S608 - the SQL names only the tables and columns of KINDS and the catalog, never input
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "bench")]

import _etl_files as files  # noqa: E402
import sqlalchemy as sa  # noqa: E402

# kind -> (table, the kind's key on that table, kinds its rows reference)
KINDS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "influencers": ("influencer", ("platform", "handle"), ()),
    "campaigns": ("campaign", ("name",), ()),
    "posts": ("post", ("platform", "external_id"), ("influencers",)),
    "post_metrics": ("post_metric_daily", ("post_id", "date"), ("influencers", "posts")),
    "audience": ("audience_share", ("influencer_id", "dimension", "bucket"), ("influencers",)),
    "hires": ("campaign_influencer", ("campaign_id", "influencer_id"), ("influencers", "campaigns")),
    "conversions": ("conversion_daily", ("campaign_id", "influencer_id", "date"), ("influencers", "campaigns")),
    "profiles": ("influencer_snapshot", ("influencer_id", "as_of", "source"), ("influencers",)),
}
RELOADS = ((1, "reload10"), (2, "reload100"))
TEXT_KEY_COLUMNS = ("platform text, post_id text, date date, likes bigint, comments bigint, shares bigint, "
                    "saves bigint, views bigint, reach bigint, impressions bigint")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per kind")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds to bench")
    parser.add_argument("--revision", default="head", help="migrate the scratch database to this revision")
    parser.add_argument("--month-exists", action="store_true",
                        help="partitioned schema: make the bench month's partition before the first load")
    args = parser.parse_args()
    unknown = set(args.kinds.split(",")) - set(KINDS)
    if unknown or args.rows < files.DAYS * len(files.BUCKETS):
        parser.error(f"unknown kinds {sorted(unknown)}" if unknown else "--rows must be at least 40")

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
                result = run(Bench(engine, work, args.rows, args.month_exists), args.kinds.split(","),
                             args.revision)
            finally:
                engine.dispose()
    print(json.dumps(result))


class Bench:
    def __init__(self, engine: sa.Engine, work: Path, rows: int, month_exists: bool = False) -> None:
        self.engine, self.work, self.rows, self.month_exists = engine, work, rows, month_exists

    def sql(self, statement: str) -> list[tuple]:
        with self.engine.begin() as conn:
            result = conn.exec_driver_sql(statement)
            return [tuple(r) for r in result] if result.returns_rows else []

    def timed(self, fn: Callable[[], object]) -> float:
        self.sql("CHECKPOINT")
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    def load(self, kind: str, variant: int) -> float:
        """ETL load of the kind's file `variant` (written untimed); the rollup queue emptied after it."""
        from etl_jobs.base import SourceFile
        from etl_jobs.pipeline import load_file

        path = files.write(kind, self.work, self.rows, variant)
        source = SourceFile(path=path, key=f"raw/{kind}/{path.name}")

        def etl() -> None:
            outcome = load_file(self.engine, source, kind=kind, refresh_rollups=False)
            assert outcome.status == "loaded" and outcome.rows_loaded == self.rows, outcome

        seconds = self.timed(etl)
        path.unlink()
        self.sql("DELETE FROM rollup_dirty; DELETE FROM rollup_metric_delta")
        return seconds

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            f"AND table_name = '{table}' AND is_generated = 'NEVER' ORDER BY ordinal_position")]

    def copy(self, statement: str, path: Path, mode: str, before: str = "", after: str = "") -> None:
        """One transaction: `before`, the COPY statement streaming `path`, `after`."""
        with self.engine.begin() as conn, open(path, mode) as stream:
            if before:
                conn.exec_driver_sql(before)
            conn.connection.driver_connection.cursor().execute(statement, stream=stream)
            if after:
                conn.exec_driver_sql(after)


def run(bench: Bench, selected: list[str], revision: str = "head") -> dict:
    from predictfluence_tools import migrate

    migrate.upgrade(bench.engine, revision)
    needed = set(selected) | {dep for kind in selected for dep in KINDS[kind][2]}
    result: dict = {"rows_per_kind": bench.rows, "revision": revision}
    for kind in KINDS:
        if kind in selected:
            result[kind] = bench_kind(bench, kind)
            print(kind, json.dumps(result[kind]), flush=True)
        elif kind in needed:
            bench.load(kind, 0)  # a reference the selected kinds need, not timed
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return result


def bench_kind(bench: Bench, kind: str) -> dict:
    table, key, _ = KINDS[kind]
    columns = bench.columns(table)
    cols = ", ".join(columns)
    dump = bench.work / f"{table}.copy"
    partitioned = bench.sql("SELECT to_regprocedure('pf_fact_partitions()') IS NOT NULL")[0][0]
    if kind == "post_metrics" and bench.month_exists and partitioned:
        out = {"month_partition_before_load": make_month_partition(bench)}
    else:
        out = {}
    out["etl_s"] = bench.load(kind, 0)
    if partitioned:
        out["partitions_s"] = bench.timed(lambda: bench.sql("SELECT pf_fact_partitions()"))
    bench.copy(f"COPY (SELECT {cols} FROM {table}) TO STDOUT", dump, "wb")
    bench.sql(f"DROP TABLE IF EXISTS bench_floor; CREATE TABLE bench_floor (LIKE {table} INCLUDING ALL)")
    out["copy_s"] = bench.timed(lambda: bench.copy(f"COPY bench_floor ({cols}) FROM STDIN", dump, "rb"))
    if kind == "post_metrics":
        out.update(text_key_baseline(bench, out["etl_s"]))
    others = [c for c in columns if c not in key]
    upsert = (f"INSERT INTO bench_floor ({cols}) SELECT {cols} FROM pf_bench_stage "
              f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
              + ", ".join(f"{c} = EXCLUDED.{c}" for c in others)
              + f" WHERE ({', '.join(f'bench_floor.{c}' for c in others)}) IS DISTINCT FROM "
              f"({', '.join(f'EXCLUDED.{c}' for c in others)})")
    for variant, name in RELOADS:
        out[f"{name}_etl_s"] = bench.load(kind, variant)
        bench.copy(f"COPY (SELECT {cols} FROM {table}) TO STDOUT", dump, "wb")
        out[f"{name}_copy_s"] = bench.timed(lambda: bench.copy(
            "COPY pf_bench_stage FROM STDIN", dump, "rb",
            before=f"CREATE TEMP TABLE pf_bench_stage ON COMMIT DROP AS SELECT {cols} FROM {table} LIMIT 0",
            after=upsert))
        differ = bench.sql(f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {table} EXCEPT "
                           f"SELECT {cols} FROM bench_floor) a) + (SELECT count(*) FROM (SELECT {cols} FROM "
                           f"bench_floor EXCEPT SELECT {cols} FROM {table}) b)")[0][0]
        assert differ == 0, f"{kind} {name}: the baseline's table differs from the ETL's in {differ} rows"
    bench.sql("DROP TABLE bench_floor")
    dump.unlink()
    for prefix in ("", "reload10_", "reload100_"):
        out[f"{prefix}ratio"] = round(out[f"{prefix}etl_s"] / out[f"{prefix}copy_s"], 3)
    out["rows_per_s"] = round(bench.rows / out["etl_s"])
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}


def make_month_partition(bench: Bench) -> str:
    """--month-exists (untimed): the month partition of the bench's days exists before the first load, as
    for a daily delta into the current month (the ETL's finish_batch makes it): one placeholder row into
    DEFAULT, `pf_fact_partitions()` moves it into a new partition of its month, the row is deleted and the
    rollup queue emptied. The partition's name is reported."""
    day = files.START.isoformat()
    bench.sql("INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves) "
              f"SELECT min(id), DATE '{day}', 0, 0, 0, 0 FROM post")
    bench.sql("SELECT pf_fact_partitions()")
    bench.sql(f"DELETE FROM post_metric_daily WHERE date = DATE '{day}'")
    bench.sql("DELETE FROM rollup_dirty; DELETE FROM rollup_metric_delta")
    return bench.sql(f"SELECT to_regclass('post_metric_daily_p{files.START:%Y_%m}')::text")[0][0]


def text_key_baseline(bench: Bench, etl_s: float) -> dict:
    """The old baseline: COPY of the CSV file into (platform, post_id, date) text keys, no date index."""
    path = files.write("post_metrics", bench.work, bench.rows, 0)
    bench.sql(f"CREATE TABLE bench_text_key ({TEXT_KEY_COLUMNS}, PRIMARY KEY (platform, post_id, date))")
    seconds = bench.timed(lambda: bench.copy(
        "COPY bench_text_key FROM STDIN WITH (FORMAT csv, HEADER true)", path, "rb"))
    bench.sql("DROP TABLE bench_text_key")
    path.unlink()
    return {"copy_text_key_s": seconds, "ratio_vs_text_key": round(etl_s / seconds, 3)}


if __name__ == "__main__":
    main()
