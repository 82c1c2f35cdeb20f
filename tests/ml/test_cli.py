"""`predictfluence train | score | models` end to end (real database, moto S3)."""

from __future__ import annotations

import json

import sqlalchemy as sa
from click.testing import CliRunner

from predictfluence_tools.cli import main


def test_train_models_and_score_commands(db, aws, warehouse) -> None:
    runner = CliRunner()
    trained = runner.invoke(main, ["train", "--no-score", "--json"])
    assert trained.exit_code == 0, trained.output
    result = json.loads(trained.output[trained.output.index("{") :])
    assert result["status"] == "champion" and result["scored_rows"] == 0
    assert "] dataset: " in trained.output  # progress lines

    listed = runner.invoke(main, ["models"])
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if result["version"] in x)
    assert line.startswith("* engagement ") and " champion " in line
    assert f"{result['metrics']['mae']:9.5f}" in line
    # the synthetic warehouse has no hires: the cost forecast is the documented per-platform default
    assert result["metrics"]["cost_model"] == "default" and result["metrics"]["cost_mae"] is None
    assert line.rstrip().endswith(" default")

    scored = runner.invoke(main, ["score"])
    assert scored.exit_code == 0, scored.output
    with db.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM influencer_score")).scalar_one()
    assert f"scored {rows:,} rows for 150 influencers" in scored.output


def test_score_without_a_champion_fails_cleanly(db, aws) -> None:
    scored = CliRunner().invoke(main, ["score"])
    assert scored.exit_code == 1
    assert "no champion model yet" in scored.output
