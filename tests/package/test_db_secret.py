"""In AWS the functions build their database URL from the Secrets Manager secret (PF_DB_SECRET_ARN) and
the RDS Proxy endpoint (PF_DB_HOST) that infra/resources.json passes them, over TLS (PF_DB_TLS=1)."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys

import pytest
from moto import mock_aws


@pytest.fixture()
def settings_env(monkeypatch: pytest.MonkeyPatch):
    from predictfluence.config import reset_settings
    from predictfluence.storage import reset_clients

    for name in ("DATABASE_URL", "AWS_ENDPOINT_URL", "PF_DB_SECRET_ARN", "PF_DB_HOST", "PF_DB_NAME", "PF_DB_TLS"):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    reset_clients()
    yield monkeypatch
    reset_settings()
    reset_clients()


def _secret(value: dict) -> str:
    import boto3

    return boto3.client("secretsmanager", region_name="us-east-1").create_secret(
        Name="pf-db", SecretString=json.dumps(value)
    )["ARN"]


def test_url_from_secret_uses_proxy_host(settings_env):
    from predictfluence.config import reset_settings
    from predictfluence.db import database_url

    with mock_aws():
        arn = _secret({"username": "pf", "password": "p@ss:w/rd", "host": "cluster.local", "port": 5432,
                       "dbname": "predictfluence", "engine": "postgres"})
        settings_env.setenv("PF_DB_SECRET_ARN", arn)
        settings_env.setenv("PF_DB_HOST", "proxy.local")
        reset_settings()
        url = database_url()
    assert url.drivername == "postgresql+pg8000"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "pf", "p@ss:w/rd", "proxy.local", 5432, "predictfluence")


def test_secret_host_and_defaults_when_not_overridden(settings_env):
    from predictfluence.config import reset_settings
    from predictfluence.db import database_url

    with mock_aws():
        settings_env.setenv("PF_DB_SECRET_ARN", _secret({"username": "pf", "password": "x", "host": "cluster.local"}))
        settings_env.setenv("PF_DB_NAME", "other")
        reset_settings()
        url = database_url()
    assert (url.host, url.port, url.database) == ("cluster.local", 5432, "other")


def test_database_url_wins_over_secret(settings_env):
    from predictfluence.config import reset_settings
    from predictfluence.db import database_url

    settings_env.setenv("DATABASE_URL", "postgresql://u@db.example:5433/x")
    settings_env.setenv("PF_DB_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:never-read")
    reset_settings()
    assert database_url().host == "db.example"


def test_tls_context_only_when_asked(settings_env):
    from predictfluence.config import reset_settings
    from predictfluence.db import connect_args

    assert connect_args() == {}
    settings_env.setenv("PF_DB_TLS", "1")
    reset_settings()
    context = connect_args()["ssl_context"]
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED


def test_db_module_does_not_import_boto3():
    code = "import sys, predictfluence.db, predictfluence.config; print('boto3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
