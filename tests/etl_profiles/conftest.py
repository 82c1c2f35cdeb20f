"""Helpers for the profiles-kind tests: paths of the real dataset and the export fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl_jobs.base import KindResult, SourceFile

REPO = Path(__file__).resolve().parents[2]
REAL_DATASET = REPO.parent / "shared" / "data" / "top_insta_influencers_data.csv"
EXPORTS = REPO / "tests" / "data" / "exports"

LoadProfiles = Callable[..., KindResult]


@pytest.fixture()
def load_profiles(db: Engine) -> LoadProfiles:
    """Call the profiles loader directly inside one transaction, as the pipeline does."""
    from etl_jobs.kinds.profiles import loader

    def run(path: Path, key: str | None = None, mapping: dict[str, object] | None = None) -> KindResult:
        with db.begin() as conn:
            return loader.load(conn, SourceFile(path, key or str(path), mapping))

    return run
