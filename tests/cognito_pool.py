"""Fixtures: a Cognito user pool on moto's server (a real HTTP endpoint: the API fetches the pool's JWKS from it),
provisioned as `make run` does it (predictfluence_tools.devstack.cognito), and ID tokens per role."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture()
def cognito(moto_endpoint, monkeypatch, tmp_path, db) -> Iterator[dict[str, Any]]:
    """The local pool (PF_COGNITO_* set), its admin, and `token(email, role)` → an ID token for a user
    created in that role's group (None: no group)."""
    from predictfluence import identity
    from predictfluence.api import tokens
    from predictfluence.config import reset_settings
    from predictfluence_tools.devstack import cognito as local_cognito

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path))
    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID", "PF_COGNITO_ENDPOINT", "PF_COGNITO_REGION"):
        monkeypatch.setenv(name, "")  # recorded, so that what provision() sets is undone after the test
    monkeypatch.setattr(local_cognito, "POOL_NAME", f"pf-test-{tmp_path.name}")
    pool = local_cognito.provision(moto_endpoint)
    tokens.forget()

    def sign_in(email: str, password: str) -> dict[str, str]:
        return identity.client().initiate_auth(
            AuthFlow="USER_PASSWORD_AUTH", ClientId=pool.client_id,
            AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]

    def token(email: str, role: str | None) -> str:
        password = identity.temporary_password()
        client = identity.client()
        client.admin_create_user(UserPoolId=pool.user_pool_id, Username=email, MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": email}], TemporaryPassword=password)
        client.admin_set_user_password(UserPoolId=pool.user_pool_id, Username=email, Password=password,
                                       Permanent=True)
        if role is not None:
            client.admin_add_user_to_group(UserPoolId=pool.user_pool_id, Username=email, GroupName=role)
        return sign_in(email, password)["IdToken"]

    helpers: dict[str, Callable[..., Any]] = {"token": token, "sign_in": sign_in}
    yield {"pool": pool, "endpoint": moto_endpoint, **helpers}
    tokens.forget()
    reset_settings()
