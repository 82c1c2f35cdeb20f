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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "ml"), str(ROOT / "bench")]

import sqlalchemy as sa  # noqa: E402

END = dt.date(2026, 11, 1)


def say(message: str) -> None:
    print(message, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--influencers", type=int, default=1500)
    parser.add_argument("--days", type=int, default=150)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    os.environ.setdefault("PF_ML_THREADS", "1")

    from _demo_world import flag_figures, generate_world, load_world, suspicious_accounts, train_and_score

    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine
    from predictfluence_ml.training import ml_threads
    from predictfluence_tools import migrate
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with (
        tempfile.TemporaryDirectory(prefix="pf-bench-flag-") as tmp,
        scratch_database(database_url(), "pf_bench_flag") as url,
    ):
        os.environ["PF_DATA_DIR"] = str(Path(tmp) / "data")
        reset_settings()
        engine = create_engine(url, poolclass=sa.pool.NullPool)
        try:
            migrate.upgrade(engine)
            csv_dir = generate_world(args.influencers, args.days, args.seed, END, Path(tmp) / "csv", say)
            load_world(engine, csv_dir, say)
            suspicious = set(suspicious_accounts(csv_dir))
            with ml_threads():
                trained = train_and_score(engine, say)
                result = {
                    "seed": args.seed,
                    "train_rows": trained["train_rows"],
                    "train_flagged_left_out": trained["train_flagged_left_out"],
                    **flag_figures(engine, suspicious, say),
                }
        finally:
            engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
