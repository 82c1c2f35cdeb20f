"""Benchmark: batch scoring fanned out in id-range chunks (issue 16.3) against the one-shot scorer it
replaced, on the same warehouse and the same model, in the same run.

    .venv/bin/python bench/scoring.py [--influencers 100000] [--chunk-size 10000] [--train-influencers 1500]
                                      [--baseline-commit 0179f67] [--threads 1]

1. A scratch database (`pf_bench_scoring_<random>` on DATABASE_URL's server, else the embedded one):
   --train-influencers synthetic creators with 150 days of history (COPY), a model fitted on them
   (default parameters), then topped up to --influencers creators with two weeks of history.
2. Baseline: `score_all` of --baseline-commit (the one-shot scorer with the per-candidate rationale), with
   that commit's whole `predictfluence_ml` package read from git (`git show`) into a throwaway package, and
   the model fitted in step 1 handed to it as that package's classes — the code that ran before, not a
   re-creation, and not today's features, peers or costs under the old orchestration.
3. Fan-out: `start_run` (population figures: anomaly flags, clusters) and every chunk (`score_chunk`),
   in this process one after the other, timed each; then the two influencer_score tables are compared
   (they must be equal, every column).
4. The rationale alone: the first chunk's rows again with the per-candidate reference contributions.

With --reuse URL (a kept warehouse whose influencer_score is filled, e.g. `bench/api.py --sql-seed --keep`),
only the database side of a run is timed instead (issue 16.3, the swap): a run over the scored influencers
in chunks of --chunk-size ids, each chunk's rows read back from influencer_score (not timed) and written as
the code on the path writes them in the chunk's transaction (timed: `chunk_write_s`, per row
`chunk_write_us_per_row`), then the last chunk's `score_runs.swap` (timed: `swap_s`) and its commit
(`swap_commit_s`), with the WAL bytes the swap wrote, and the drop of the previous table after that commit
(`drop_after_commit_s`, where the code has one); --analyze-first ANALYZEs the run's table before the
last chunk (timed apart), so that the swap is only its DETACH / ATTACH / DROP. Works with the code before and after migration
b3d8e6f1a2c4 (score_stage + an INSERT … SELECT swap, or the run's table + a partition swap); the rows
written are the ones that were there, so the warehouse is unchanged but for the run.

Times are wall seconds (what a Lambda is billed) and this process's CPU seconds (the machine is shared:
the CPU figures are the steadier ones; PostgreSQL's own time shows only in wall). The last line of output
is one JSON object: score_rows_per_s (whole run, wall), score_chunk_max_s, speedup_per_row (one-shot wall
seconds per row / the chunks' wall seconds per row), their CPU counterparts and the details.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import io
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "ml"), str(ROOT / "layers" / "tools")]

import sqlalchemy as sa  # noqa: E402

END = dt.date(2026, 11, 1)
SCORE_COLUMNS = (
    "influencer_id, content_type, model_version_id, predicted_er, er_low, er_high, performance_tier, "
    "tier_probability, cluster, anomaly_score, anomaly_reasons, rationale, cost_per_post, cost_low, cost_high, "
    "engagements, engagements_low, engagements_high, engagements_per_dollar, per_dollar_low, per_dollar_high"
)


def say(message: str) -> None:
    print(message, flush=True)


class Clock:
    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


BASELINE_PACKAGE = "baseline_ml"


def previous_scorer(commit: str, work: Path) -> ModuleType:
    """The one-shot scoring module of `commit` with the whole `predictfluence_ml` package of that commit
    (features, peers, costs, anomaly, the models' own predict ...), from git, imported as BASELINE_PACKAGE: what
    ran before, not today's faster parts under the old orchestration (issue 16.9: honest baselines)."""
    folder = work / "baseline"
    package = folder / BASELINE_PACKAGE
    package.mkdir(parents=True)
    source = "layers/ml/predictfluence_ml"
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{commit}:{source}"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()  # fmt: skip
    for name in (n for n in names if n.endswith(".py")):
        text = subprocess.run(["git", "show", f"{commit}:{source}/{name}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout  # fmt: skip
        (package / name).write_text(text.replace("predictfluence_ml", BASELINE_PACKAGE))
    sys.path.insert(0, str(folder))
    return importlib.import_module(f"{BASELINE_PACKAGE}.scoring")


class _AsBaseline(pickle.Unpickler):
    """Unpickles today's objects as the baseline package's classes of the same name."""

    def find_class(self, module: str, name: str) -> object:
        if module == "predictfluence_ml" or module.startswith("predictfluence_ml."):
            module = BASELINE_PACKAGE + module[len("predictfluence_ml"):]
        return super().find_class(module, name)


def as_baseline(bundle: object) -> object:
    """`bundle` (today's ModelBundle, fitted here) as the baseline package's ModelBundle: the same fitted
    models, peers and cost model, read by the code of the baseline commit."""
    return _AsBaseline(io.BytesIO(pickle.dumps(bundle))).load()


def build_world(engine: sa.Engine, args: argparse.Namespace) -> tuple[object, int, dt.date]:
    from predictfluence_ml.costs import train_costs
    from predictfluence_ml.dataset import build_split
    from predictfluence_ml.training import fit
    from predictfluence_tools import synthetic

    clock = Clock()
    synthetic.seed(engine, n_influencers=args.train_influencers, days=150, end_date=END, seed=args.seed)
    split = build_split(engine)
    bundle = fit(split.train)
    bundle.cost, _cost = train_costs(engine, before=split.data_end)
    with engine.begin() as conn:  # a version row for the scores' foreign key (no artifact: S3 is not needed)
        version = conn.execute(sa.text(
            "INSERT INTO model_version (kind, version, status, artifact_uri, sha256) "
            "VALUES ('er', 'bench-scoring', 'rejected', 'none', 'none') RETURNING id"
        )).scalar_one()  # fmt: skip
    say(f"trained on {args.train_influencers:,} creators × 150 days in {clock.lap()[0]:.1f} s")
    extra = args.influencers - args.train_influencers
    if extra > 0:
        clock = Clock()
        synthetic.seed(engine, n_influencers=extra, days=14, posts_per_week=1.0, end_date=END, seed=args.seed + 1,
                       handle_prefix="bench")  # fmt: skip
        say(f"topped up to {args.influencers:,} creators (two weeks of history) in {clock.lap()[0]:.1f} s")
    return bundle, int(version), split.data_end


def table(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT {SCORE_COLUMNS} FROM influencer_score ORDER BY 1, 2"))]  # noqa: S608


def fan_out(engine: sa.Engine, bundle: object, version: int, as_of: dt.date, size: int) -> dict[str, object]:
    from predictfluence_ml import scoring

    clock = Clock()
    plan = scoring.start_run(engine, bundle, version, as_of=as_of, chunk_size=size)  # type: ignore[arg-type]
    start_wall, start_cpu = clock.lap()
    say(f"run {plan.run_id}: population step (anomaly flags, clusters) {start_wall:.1f} s wall / {start_cpu:.1f} s CPU; "
        f"{len(plan.chunks)} chunk(s) of ≤ {size:,} influencers")  # fmt: skip
    chunks = []
    for k, lo, hi in plan.chunks:
        clock = Clock()
        done = scoring.score_chunk(engine, bundle, plan.run_id, k, plan.types_by_platform)  # type: ignore[arg-type]
        wall, cpu = clock.lap()
        chunks.append({"chunk": k, "lo_id": lo, "hi_id": hi, "rows": done.rows, "wall_s": round(wall, 2),
                       "cpu_s": round(cpu, 2), "rows_per_s": round(done.rows / wall, 1)})  # fmt: skip
        say(f"  chunk {k}: ids {lo}..{hi}, {done.rows:,} rows in {wall:.1f} s wall / {cpu:.1f} s CPU "
            f"({done.rows / wall:,.0f} rows/s){' — run complete' if done.completed_run else ''}")
    return {"run_id": plan.run_id, "plan": plan, "start_wall_s": start_wall, "start_cpu_s": start_cpu,
            "chunks": chunks}  # fmt: skip


def rationale_only(engine: sa.Engine, bundle: object, run: dict[str, object], as_of: dt.date) -> dict[str, float]:
    """The first chunk's rows again: batched contributions vs the per-candidate reference (CPU seconds)."""
    from predictfluence_ml import scoring

    plan = run["plan"]
    _k, lo, hi = plan.chunks[0]  # type: ignore[attr-defined]
    out = {}
    for label, per_candidate in (("per_candidate", True), ("batched", False)):
        clock = Clock()
        rows = scoring.score_rows(engine, bundle, 0, (lo, hi), as_of, plan.types_by_platform,  # type: ignore[attr-defined]
                                  per_candidate=per_candidate)  # fmt: skip
        wall, cpu = clock.lap()
        out[label] = {"rows": len(rows), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2)}
        say(f"  chunk 0 rows with the {label} rationale: {wall:.1f} s wall / {cpu:.1f} s CPU")
    return out


def run(engine: sa.Engine, args: argparse.Namespace, work: Path) -> dict[str, object]:
    bundle, version, as_of = build_world(engine, args)
    baseline = previous_scorer(args.baseline_commit, work)
    old_bundle = as_baseline(bundle)
    clock = Clock()
    old = baseline.score_all(engine, old_bundle, version, as_of=as_of)
    old_wall, old_cpu = clock.lap()
    before = table(engine)
    say(f"one-shot scorer of {args.baseline_commit}: {old.rows:,} rows for {old.influencers:,} influencers in "
        f"{old_wall:.1f} s wall / {old_cpu:.1f} s CPU ({old.rows / old_wall:,.0f} rows/s)")
    fanned = fan_out(engine, bundle, version, as_of, args.chunk_size)
    equal = table(engine) == before
    say(f"influencer_score after the fanned-out run equals the one-shot table: {equal}")
    chunks = fanned["chunks"]
    rows = sum(c["rows"] for c in chunks)  # type: ignore[misc]
    chunk_wall = sum(c["wall_s"] for c in chunks)  # type: ignore[misc]
    chunk_cpu = sum(c["cpu_s"] for c in chunks)  # type: ignore[misc]
    total_wall = fanned["start_wall_s"] + chunk_wall  # type: ignore[operator]
    total_cpu = fanned["start_cpu_s"] + chunk_cpu  # type: ignore[operator]
    rationale = rationale_only(engine, bundle, fanned, as_of) if not args.skip_rationale else {}
    return {
        "influencers": old.influencers,
        "score_rows": rows,
        "chunk_size": args.chunk_size,
        "chunks": len(chunks),
        "score_rows_per_s": round(rows / total_wall, 1),
        "score_chunk_rows_per_s": round(rows / chunk_wall, 1),
        "score_chunk_max_s": max(c["wall_s"] for c in chunks),  # type: ignore[type-var]
        "score_start_s": round(fanned["start_wall_s"], 2),  # type: ignore[call-overload]
        "score_total_s": round(total_wall, 2),
        "baseline_commit": args.baseline_commit,
        "baseline_s": round(old_wall, 2),
        "baseline_cpu_s": round(old_cpu, 2),
        "baseline_rows_per_s": round(old.rows / old_wall, 1),
        "speedup_per_row": round((old_wall / old.rows) / (chunk_wall / rows), 2),
        "speedup_per_row_cpu": round((old_cpu / old.rows) / (chunk_cpu / rows), 2),
        "speedup_total": round(old_wall / total_wall, 2),
        "speedup_total_cpu": round(old_cpu / total_cpu, 2),
        "same_scores_as_one_shot": equal,
        "rationale_first_chunk": rationale,
        "chunk_details": chunks,
        "load_average": round(os.getloadavg()[0], 1),
        "threads": args.threads,
    }


def _chunk_rows(conn: sa.Connection, columns: tuple[str, ...], run_id: int, lo: int, hi: int) -> list[tuple]:
    cols = ", ".join(columns[1:])
    sql = f"SELECT :run, {cols} FROM influencer_score WHERE influencer_id BETWEEN :lo AND :hi"  # noqa: S608
    return [tuple(r) for r in conn.execute(sa.text(sql), {"run": run_id, "lo": lo, "hi": hi})]


def swap_bench(url: str, chunk_size: int, analyze_first: bool = False) -> dict[str, object]:
    """The database side of a run on a kept warehouse: chunk writes and the swap (see the module doc)."""
    from predictfluence.db import create_engine
    from predictfluence.queries import score_runs
    from predictfluence_ml._sql import copy_binary, copy_rows
    from predictfluence_ml.scoring import STAGE_KINDS

    partitioned = hasattr(score_runs, "write_chunk")
    engine = create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE influencer_score"))
    with engine.begin() as conn:
        ids = list(conn.execute(sa.text("SELECT DISTINCT influencer_id FROM influencer_score ORDER BY 1")).scalars())
        version = conn.execute(sa.text("SELECT min(model_version_id) FROM influencer_score")).scalar_one()
        population = conn.execute(sa.text(
            "SELECT DISTINCT ON (influencer_id) influencer_id, cluster, anomaly_score, anomaly_reasons::text "
            "FROM influencer_score ORDER BY influencer_id")).all()  # fmt: skip
        ranges = score_runs.id_ranges(ids, chunk_size)
        score_runs.supersede_running(conn)
        run_id = score_runs.create_run(conn, version, END, ranges, len(ids), 0)
        copy_rows(conn, "score_run_influencer", score_runs.RUN_INFLUENCER_COLUMNS,
                  ((run_id, *row) for row in population))  # fmt: skip
    writes, swap_s, commit_s, wal, rows_total, analyze_s, drop_s = [], 0.0, 0.0, 0, 0, None, None
    for k, (lo, hi) in enumerate(ranges):
        with engine.connect() as read:
            rows = _chunk_rows(read, score_runs.STAGE_COLUMNS, run_id, lo, hi)
        if analyze_first and partitioned and k == len(ranges) - 1:  # the swap then skips its ANALYZE
            t0 = time.perf_counter()
            with engine.begin() as done_before:
                done_before.execute(sa.text(f"ANALYZE {score_runs.run_table(run_id)}"))
            analyze_s = time.perf_counter() - t0
        conn = engine.connect()
        t0 = time.perf_counter()
        conn.begin()
        score_runs.lock_chunk(conn, run_id, k)
        if partitioned:
            score_runs.clear_chunk(conn, run_id, lo, hi)
            copy_binary(conn, score_runs.CHUNK_TABLE, score_runs.STAGE_COLUMNS, STAGE_KINDS, rows)
            score_runs.write_chunk(conn, run_id, lo, hi)
        else:
            score_runs.clear_stage(conn, run_id, lo, hi)
            copy_binary(conn, "score_stage", score_runs.STAGE_COLUMNS, STAGE_KINDS, rows)
        done, total = score_runs.finish_chunk(conn, run_id, k, len(rows), 0.0)
        writes.append(time.perf_counter() - t0)
        rows_total += len(rows)
        if done >= total:
            lsn = conn.execute(sa.text("SELECT pg_current_wal_insert_lsn()")).scalar_one()
            t1 = time.perf_counter()
            score_runs.swap(conn, run_id)
            swap_s = time.perf_counter() - t1
            wal = int(conn.execute(sa.text("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), :l)"), {"l": lsn})
                      .scalar_one())  # fmt: skip
            t2 = time.perf_counter()
            conn.commit()
            commit_s = time.perf_counter() - t2
            if hasattr(score_runs, "drop_detached"):  # the previous table, after the commit (as score_chunk)
                t3 = time.perf_counter()
                with engine.begin() as after:
                    score_runs.drop_detached(after, run_id)
                drop_s = time.perf_counter() - t3
        else:
            conn.commit()
        conn.close()
    time.sleep(1.5)  # the swap's backend reports its statistics (ANALYZE or not) within a second
    with engine.connect() as conn:
        served = conn.execute(sa.text("SELECT count(*) FROM influencer_score")).scalar_one()
        analysed = conn.execute(sa.text(
            "SELECT last_analyze IS NOT NULL, last_autoanalyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = :t"), {"t": f"influencer_score_run_{run_id}"}).first()  # fmt: skip
    engine.dispose()
    ordered = sorted(writes)
    say(f"run {run_id}: {len(ranges)} chunk(s), {rows_total:,} rows; chunk writes median {ordered[len(ordered) // 2]:.3f} s; "
        f"swap {swap_s:.3f} s + commit {commit_s:.3f} s, WAL {wal / 1e6:.1f} MB; {served:,} rows served")  # fmt: skip
    return {
        "code": "partition swap" if partitioned else "insert swap",
        "rows": rows_total, "served_rows": served, "chunks": len(ranges), "chunk_size": chunk_size,
        "swap_s": round(swap_s, 4), "swap_commit_s": round(commit_s, 4), "swap_wal_bytes": wal,
        "drop_after_commit_s": None if drop_s is None else round(drop_s, 4),
        "chunk_write_s": round(sum(writes), 3), "chunk_write_median_s": round(ordered[len(ordered) // 2], 4),
        "chunk_write_us_per_row": round(sum(writes) / rows_total * 1e6, 2),
        "analyze_before_last_chunk_s": None if analyze_s is None else round(analyze_s, 3),
        "analyzed_in_swap": bool(analysed and analysed[0]) and analyze_s is None, "autoanalyzed": bool(analysed and analysed[1]),
        "load_average": round(os.getloadavg()[0], 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=100_000)
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--train-influencers", type=int, default=1_500)
    parser.add_argument("--baseline-commit", default="0179f67", help="the commit whose one-shot score_all is the baseline")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads for the boosting (PF_ML_THREADS)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-rationale", action="store_true", help="skip the rationale-only comparison")
    parser.add_argument("--reuse", metavar="URL", help="time only a run's chunk writes and swap on this kept warehouse")
    parser.add_argument("--analyze-first", action="store_true",
                        help="with --reuse: ANALYZE the run's table before its last chunk (timed apart)")
    args = parser.parse_args()
    if args.reuse:
        print(json.dumps(swap_bench(args.reuse, args.chunk_size, args.analyze_first)))
        return

    os.environ["PF_ML_THREADS"] = str(args.threads)
    from predictfluence.db import create_engine
    from predictfluence_ml.training import ml_threads
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with tempfile.TemporaryDirectory(prefix="pf-bench-scoring-") as tmp, \
            scratch_database(database_url(), "pf_bench_scoring") as url:  # fmt: skip
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            with ml_threads():
                result = run(engine, args, Path(tmp))
        finally:
            engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
