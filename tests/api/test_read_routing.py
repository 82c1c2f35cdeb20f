"""Reads from a reader (issue 16.4): with DATABASE_READ_URL set, GET requests read it, writes and
read-your-writes requests read the writer, API keys are always checked on the writer, and the reader's
sessions are read-only. The "replica" is a second migrated database with different contents, so every
answer shows which database it came from."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

ADD_CAMPAIGN = sa.text("INSERT INTO campaign (name, budget) VALUES (:name, 1000)")


@pytest.fixture(scope="module")
def replica_url(database_url: URL) -> Iterator[URL]:
    from predictfluence.db import create_engine
    from predictfluence.queries.rollups import refresh
    from predictfluence_tools import migrate
    from predictfluence_tools.scratchdb import scratch_database

    with scratch_database(database_url, "pf_replica") as url:
        engine = create_engine(url)
        migrate.upgrade(engine)
        with engine.begin() as conn:
            conn.execute(ADD_CAMPAIGN, {"name": "On the reader only"})
        refresh(engine, concurrently=False)
        engine.dispose()
        yield url


@pytest.fixture()
def reader(api_db: Engine, replica_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[URL]:
    from predictfluence.config import reset_settings
    from predictfluence.db import set_engine

    with api_db.begin() as conn:
        conn.execute(ADD_CAMPAIGN, {"name": "On the writer only"})
    monkeypatch.setenv("DATABASE_READ_URL", replica_url.render_as_string(hide_password=False))
    reset_settings()
    set_engine(api_db)  # forget any reader made under other settings
    yield replica_url
    monkeypatch.undo()
    reset_settings()
    set_engine(api_db)


def _names(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [c["name"] for c in json.loads(response.body)["items"]]


def test_get_reads_the_reader_and_the_key_is_checked_on_the_writer(reader, client, auth):
    # the viewer's key exists only on the writer: it still authenticates
    assert _names(client.http.get("/campaigns", headers=auth["viewer"])) == ["On the reader only"]


def test_read_your_writes_header_reads_the_writer(reader, client, auth):
    headers = {**auth["viewer"], "X-Read-Your-Writes": "1"}
    assert _names(client.http.get("/campaigns", headers=headers)) == ["On the writer only"]


def test_writes_go_to_the_writer_and_a_following_consistent_read_sees_them(reader, client, auth, api_db):
    created = client.http.post("/campaigns", headers=auth["manager"], body='{"name": "Just created"}')
    assert created.status_code == 201, created.body
    with api_db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM campaign WHERE name = 'Just created'")).scalar_one() == 1
    assert "Just created" not in _names(client.http.get("/campaigns", headers=auth["viewer"]))
    consistent = {**auth["viewer"], "X-Read-Your-Writes": "1"}
    assert "Just created" in _names(client.http.get("/campaigns", headers=consistent))


def test_reader_sessions_are_read_only(reader):
    from predictfluence.db import get_engine, reading_from_reader

    with reading_from_reader(), get_engine().connect() as conn:
        assert conn.execute(sa.text("SHOW transaction_read_only")).scalar_one() == "on"
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.execute(ADD_CAMPAIGN, {"name": "must fail"})


def test_without_a_reader_every_request_reads_the_writer(api_db, client, auth, monkeypatch):
    from predictfluence.config import reset_settings
    from predictfluence.db import get_engine, reading_from_reader, set_engine, writer_engine

    monkeypatch.delenv("DATABASE_READ_URL", raising=False)  # tests/conftest.py sets one for every test
    reset_settings()
    set_engine(api_db)
    with api_db.begin() as conn:
        conn.execute(ADD_CAMPAIGN, {"name": "On the writer only"})
    with reading_from_reader():
        assert get_engine() is writer_engine()
    assert _names(client.http.get("/campaigns", headers=auth["viewer"])) == ["On the writer only"]
    monkeypatch.undo()
    reset_settings()
    set_engine(api_db)


@pytest.mark.parametrize(("method", "headers", "expected"), [
    ("GET", {}, True), ("HEAD", {}, True), ("GET", {"x-read-your-writes": "1"}, False),
    ("POST", {}, False), ("PATCH", {}, False), ("DELETE", {}, False),
])
def test_which_requests_may_read_the_reader(method, headers, expected):
    from predictfluence.api.read_routing import reads_from_reader

    assert reads_from_reader(method, headers) is expected
