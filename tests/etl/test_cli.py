"""`predictfluence etl load / loads` run the same pipeline; exit codes tell loaded from rejected."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from predictfluence_tools.cli import main
from tests.etl.conftest import scalar

DATA = Path(__file__).resolve().parents[1] / "data" / "etl"


def test_help_everywhere():
    runner = CliRunner()
    for args in (["etl", "--help"], ["etl", "load", "--help"], ["etl", "loads", "--help"]):
        result = runner.invoke(main, args)
        assert result.exit_code == 0 and "Usage:" in result.output


def test_load_prints_outcome_and_rejections(seeded, write_csv):
    runner = CliRunner()
    path = write_csv("m.csv", (DATA / "post_metrics.csv").read_text() + "instagram,p1,2026-03-04,-2,0,0,0,,,\n")
    result = runner.invoke(main, ["etl", "load", str(path), "--kind", "post_metrics"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"loaded: {path} (kind post_metrics, load {scalar(seeded, 'SELECT max(id) FROM etl_load')})",
        "  rows in 4 · loaded 3 · rejected 1",
    ]
    assert "line 5: negative count likes='-2'" in result.output
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 3

    again = runner.invoke(main, ["etl", "load", str(path), "--kind", "post_metrics"])
    assert again.exit_code == 0 and again.output.startswith("skipped_duplicate:")

    listed = runner.invoke(main, ["etl", "loads", "--limit", "1"])
    assert listed.exit_code == 0 and "loaded" in listed.output and "post_metrics" in listed.output


def test_whole_file_rejected_exits_1(seeded, write_csv):
    result = CliRunner().invoke(main, ["etl", "load", str(write_csv("e.csv", "")), "--kind", "posts"])
    assert result.exit_code == 1
    assert "file rejected: the file is empty" in result.output


def test_map_option(seeded, write_csv, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"Net": "platform", "Post": "post_id", "Day": "date"}))
    path = write_csv("m.csv", "Net,Post,Day,likes\ntiktok,t1,2026-03-10,5\n")
    result = CliRunner().invoke(main, ["etl", "load", str(path), "--kind", "post_metrics", "--map", str(mapping)])
    assert result.exit_code == 0, result.output
    assert scalar(seeded, "SELECT likes FROM post_metric_daily") == 5
