"""Auth (401/403 through the real authorizer path), validation errors (400/422), 404, 500, 503, CORS."""

from __future__ import annotations

import json
import logging

import pytest

from app import app

PUBLIC = {"/health", "/auth/config", "/openapi.json", "/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css"}
WRITES = {"POST", "PATCH", "DELETE", "PUT"}


def _protected_routes() -> list[tuple[str, str]]:
    return sorted((path, method) for path, methods in app.routes.items() for method in methods
                  if path not in PUBLIC)


def _concrete(path: str) -> str:
    return path.replace("{campaign_id}", "1").replace("{influencer_id}", "1").replace("{load_id}", "1") \
        .replace("{key_id}", "1")


def _call(client, method: str, path: str, headers: dict[str, str], body: str = "{}"):
    kwargs = {"headers": {**headers, "Content-Type": "application/json"}}
    if method in WRITES:
        kwargs["body"] = body
    return client.http.request(method, path, **kwargs)


def test_every_non_public_route_uses_the_authorizer():
    for path, method in _protected_routes():
        assert app.routes[path][method].authorizer is not None, (method, path)
    for path in PUBLIC:
        assert all(entry.authorizer is None for entry in app.routes[path].values())


@pytest.mark.parametrize(("path", "method"), _protected_routes())
def test_no_key_is_401(client, api_db, path, method):
    response = _call(client, method, _concrete(path), {})
    assert response.status_code == 401


@pytest.mark.parametrize(("path", "method"), _protected_routes())
def test_unknown_key_is_401_in_the_api_error_shape(client, api_db, path, method):
    response = _call(client, method, _concrete(path), {"Authorization": "Bearer pfk_000000000000_nope"})
    assert response.status_code == 401
    assert response.json_body["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "pfk_short", "Bearer ' OR 1=1 --"])
def test_malformed_authorization_is_401(client, api_db, header):
    assert client.http.get("/influencers", headers={"Authorization": header}).status_code == 401


def test_revoked_key_is_401(client, auth, keys, api_db):
    from predictfluence.api.auth import key_prefix, revoke_key

    assert client.http.get("/influencers", headers=auth["viewer"]).status_code == 200
    revoke_key(key_prefix(keys["viewer"]))  # type: ignore[arg-type]
    assert client.http.get("/influencers", headers=auth["viewer"]).status_code == 401


def test_a_bare_key_without_bearer_is_accepted(client, keys, api_db):
    assert client.http.get("/influencers", headers={"Authorization": keys["viewer"]}).status_code == 200


@pytest.mark.parametrize(("path", "method"), [r for r in _protected_routes() if r[1] in WRITES])
def test_viewer_writing_is_403(client, auth, path, method):
    response = _call(client, method, _concrete(path), auth["viewer"])
    assert response.status_code == 403
    assert response.json_body["error"]["code"] == "forbidden"
    assert response.json_body["error"]["details"]["role"] == "viewer"


def test_manager_writes_but_only_admin_manages_keys(client, auth, api_db):
    assert client.http.post("/campaigns", headers=auth["manager"], body='{"name": "m"}').status_code == 201
    assert client.http.get("/keys", headers=auth["manager"]).status_code == 403
    assert client.http.post("/keys", headers=auth["manager"], body='{"role": "admin"}').status_code == 403
    listed = client.http.get("/keys", headers=auth["admin"]).json_body
    assert [(k["id"], k["role"], k["name"]) for k in listed["items"]] == [
        (1, "viewer", "test viewer"), (2, "manager", "test manager"), (3, "admin", "test admin")]
    assert all("key_hash" not in k and "key" not in k for k in listed["items"])


def test_admin_creates_and_revokes_keys(client, auth, api_db):
    created = client.http.post("/keys", headers=auth["admin"], body='{"role": "viewer", "name": "dashboard"}')
    assert created.status_code == 201
    new_key = created.json_body["key"]
    assert new_key.startswith("pfk_" + created.json_body["prefix"] + "_")
    assert client.http.get("/analytics/kpis", headers={"Authorization": f"Bearer {new_key}"}).status_code == 200
    revoked = client.http.delete(f"/keys/{created.json_body['id']}", headers=auth["admin"])
    assert revoked.status_code == 200 and revoked.json_body["revoked_at"] is not None
    assert client.http.get("/analytics/kpis", headers={"Authorization": f"Bearer {new_key}"}).status_code == 401
    assert client.http.delete("/keys/999", headers=auth["admin"]).status_code == 404


def test_the_key_is_stored_hashed(keys, api_db):
    import sqlalchemy as sa

    with api_db.connect() as conn:
        stored = conn.execute(sa.text("SELECT prefix, key_hash FROM api_key")).all()
    assert len(stored) == 3
    for prefix, key_hash in stored:
        assert all(key_hash != k and key_hash not in k for k in keys.values())
        assert len(key_hash) == 64 and len(prefix) == 12


def test_direct_invocation_without_the_authorizer_checks_the_header_itself(auth, api_db):
    """A Lambda invoked without API Gateway's authorizer context still enforces keys and roles."""

    def invoke(method: str, headers: dict[str, str]) -> dict:
        event = {"resource": "/analytics/kpis", "path": "/analytics/kpis", "httpMethod": method,
                 "headers": headers, "multiValueHeaders": {}, "queryStringParameters": None,
                 "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
                 "body": None, "isBase64Encoded": False,
                 "requestContext": {"resourcePath": "/analytics/kpis", "httpMethod": method, "path": "/analytics/kpis",
                                    "stage": "api", "requestId": "r", "identity": {"sourceIp": "127.0.0.1"}}}
        return app(event, None)

    assert invoke("GET", {})["statusCode"] == 401
    assert invoke("GET", {"authorization": "Bearer pfk_000000000000_x"})["statusCode"] == 401
    assert invoke("GET", {"authorization": auth["viewer"]["Authorization"]})["statusCode"] == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/influencers?page_size=201", "page_size"),
        ("/influencers?page_size=0", "page_size"),
        ("/influencers?page=abc", "page"),
        ("/influencers?min_followers=-1", "min_followers"),
        ("/influencers?min_followers=10&max_followers=5", "query"),
        ("/influencers?tier=giga", "tier"),
        ("/influencers?sort=followers;DROP TABLE influencer", "sort"),
        ("/influencers?sort=(SELECT 1)", "sort"),
        ("/influencers?order=sideways", "order"),
        ("/influencers?colour=red", "colour"),
        ("/influencers?platform=", "platform"),
        ("/influencers?q=%00", "q"),
        ("/influencers?q=ab", "q"),
        ("/campaigns?status=running", "status"),
        ("/analytics/engagement-trend?days=0", "days"),
        ("/analytics/engagement-trend?end_date=yesterday", "end_date"),
        ("/analytics/demographics", "dimension"),
        ("/analytics/demographics?dimension=religion", "dimension"),
        ("/analytics/top-campaigns?limit=1000", "limit"),
        ("/etl/loads?status=done", "status"),
        ("/influencers/1/similar?limit=51", "limit"),
        ("/analytics/kpis?x=1", "x"),
    ],
)
def test_bad_query_parameters_are_400_naming_the_field(client, auth, api_db, path, field):
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 400, response.body
    error = response.json_body["error"]
    assert error["code"] == "bad_request"
    assert field in [d["field"] for d in error["details"]]


