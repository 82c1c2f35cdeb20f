"""GET /auth/config (public): the pool the site signs in with, or null; and the local pool `make run`
provisions (idempotent, the admin's password kept 0600 and reusable)."""

from __future__ import annotations

import stat

from chalice.test import Client


def test_auth_config_is_null_without_a_pool(monkeypatch):
    from app import app

    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID", "PF_COGNITO_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    with Client(app) as client:
        response = client.http.get("/auth/config")
    assert response.status_code == 200
    assert response.json_body == {"cognito": None}


def test_auth_config_names_the_pool_client_and_endpoint(monkeypatch):
    from app import app

    monkeypatch.setenv("PF_COGNITO_USER_POOL_ID", "eu-west-1_abc")
    monkeypatch.setenv("PF_COGNITO_CLIENT_ID", "client123")
    monkeypatch.setenv("PF_COGNITO_REGION", "eu-west-1")
    monkeypatch.delenv("PF_COGNITO_ENDPOINT", raising=False)
    with Client(app) as client:
        response = client.http.get("/auth/config")
    assert response.json_body == {"cognito": {
        "region": "eu-west-1", "user_pool_id": "eu-west-1_abc", "client_id": "client123",
        "endpoint": "https://cognito-idp.eu-west-1.amazonaws.com"}}
    monkeypatch.setenv("PF_COGNITO_ENDPOINT", "http://127.0.0.1:5000/")
    with Client(app) as client:
        assert client.http.get("/auth/config").json_body["cognito"]["endpoint"] == "http://127.0.0.1:5000"


def test_local_pool_is_provisioned_once_and_its_admin_signs_in(cognito, tmp_path):
    from predictfluence import identity
    from predictfluence.config import get_settings
    from predictfluence_tools.devstack import cognito as local_cognito

    pool = cognito["pool"]
    settings = get_settings()
    assert (settings.cognito_user_pool_id, settings.cognito_client_id) == (pool.user_pool_id, pool.client_id)
    assert settings.cognito_endpoint == cognito["endpoint"]
    again = local_cognito.provision(cognito["endpoint"])  # a restart: same pool, client and password
    assert again == pool
    password_file = tmp_path / "dev-admin-password"
    assert password_file.read_text().strip() == pool.admin_password
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    groups = identity.client().list_groups(UserPoolId=pool.user_pool_id)["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["admin", "manager", "viewer"]
    admin = identity.get_user("admin@predictfluence.local")
    assert (admin.role, admin.status, admin.enabled) == ("admin", "CONFIRMED", True)
    result = cognito["sign_in"](pool.admin_email, pool.admin_password)
    assert result["IdToken"].count(".") == 2


def test_an_endpoint_without_cognito_leaves_api_keys_only(monkeypatch, tmp_path, db):
    """LocalStack's community edition serves S3 and SQS but not Cognito: `make run` goes on without a pool
    (GET /auth/config answers null) and says so, instead of failing to start."""
    from predictfluence.config import get_settings
    from predictfluence_tools.devstack.stack import Stack, StackOptions

    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID", "PF_COGNITO_ENDPOINT", "PF_COGNITO_REGION"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    stack = Stack(StackOptions())
    stack._start_cognito("http://127.0.0.1:9", own_server=False)
    assert stack.pool is None
    assert stack.started == ["Cognito          not served by http://127.0.0.1:9 (EndpointConnectionError): "
                             "API keys only"]
    assert not get_settings().cognito_configured
    assert not (tmp_path / "cognito.json").exists()
