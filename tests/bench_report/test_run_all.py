"""bench/run_all.py's report writer: fake last-JSON-lines in, the exact Markdown table out (no bench runs)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _run_all() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_run_all", ROOT / "bench" / "run_all.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


RESULTS = {
    "etl": {"json": {"rows_per_kind": 1000000, "posts": {"etl_s": 2.5, "copy_s": 2.0, "reload10_etl_s": 3.2,
                                                          "reload10_copy_s": 2.0}}, "exit": 0, "seconds": 60.0},
    "api": {"json": {"p95_ms": {"GET /influencers": 12.5, "GET /analytics/kpis": 140.0},
                     "p50_ms": {"GET /influencers": 8.0}, "baseline_select1_ms": 0.5, "influencers": 100000},
            "exit": 0, "seconds": 300.0},
    "coldstart": {"json": {"import_s": 0.42, "first_request_s": 0.95, "heavy_import_s": 1.68}, "exit": 0,
                  "seconds": 30.0},
    "load": {"json": {"clients": 20, "errors": 0, "p95_ms": 180.0, "per_endpoint": {"kpis": {"errors": 2}},
                      "ok": True}, "exit": 0, "seconds": 70.0},
    "ml": {"json": None, "exit": 1, "seconds": 2.0},
}
MACHINE = {"CPUs (nproc)": "2", "memory": "7.7 GiB", "CPU model": "Test CPU", "PostgreSQL": "16.2 (embedded)",
           "Python": "3.12.1"}

EXPECTED = """# Benchmarks — scale small

Run 2026-11-28 07:00 UTC.

## Machine

| | |
|---|---|
| CPUs (nproc) | 2 |
| memory | 7.7 GiB |
| CPU model | Test CPU |
| PostgreSQL | 16.2 (embedded) |
| Python | 3.12.1 |

## Results

| bench | figure | value | baseline / target | ratio | verdict |
|---|---|---|---|---|---|
| etl | rows_per_kind | 1,000,000 | | | |
| etl | posts.etl_s | 2.50 | posts.copy_s 2.00 (≤ 1.5×) | 1.25× | ok |
| etl | posts.copy_s | 2.00 | | | |
| etl | posts.reload10_etl_s | 3.20 | posts.reload10_copy_s 2.00 (≤ 1.5×) | 1.60× | MISSED |
| etl | posts.reload10_copy_s | 2.00 | | | |
| api | p95_ms.GET /influencers | 12.50 | target ≤ 50.00 | 0.25 | ok |
| api | p95_ms.GET /analytics/kpis | 140 | target ≤ 100 | 1.40 | MISSED |
| api | p50_ms.GET /influencers | 8.00 | baseline_select1_ms 0.5 | 16.00× | |
| api | baseline_select1_ms | 0.5 | | | |
| api | influencers | 100,000 | | | |
| coldstart | import_s | 0.42 | target ≤ 0.5 | 0.84 | ok |
| coldstart | first_request_s | 0.95 | target ≤ 0.9 | 1.06 | MISSED |
| coldstart | heavy_import_s | 1.68 | import_s 0.42 | 0.25× | |
| load | clients | 20 | | | |
| load | errors | 0 | target 0 | | ok |
| load | p95_ms | 180 | | | |
| load | per_endpoint.kpis.errors | 2 | target 0 | | MISSED |
| ml | (no JSON result: exit 1) | | | | FAILED |

Scripts: 5; missed targets or failures: 5.

