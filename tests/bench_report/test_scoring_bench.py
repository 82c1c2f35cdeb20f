"""bench/scoring.py's baseline (issue 16.9: honest baselines): the one-shot scorer runs with the whole
`predictfluence_ml` package of the baseline commit, not with today's faster features, peers and costs under the
old orchestration (which made the baseline 1.3x faster than the code that ran then). No bench run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMIT = "0179f67"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_scoring", ROOT / "bench" / "scoring.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _show(path: str) -> str:
    return subprocess.run(["git", "show", f"{COMMIT}:{path}"], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def test_the_baseline_scorer_runs_on_its_own_commits_package(tmp_path, monkeypatch):
    if subprocess.run(["git", "cat-file", "-e", f"{COMMIT}^{{commit}}"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip(f"{COMMIT} is not in this clone's history")
    from predictfluence_ml import bundle

    bench = _bench()
    monkeypatch.setattr(sys, "path", list(sys.path))
    package = bench.BASELINE_PACKAGE
    try:
        scoring = bench.previous_scorer(COMMIT, tmp_path)
        assert scoring.__name__ == f"{package}.scoring"
        for name in ("scoring", "features", "peers", "bundle", "costs"):  # the parts that got faster since
            module = sys.modules[f"{package}.{name}"]
            assert Path(module.__file__).parent == tmp_path / "baseline" / package
            source = _show(f"layers/ml/predictfluence_ml/{name}.py").replace("predictfluence_ml", package)
            assert Path(module.__file__).read_text() == source
        assert scoring.scoring_matrix is sys.modules[f"{package}.features"].scoring_matrix
        # today's fitted objects are read as the baseline's classes of the same name
        assert bench.as_baseline(bundle.ModelBundle) is sys.modules[f"{package}.bundle"].ModelBundle
        assert bench.as_baseline({"tiers": bundle.TIER_NAMES}) == {"tiers": bundle.TIER_NAMES}
    finally:
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]
