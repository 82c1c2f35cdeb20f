"""Revocation within seconds (issue 10, point 8): short, documented cache TTLs; admin routes re-check the
key uncached; a database outage in the authorizer is an uncached error, never an Allow."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from predictfluence.api import limits


def _revoke_elsewhere(db: Any, key: str) -> None:
    """Revoke as another process would (the CLI, another Lambda): in SQL, leaving this process's cache."""
    from predictfluence.api.auth import key_prefix

    with db.begin() as conn:
        conn.execute(sa.text("UPDATE api_key SET revoked_at = now() WHERE prefix = :p"), {"p": key_prefix(key)})


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Control the key cache's clock: now["t"] += seconds."""
    import predictfluence.api.auth as auth

    now = {"t": 1_000.0}

    class _Time:
        @staticmethod
        def monotonic() -> float:
            return now["t"]

    monkeypatch.setattr(auth, "time", _Time)
    auth.forget_verified_keys()
    yield now
    auth.forget_verified_keys()


def test_cache_ttls_are_short_and_wired():
    from app import app
    from predictfluence.api.auth import CACHE_SECONDS

    assert limits.AUTHORIZER_TTL_SECONDS <= 5 and limits.KEY_CACHE_SECONDS <= 5
    # what `chalice package` writes as the authorizer's AuthorizerResultTtlInSeconds
    assert [(h.name, h.ttl_seconds) for h in app.builtin_auth_handlers] == [
        ("api_key_authorizer", limits.AUTHORIZER_TTL_SECONDS)]
    assert CACHE_SECONDS == limits.KEY_CACHE_SECONDS


def test_a_key_revoked_elsewhere_stops_at_once_on_admin_routes(api: dict[str, Any], clock: dict[str, float]):
    from predictfluence.api.auth import create_key

    client = api["client"]
    second_admin, _ = create_key("admin", "second admin")
    headers = {"Authorization": f"Bearer {second_admin}"}
    assert client.http.get("/keys", headers=headers).status_code == 200  # verified and cached
    assert client.http.get("/influencers", headers=headers).status_code == 200
    _revoke_elsewhere(api["db"], second_admin)
    response = client.http.get("/keys", headers=headers)  # same instant: the cache still holds the key
    assert response.status_code == 401 and response.json_body["error"]["code"] == "unauthorized"
    assert client.http.post("/keys", headers=headers, body='{"role": "admin"}').status_code == 401
    assert client.http.delete("/keys/1", headers=headers).status_code == 401


def test_a_key_revoked_elsewhere_stops_everywhere_within_the_cache_ttl(api: dict[str, Any], clock: dict[str, float]):
    from predictfluence.api.auth import create_key

    client = api["client"]
    key, _ = create_key("viewer", "soon revoked")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.http.get("/influencers", headers=headers).status_code == 200
    _revoke_elsewhere(api["db"], key)
    clock["t"] += limits.KEY_CACHE_SECONDS + 0.1
    assert client.http.get("/influencers", headers=headers).status_code == 401


def test_revoking_through_the_api_clears_this_process_at_once(api: dict[str, Any], clock: dict[str, float]):
    from predictfluence.api.auth import create_key

    client = api["client"]
    key, row = create_key("manager", "revoked by admin")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.http.get("/influencers", headers=headers).status_code == 200
    assert client.http.delete(f"/keys/{row['id']}", headers=api["auth"]["admin"]).status_code == 200
    assert client.http.get("/influencers", headers=headers).status_code == 401


def test_a_database_outage_in_the_authorizer_is_an_uncached_error(api: dict[str, Any], clock: dict[str, float]):
    from predictfluence.api.authorizer import api_key_authorizer
    from predictfluence.db import create_engine, get_engine, set_engine

    client, viewer = api["client"], api["auth"]["viewer"]
    event = {"type": "TOKEN", "authorizationToken": viewer["Authorization"],
             "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc/api/GET/influencers"}
    working = get_engine()
    broken = create_engine("postgresql://postgres@127.0.0.1:1/none", pool_pre_ping=False)
    set_engine(broken)
    try:
        assert api_key_authorizer(event, None) is None  # no policy: API Gateway answers 500 and caches nothing
        response = client.http.get("/influencers", headers=viewer)
    finally:
        set_engine(working)
        broken.dispose()
    assert response.status_code == 500
    allowed = api_key_authorizer(event, None)  # the database is back: the next check allows again
    assert allowed["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    assert allowed["context"]["role"] == "viewer"
    assert client.http.get("/influencers", headers=viewer).status_code == 200
