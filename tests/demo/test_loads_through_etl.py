"""The generated files load through the real ETL path with no rejected row (real PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_tools.demo.generator import DemoConfig, generate

# Dimensions first: facts reference influencers, campaigns, posts and hires by natural key.
LOAD_ORDER = ("influencers", "campaigns", "audience", "hires", "posts", "post_metrics", "conversions")


def test_demo_data_loads_without_rejections(db: Engine, tmp_path: Path) -> None:
    from etl_jobs.pipeline import load_path

    result = generate(DemoConfig(influencers=120, days=20, seed=11, end_date=dt.date(2026, 5, 31)), tmp_path)
    for kind in LOAD_ORDER:
        outcome = load_path(db, tmp_path / f"{kind}.csv", kind=kind)
        assert outcome.status == "loaded", (kind, outcome.message, outcome.rejections)
        assert outcome.rows_rejected == 0, (kind, outcome.rejections)
        assert outcome.rows_loaded == result.rows[kind], kind
    with db.connect() as conn:
        counts = {
            t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("influencer", "campaign", "post", "post_metric_daily", "audience_share",
                      "campaign_influencer", "conversion_daily")
        }  # fmt: skip
    assert counts["post_metric_daily"] == result.rows["post_metrics"]
    assert counts["conversion_daily"] == result.rows["conversions"]
    assert counts["influencer"] == 120
