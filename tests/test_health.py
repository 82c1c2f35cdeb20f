from __future__ import annotations

import pytest
from chalice.test import Client

from app import app


def _broken_engine():
    from predictfluence.db import create_engine

    return create_engine("postgresql://postgres@127.0.0.1:1/none", pool_pre_ping=False)


def test_health_is_shallow_and_public(db, monkeypatch: pytest.MonkeyPatch):
    import predictfluence.db as dbmod
    import predictfluence.health as checks

    def no_database(*args, **kwargs):
        raise AssertionError("GET /health must not touch the database")

    monkeypatch.setattr(dbmod, "get_engine", no_database)
    monkeypatch.setattr(checks, "get_engine", no_database)
    with Client(app) as client:
        response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
    assert response.headers["Content-Type"] == "application/json"


def test_health_stays_up_when_the_database_is_down(db):
    from predictfluence.db import get_engine, set_engine

    working, broken = get_engine(), _broken_engine()
    set_engine(broken)
    try:
        with Client(app) as client:
            response = client.http.get("/health")
    finally:
        set_engine(working)
        broken.dispose()
    assert (response.status_code, response.json_body) == (200, {"status": "ok"})


def test_readiness_checks_the_database_behind_a_key(db):
    from predictfluence.api.auth import create_key
    from predictfluence.db import get_engine, set_engine

    key, _ = create_key("viewer", "probe")
    headers = {"Authorization": f"Bearer {key}"}
    with Client(app) as client:
        assert client.http.get("/health/ready").status_code == 401
        ok = client.http.get("/health/ready", headers=headers)
        assert (ok.status_code, ok.json_body) == (200, {"status": "ok", "database": "ok"})
        working, broken = get_engine(), _broken_engine()
        downs = []
        for reader in (None, broken):  # the writer down with a working reader, then both down
            set_engine(broken, reader=reader)
            try:
                downs.append(client.http.get("/health/ready", headers=headers))  # the key is in the 5 s cache
            finally:
                set_engine(working)
        broken.dispose()
    for down in downs:
        assert down.status_code == 503
        assert down.json_body["status"] == "degraded" and down.json_body["database"].startswith("unavailable: ")
