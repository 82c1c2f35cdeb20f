"""API test fixtures: the Chalice test client, API keys per role, the known dataset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from chalice.test import Client


@pytest.fixture()
def api_db(db):
    """The test database with the rollups refreshed (the `db` fixture empties tables, not views)."""
    from predictfluence.queries.rollups import refresh

    refresh(db, concurrently=False)
    return db


@pytest.fixture()
def client(api_db) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture()
def keys(api_db) -> dict[str, str]:
    """One API key per role."""
    from predictfluence.api.auth import create_key

    return {role: create_key(role, f"test {role}")[0] for role in ("viewer", "manager", "admin")}


@pytest.fixture()
def auth(keys) -> dict[str, dict[str, str]]:
    """Request headers per role: auth["viewer"] → {"Authorization": "Bearer …"}."""
    return {role: {"Authorization": f"Bearer {key}"} for role, key in keys.items()}


@pytest.fixture()
def dataset(api_db):
    from tests.api.dataset import load

    load(api_db)
    return api_db
