"""A database restart while the API serves: 503 JSON during the outage, 200 again afterwards from the same
app object (pool_pre_ping replaces the dead pooled connections), and no acknowledged write lost.

The machine's shared PostgreSQL (127.0.0.1:5432) is never touched: the test starts a private embedded
PostgreSQL (pgserver) in a folder of its own under the system temp dir, points the process-wide engine at it, and stops / starts that
server with pgserver's bundled pg_ctl (`-m fast`, which terminates every open connection).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from chalice.test import Client


class PrivatePostgres:
    def __init__(self, folder: Path) -> None:
        import pgserver

        self.server = pgserver.get_server(str(folder), cleanup_mode="stop")
        socket_dir = parse_qs(urlparse(self.server.get_uri()).query)["host"][0]
        self.url = f"postgresql+pg8000://postgres@/postgres?unix_sock={socket_dir}/.s.PGSQL.5432"

    def stop(self) -> None:
        from pgserver import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self) -> None:
        self.server.ensure_postgres_running()


@pytest.fixture()
def private_pg() -> Iterator[PrivatePostgres]:
    # not under pytest's tmp_path: run as root, pgserver starts postgres as its own user, and every pytest
    # session started meanwhile on the machine resets /tmp/pytest-of-root to 0700 — that user then could not
    # reach its data directory ("pg_ctl: could not access directory …: Permission denied")
    folder = Path(tempfile.mkdtemp(prefix="pf-private-pg-"))
    try:
        pg = PrivatePostgres(folder)
        yield pg
        pg.server.cleanup()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture()
def api_on_private_pg(private_pg: PrivatePostgres, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from predictfluence.api.auth import create_key
    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine, get_engine, set_engine
    from predictfluence.queries.rollups import refresh
    from predictfluence_tools import migrate

    previous = get_engine()
    engine = create_engine(private_pg.url)  # the app's own settings: pool_pre_ping=True
    migrate.upgrade(engine)
    refresh(engine, concurrently=False)
    # reads too go to the private server (tests/conftest.py points DATABASE_READ_URL at the session's database)
    monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    reset_settings()
    set_engine(engine)
    try:
        from app import app

        keys = {role: create_key(role, role)[0] for role in ("viewer", "manager")}
        with Client(app) as client:
            yield {"client": client, "pg": private_pg, "engine": engine,
                   "auth": {r: {"Authorization": f"Bearer {k}", "Content-Type": "application/json"}
                            for r, k in keys.items()}}
    finally:
        monkeypatch.undo()
        reset_settings()
        set_engine(previous)
        engine.dispose()


def _assert_503_json(response: Any) -> None:
    assert response.status_code == 503, response.body
    assert response.headers.get("Content-Type", response.headers.get("content-type")) == "application/json", \
        response.headers
    body = json.loads(response.body)
    if "error" in body:  # every API route
        assert body["error"]["code"] == "service_unavailable"
        assert body["error"]["message"] == "The database is unavailable; retry shortly."
    else:  # /health/ready
        assert body["status"] == "degraded" and body["database"].startswith("unavailable: ")


def test_database_restart_gives_503_then_recovers_without_losing_writes(api_on_private_pg: dict[str, Any]) -> None:
    client, pg, auth = api_on_private_pg["client"], api_on_private_pg["pg"], api_on_private_pg["auth"]
    created = client.http.post("/campaigns", headers=auth["manager"], body='{"name": "Before outage", "budget": 500}')
    assert created.status_code == 201
    campaign_id = created.json_body["id"]
    assert client.http.get("/influencers", headers=auth["viewer"]).status_code == 200  # the pool holds connections

    pg.stop()
    outage = [
        client.http.get("/influencers", headers=auth["viewer"]),
        client.http.get(f"/campaigns/{campaign_id}/summary", headers=auth["viewer"]),
        client.http.get("/analytics/kpis", headers=auth["viewer"]),
        client.http.post("/campaigns", headers=auth["manager"], body='{"name": "During outage"}'),
        client.http.get("/health/ready", headers=auth["viewer"]),  # /health itself makes no database call
    ]
    for response in outage:
        _assert_503_json(response)
    assert client.http.get("/health").json_body == {"status": "ok"}  # shallow: the function itself is up

    pg.start()
    again = client.http.get(f"/campaigns/{campaign_id}", headers=auth["viewer"])
    assert again.status_code == 200
    assert (again.json_body["name"], again.json_body["budget"]) == ("Before outage", 500.0)
    assert client.http.get("/health/ready", headers=auth["viewer"]).status_code == 200
    assert client.http.get("/influencers", headers=auth["viewer"]).status_code == 200
    after = client.http.post("/campaigns", headers=auth["manager"], body='{"name": "After outage"}')
    assert after.status_code == 201
    names = [c["name"] for c in client.http.get("/campaigns", headers=auth["viewer"]).json_body["items"]]
    assert sorted(names) == ["After outage", "Before outage"]  # the 503'd write was not half-applied
