"""The audience-quality flag against the demo generator's ground truth (issue 11.1).

    .venv/bin/python bench/flag.py [--influencers 1500] [--days 150] [--seed 11]

A demo world (`predictfluence demo-data`; its `_truth.json` → `suspicious` lists the accounts with bought
engagement) on a seed the flag and the model were not tuned on (the tests and bench/ml.py use 3, 5 and 7)
is loaded through the ETL into a scratch database, a model is trained (flagged influencers left out of
the training targets) and every influencer scored. Then:

- flag precision and recall: an influencer is flagged when its score carries an audience-quality reason;
- `suspicious_in_top20` / `suspicious_in_top100`: truly suspicious accounts in the default
  `GET /recommendations` ranking (no parameters: flagged accounts left out) of 20 and 100 rows;
- the same counts with `include_flagged=true`, for comparison.

Goals: 0 and 0 in the default top 20 / 100; recall ≥ 0.9 at precision ≥ 0.8. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "ml"), str(ROOT / "bench")]

import sqlalchemy as sa  # noqa: E402

LOAD_ORDER = ("influencers", "campaigns", "audience", "hires", "posts", "post_metrics", "conversions")
END = dt.date(2026, 11, 1)


def say(message: str) -> None:
    print(message, flush=True)


def load_world(engine: sa.Engine, args: argparse.Namespace, work: Path) -> set[tuple[str, str]]:
    """Generate and ETL-load the demo world; the (platform, handle) of its suspicious accounts."""
    from etl_jobs.pipeline import load_path
    from predictfluence_tools.demo.generator import TRUTH_FILE, DemoConfig, generate

    out = work / "csv"
    result = generate(DemoConfig(influencers=args.influencers, days=args.days, seed=args.seed, end_date=END), out)
    say(f"demo generator: {args.influencers:,} influencers × {args.days} days → {result.rows} in {result.seconds:.1f} s")
    for kind in LOAD_ORDER:
        outcome = load_path(engine, out / f"{kind}.csv", kind=kind)
        say(f"  ETL {kind:<13s} {outcome.status} {outcome.rows_loaded:>9,} rows")
    truth = json.loads((out / TRUTH_FILE).read_text(encoding="utf-8"))
    return {(s["platform"].lower(), s["handle"].lower()) for s in truth["suspicious"]}


def train_and_score(engine: sa.Engine) -> dict[str, object]:
    from predictfluence_ml.dataset import build_split
    from predictfluence_ml.scoring import score_all
    from predictfluence_ml.training import fit

    t0 = time.perf_counter()
    split = build_split(engine)
    bundle = fit(split.train)
    with engine.begin() as conn:
        version_id = conn.execute(sa.text(
            "INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256, details) VALUES "
            "('engagement', 'bench-flag', 'champion', '{}', 'file:///bench-flag', 'none', '{}') RETURNING id"
        )).scalar_one()
    scored = score_all(engine, bundle, version_id)
    say(f"trained on {len(split.train):,} examples ({split.train.flagged_left_out:,} of flagged influencers left "
        f"out), scored {scored.influencers:,} influencers in {time.perf_counter() - t0:.1f} s")
    return {"train_rows": len(split.train), "train_flagged_left_out": split.train.flagged_left_out}


def measure(engine: sa.Engine, suspicious: set[tuple[str, str]]) -> dict[str, object]:
    from predictfluence.queries.recommendations import recommend

    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT lower(i.platform), lower(i.handle), bool_or(coalesce(jsonb_array_length(s.anomaly_reasons), 0) > 0) "
            "FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id GROUP BY 1, 2"
        )).all()
        handle = dict(conn.execute(sa.text("SELECT id, lower(platform) || '|' || lower(handle) FROM influencer")).all())
        ranked = {flagged: [tuple(handle[r["influencer_id"]].split("|", 1))
                            for r in recommend(include_flagged=flagged, limit=100, conn=conn)]
                  for flagged in (False, True)}
    flagged = {(p, h) for p, h, f in rows if f}
    scored = {(p, h) for p, h, _f in rows}
    truth = suspicious & scored
    hits = len(flagged & truth)
    result: dict[str, object] = {
        "influencers_scored": len(scored),
        "suspicious": len(truth),
        "flagged": len(flagged),
        "flag_precision": hits / len(flagged) if flagged else 0.0,
        "flag_recall": hits / len(truth) if truth else 1.0,
        "suspicious_in_top20": sum(a in truth for a in ranked[False][:20]),
        "suspicious_in_top100": sum(a in truth for a in ranked[False][:100]),
        "include_flagged": {
            "suspicious_in_top20": sum(a in truth for a in ranked[True][:20]),
            "suspicious_in_top100": sum(a in truth for a in ranked[True][:100]),
        },
    }
    say(f"flag: {len(flagged)} flagged, {hits} of {len(truth)} suspicious → precision "
        f"{result['flag_precision']:.3f}, recall {result['flag_recall']:.3f}; suspicious in the default top 20 / 100: "
        f"{result['suspicious_in_top20']} / {result['suspicious_in_top100']} (with include_flagged: "
        f"{result['include_flagged']['suspicious_in_top20']} / {result['include_flagged']['suspicious_in_top100']})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("PF_ML_THREADS", "1")

    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine
    from predictfluence_ml.training import ml_threads
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with tempfile.TemporaryDirectory(prefix="pf-bench-flag-") as tmp, \
            scratch_database(database_url(), "pf_bench_flag") as url:
        os.environ["PF_DATA_DIR"] = str(Path(tmp) / "data")
        reset_settings()
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            suspicious = load_world(engine, args, Path(tmp))
            with ml_threads():
                result = {"seed": args.seed, **train_and_score(engine), **measure(engine, suspicious)}
        finally:
            engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
