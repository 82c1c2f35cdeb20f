"""ML test fixtures: a small synthetic warehouse (set-based COPY), a private model cache, one ML thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

SMALL = {"n_influencers": 150, "days": 130, "seed": 3}


@pytest.fixture(autouse=True)
def _ml_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from predictfluence_ml import registry

    cache = tmp_path / "model-cache"
    monkeypatch.setenv("PF_MODEL_CACHE_DIR", str(cache))
    monkeypatch.setenv("PF_ML_THREADS", "1")
    registry.clear_cache(disk=False)
    yield cache
    registry.clear_cache(disk=False)


@pytest.fixture()
def warehouse(db: Engine):
    """150 synthetic creators with 130 days of posts and daily metrics."""
    from predictfluence_tools import synthetic

    return synthetic.seed(db, **SMALL)


@pytest.fixture()
def fast_params():
    from predictfluence_ml.training import TrainParams

    return TrainParams(max_iter=60, classifier_iter=30, n_clusters=4)


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> Iterator[None]:
    """The machine's two cores are shared: OpenMP oversubscription makes boosting 10× slower."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield
