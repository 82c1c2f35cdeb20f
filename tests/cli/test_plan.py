"""`predictfluence plan`: the planner in-process against the test database (the world of
tests/api/test_plans.py), its table and JSON, and its refusals as one line and a non-zero exit."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from predictfluence_tools.cli import main
from tests.api.test_plans import seed


@pytest.fixture()
def world(db):
    seed(db)
    return db


def test_plan_prints_the_table_totals_gap_and_time(world) -> None:
    result = CliRunner().invoke(
        main,
        [
            "plan",
            "--campaign",
            "2",
            "--budget",
            "1500",
            "--max-influencers",
            "2",
            "--posts-per-influencer",
            "1-2",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("ig_b ") and " reel " in line and " 2 " in line for line in lines)
    assert any(line.startswith("ig_c ") for line in lines)
    assert "total forecast: 17,600.0 engagements (80 % interval" in result.output
    assert "total cost: 1,500.00 USD of budget 1,500.00" in result.output
    assert "status optimal, optimality gap 0.00e+00, solved in" in result.output
    assert "why: 2 reels: 3,600 engagements forecast" in result.output


def test_plan_says_when_the_pool_was_cut(world, monkeypatch) -> None:
    whole = CliRunner().invoke(main, ["plan", "--campaign", "2", "--budget", "1000"])
    assert whole.exit_code == 0, whole.output
    assert "picks from 5 candidates; status" in whole.output  # 5 priced, unflagged rows: no cut
    monkeypatch.setenv("PF_PLANNER_POOL_ROWS", "1")
    cut = CliRunner().invoke(main, ["plan", "--campaign", "2", "--budget", "100"])
    assert cut.exit_code == 0, cut.output
    assert " candidates (the best of 5); status" in cut.output


def test_plan_json_is_the_api_response(world) -> None:
    result = CliRunner().invoke(main, ["plan", "--campaign", "1", "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["budget"] == 700.0  # the campaign's remaining budget
    assert sorted(i["influencer_id"] for i in plan["items"]) == [1, 4]
    reach = json.loads(
        CliRunner()
        .invoke(main, ["plan", "--campaign", "2", "--budget", "1000", "--objective", "reach", "--json"])
        .output
    )
    assert reach["forecast"]["total"] == 220000.0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--campaign", "2", "--budget", "10"], 2, "budget: budget 10.00 is below the cheapest candidate"),
        (["--campaign", "2", "--budget", "-1"], 2, "budget: budget must be a number above 0"),
        (["--campaign", "2", "--posts-per-influencer", "3-1"], 2, "posts_per_influencer"),
        (["--campaign", "2", "--posts-per-influencer", "many"], 2, "give N or MIN-MAX"),
        (["--campaign", "2", "--platform", "youtube"], 2, "filters: no priced candidate"),
        (["--campaign", "99"], 1, "campaign 99 not found"),
    ],
)
def test_refusals_are_one_line_without_traceback(world, args, code, message) -> None:
    result = CliRunner().invoke(main, ["plan", *args])
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