@pytest.mark.parametrize("path", ["/influencers/abc", "/influencers/0", "/influencers/-1",
                                  "/influencers/99999999999999999999", "/campaigns/1.5/summary"])
def test_bad_path_ids_are_400(client, auth, api_db, path):
    response = client.http.get(path, headers=auth["viewer"])
    assert response.status_code == 400
    assert response.json_body["error"]["details"][0]["in"] == "path"


@pytest.mark.parametrize(
    "value",
    ["' OR '1'='1", "1; DROP TABLE influencer; --", "\") UNION SELECT * FROM api_key --", "%' --", "\\", "_%_"],
)
def test_sql_injection_in_filters_is_harmless(client, auth, dataset, value):
    from urllib.parse import quote

    for param in ("q", "platform", "category", "country"):
        response = client.http.get(f"/influencers?{param}={quote(value)}", headers=auth["viewer"])
        assert response.status_code in (200, 400), response.body  # 400: longer than the field allows
        if response.status_code == 200:
            assert response.json_body["items"] == []
    assert client.http.get(f"/campaigns?q={quote(value)}", headers=auth["viewer"]).json_body["items"] == []
    assert client.http.get("/influencers", headers=auth["viewer"]).json_body["page_info"]["total"] == 5


def test_unexpected_exception_is_a_logged_json_500_without_internals(client, auth, api_db, monkeypatch, caplog):
    from predictfluence.queries import analytics

    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(analytics, "kpis", boom)
    with caplog.at_level(logging.ERROR, logger="predictfluence.api"):
        response = client.http.get("/analytics/kpis", headers=auth["viewer"])
    assert response.status_code == 500
    assert response.json_body == {"error": {"code": "internal_error",
                                            "message": "Unexpected server error; it has been logged.",
                                            "details": None}}
    assert "hunter2" not in response.body.decode()
    assert any("hunter2" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_database_outage_is_503_json(client, auth, api_db):
    from predictfluence.db import create_engine, get_engine, set_engine

    assert client.http.get("/influencers", headers=auth["viewer"]).status_code == 200  # the key is verified
    working = get_engine()
    broken = create_engine("postgresql://postgres@127.0.0.1:1/none", pool_pre_ping=False)
    set_engine(broken, reader=broken)  # the writer and its reader are both down
    try:
        response = client.http.get("/influencers", headers=auth["viewer"])  # within the key cache's TTL
        ready = client.http.get("/health/ready", headers=auth["viewer"])
        health = client.http.get("/health")
    finally:
        set_engine(working)
        broken.dispose()
    assert response.status_code == 503
    assert response.json_body["error"]["code"] == "service_unavailable"
    assert ready.status_code == 503
    assert health.status_code == 200  # liveness makes no database call


def test_cors_allows_the_configured_front_end_origin(client, auth, api_db):
    from predictfluence.config import get_settings

    response = client.http.get("/influencers", headers={**auth["viewer"], "Origin": get_settings().cors_origin})
    assert response.headers["Access-Control-Allow-Origin"] == get_settings().cors_origin
    assert "Authorization" in response.headers["Access-Control-Allow-Headers"]
    assert "X-Read-Your-Writes" in response.headers["Access-Control-Allow-Headers"]  # the site's consistent reads
    error = client.http.get("/influencers/999", headers=auth["viewer"])
    assert error.headers["Access-Control-Allow-Origin"] == get_settings().cors_origin
    # preflights are answered by API Gateway (and chalice local) from the routes' CORS config
    for path, methods in app.routes.items():
        for entry in methods.values():
            if path != "/health":
                assert entry.cors.allow_origin == get_settings().cors_origin


def test_error_bodies_are_json(client, auth, api_db):
    response = client.http.get("/influencers/999", headers=auth["viewer"])
    assert response.headers["Content-Type"] == "application/json"
    assert set(json.loads(response.body)["error"]) == {"code", "message", "details"}
