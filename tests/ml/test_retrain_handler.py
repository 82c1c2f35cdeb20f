"""The scheduled retrain handler end to end through Chalice's test client, on demo data loaded through
the real ETL; and the post-load trigger."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

LOAD_ORDER = ("influencers", "campaigns", "audience", "hires", "posts", "post_metrics", "conversions")


@pytest.fixture()
def demo_warehouse(db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    from etl_jobs.pipeline import load_path
    from predictfluence.config import reset_settings
    from predictfluence_tools.demo.generator import DemoConfig, generate

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    result = generate(DemoConfig(influencers=150, days=150, seed=4, end_date=dt.date(2026, 10, 31)), tmp_path / "csv")
    for kind in LOAD_ORDER:
        outcome = load_path(db, tmp_path / "csv" / f"{kind}.csv", kind=kind)
        assert outcome.status == "loaded", (kind, outcome.message)
    return result.rows


def test_schedule_handler_trains_promotes_and_scores(db, aws, demo_warehouse) -> None:
    from chalice.test import Client

    from app import app

    with Client(app) as client:
        event = client.events.generate_cw_event(
            source="aws.events", detail_type="Scheduled Event", detail={},
            resources=["arn:aws:events:us-east-1:000000000000:rule/retrain"], region="us-east-1",
        )
        response = client.lambda_.invoke("retrain", event)

    payload = response.payload
    assert payload["status"] == "champion", payload["reason"]
    assert payload["metrics"]["mae"] < payload["metrics"]["baseline_mae"]
    with db.connect() as conn:
        versions = conn.execute(sa.text("SELECT version, status FROM model_version")).all()
        scored = conn.execute(sa.text(
            "SELECT count(*), count(DISTINCT influencer_id), count(*) FILTER (WHERE rationale LIKE '% have a median ER of %') "
            "FROM influencer_score"
        )).one()
        influencers = conn.execute(sa.text("SELECT count(*) FROM influencer WHERE followers > 0")).scalar_one()
    assert versions == [(payload["version"], "champion")]
    assert scored[0] == payload["scored_rows"] > 0
    assert scored[1] == influencers == demo_warehouse["influencers"]
    assert scored[2] == scored[0]


def test_retrain_function_name(monkeypatch: pytest.MonkeyPatch) -> None:
    from predictfluence.retraining import retrain_function_name

    monkeypatch.delenv("PF_RETRAIN_FUNCTION", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert retrain_function_name() is None
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-dev")
    assert retrain_function_name() == "predictfluence-dev-retrain"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-prod-etl")
    assert retrain_function_name() == "predictfluence-prod-retrain"
    monkeypatch.setenv("PF_RETRAIN_FUNCTION", "custom-retrain")
    assert retrain_function_name() == "custom-retrain"


def test_retraining_after_a_load_waits_for_enough_new_rows(db, aws, warehouse, monkeypatch) -> None:
    from predictfluence.config import reset_settings
    from predictfluence.retraining import (
        maybe_retrain_after_load,
        new_metric_rows_since_training,
        wait_for_background,
    )

    monkeypatch.delenv("PF_RETRAIN_FUNCTION", raising=False)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("PF_RETRAIN_MIN_NEW_ROWS", "1000")
    reset_settings()
    with db.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO etl_load (file_key, checksum, kind, status, rows_loaded) VALUES "
            "('raw/post_metrics/a.csv', 'a', 'post_metrics', 'loaded', 600), "
            "('raw/post_metrics/b.csv', 'b', 'post_metrics', 'rejected', 5000), "
            "('raw/posts/c.csv', 'c', 'posts', 'loaded', 5000)"
        ))
    assert new_metric_rows_since_training(db) == 600
    assert maybe_retrain_after_load(300) is None
    with db.begin() as conn:
        conn.execute(sa.text("INSERT INTO etl_load (file_key, checksum, kind, status, rows_loaded) "
                             "VALUES ('raw/post_metrics/d.csv', 'd', 'post_metrics', 'loaded', 400)"))
    started = maybe_retrain_after_load(400)
    assert started == {"mode": "thread", "function": None}
    wait_for_background()
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM model_version")).scalar_one() == 1
        assert conn.execute(sa.text("SELECT count(*) FROM influencer_score")).scalar_one() > 0
    assert new_metric_rows_since_training(db) == 0  # counted from the new version's training time