- etl: 60.00 s, exit 0
- api: 300 s, exit 0
- coldstart: 30.00 s, exit 0
- load: 70.00 s, exit 0
- ml: 2.00 s, exit 1
"""


def test_the_report_is_the_exact_markdown_table():
    run_all = _run_all()
    assert run_all.render_report(RESULTS, MACHINE, "small", "2026-11-28 07:00 UTC") == EXPECTED


def test_the_last_json_line_is_collected_and_noise_ignored():
    run_all = _run_all()
    output = 'start\n{"partial": \n{"a": 1}\nRESULT {"b": 2}\nlast words\n'
    assert run_all.last_json_line(output) == {"a": 1}
    assert run_all.last_json_line("no json here\n") is None


def test_every_bench_script_is_run_and_helpers_are_not():
    run_all = _run_all()
    names = {p.name for p in run_all.scripts()}
    assert "run_all.py" not in names and "fuzz.py" not in names
    assert not any(n.startswith("_") for n in names)
    assert {"load.py"} <= names
    for scale in run_all.SCALES.values():
        assert set(scale) <= {p.stem for p in (ROOT / "bench").glob("*.py")} | {"etl", "api", "ml", "coldstart",
                                                                                   "generate", "ml_real"}


def test_model_errors_are_judged_against_the_same_run_baseline():
    run_all = _run_all()
    figures = run_all.flatten({"mae": 0.007, "baseline_mae": 0.0156, "no_like_columns": {"mae": 0.0136,
                                                                                        "baseline_mae": 0.0153}})
    assert run_all.judge("ml", "mae", 0.007, figures) == ("baseline_mae 0.0156 (≤ 0.8×)", "0.45×", "ok")
    assert run_all.judge("ml_real", "no_like_columns.mae", 0.0136, figures) == (
        "no_like_columns.baseline_mae 0.0153", "0.89×", "")


def test_model_is_judged_against_persistence_overall_and_per_segment():
    run_all = _run_all()
    figures = run_all.flatten({"mae": 0.0154, "persistence_mae": 0.0165, "mae_vs_persistence": 0.93,
                               "segments": {"ge15": {"mae": 0.0103, "persistence_mae": 0.0100}}})
    assert run_all.judge("ml", "mae_vs_persistence", 0.93, figures) == ("target ≤ 1.00", "0.93", "ok")
    assert run_all.judge("ml", "segments.ge15.mae", 0.0103, figures) == (
        "segments.ge15.persistence_mae 0.01 (≤ 1×)", "1.03×", "MISSED")


def test_planner_backtest_is_judged_against_its_goals_and_the_coverage_band():
    run_all = _run_all()
    data = {"planned_vs_best_baseline": 1.1, "plan_vs_baseline": {"random": 1.4, "top_predicted_er": 0.98},
            "plan_interval_coverage": 0.71, "plan_p95_ms": 420.0, "cost_mae": 14.0, "cost_baseline_mae": 33.5}
    figures = run_all.flatten(data)
    assert run_all.judge("planner", "planned_vs_best_baseline", 1.1, figures) == ("target ≥ 1.25", "0.88", "MISSED")
    assert run_all.judge("planner", "plan_vs_baseline.random", 1.4, figures)[2] == "ok"
    assert run_all.judge("planner", "plan_vs_baseline.top_predicted_er", 0.98, figures)[2] == "MISSED"
    assert run_all.judge("planner", "plan_interval_coverage", 0.71, figures) == ("target 0.75–0.85", "", "MISSED")
    assert run_all.judge("planner", "plan_interval_coverage", 0.8, figures) == ("target 0.75–0.85", "", "ok")
    assert run_all.judge("planner", "plan_p95_ms", 420.0, figures) == ("target ≤ 1,000", "0.42", "ok")
    assert run_all.judge("planner", "cost_mae", 14.0, figures) == ("cost_baseline_mae 33.50 (≤ 1×)", "0.42×", "ok")
    assert run_all.judge("api", "planner_ms.p95", 1200.0, {})[2] == "MISSED"


def test_a_missing_baseline_is_a_shortfall_not_a_blank():
    run_all = _run_all()
    assert run_all.judge("etl", "posts.etl_s", 2.5, {"posts.etl_s": 2.5}) == ("posts.copy_s (missing)", "", "MISSING")


def test_missed_goals_and_missing_baselines_fail_the_run():
    run_all = _run_all()
    assert run_all.shortfalls(run_all.judge_all(RESULTS)) == [
        "etl posts.reload10_etl_s: MISSED", "api p95_ms.GET /analytics/kpis: MISSED", "coldstart first_request_s: MISSED",
        "load per_endpoint.kpis.errors: MISSED", "ml (no JSON result: exit 1): FAILED"]
    fine = {"etl": {"json": {"posts": {"copy_s": 2.0, "etl_s": 2.5}}, "exit": 0}}
    assert run_all.shortfalls(run_all.judge_all(fine)) == []
    no_baseline = {"etl": {"json": {"posts": {"etl_s": 2.5}}, "exit": 0}}
    assert run_all.shortfalls(run_all.judge_all(no_baseline)) == ["etl posts.etl_s: MISSING"]


def test_every_etl_kind_is_judged_against_its_own_copy_floor():
    run_all = _run_all()
    figures = run_all.flatten({"audience": {"etl_s": 3.0, "copy_s": 2.5, "reload100_etl_s": 9.0,
                                            "reload100_copy_s": 3.0},
                               "post_metrics": {"copy_s": 4.0, "copy_text_key_s": 6.0}})
    assert run_all.judge("etl", "audience.etl_s", 3.0, figures) == ("audience.copy_s 2.50 (≤ 1.5×)", "1.20×", "ok")
    assert run_all.judge("etl", "audience.reload100_etl_s", 9.0, figures) == (
        "audience.reload100_copy_s 3.00 (≤ 1.5×)", "3.00×", "MISSED")
    assert run_all.judge("etl", "post_metrics.copy_text_key_s", 6.0, figures) == (
        "post_metrics.copy_s 4.00", "1.50×", "")
