"""Shared fixtures: a throw-away PostgreSQL database per test session, isolated tables per test, moto.

The server is DATABASE_URL when set (CI points it at the machine's PostgreSQL) or an embedded
PostgreSQL in .data/pg-test. Each session creates its own database `pf_test_<random>`,
migrates it with Alembic and drops it at the end, so concurrent runs never collide.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.pop("AWS_PROFILE", None)

# Retraining without Lambda runs the retrain handler in a thread, as app.py sets it up (tests that call
# predictfluence.retraining without importing app.py get the same).
from functions.events.retrain import handle_retrain  # noqa: E402
from predictfluence import retraining  # noqa: E402

retraining.set_local_runner(handle_retrain)


def _server_url(tmp_path_factory: pytest.TempPathFactory) -> URL:
    from predictfluence.config import PROJECT_ROOT
    from predictfluence.db import normalize_url
    from predictfluence_tools.localdb import embedded_url

    if os.environ.get("DATABASE_URL"):
        return normalize_url(os.environ["DATABASE_URL"])
    # A fixed, gitignored folder rather than pytest's tmp dirs: pytest prunes old basetemp folders,
    # which would pull the data directory from under a concurrent session. Sessions share the server
    # (pgserver tracks its users) and each creates its own database.
    return embedded_url(PROJECT_ROOT / ".data" / "pg-test")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[URL]:
    from predictfluence_tools.scratchdb import scratch_database

    with scratch_database(_server_url(tmp_path_factory), "pf_test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: URL) -> Iterator[Engine]:
    from predictfluence.config import reset_settings
    from predictfluence.db import create_engine, set_engine
    from predictfluence_tools import migrate

    eng = create_engine(database_url)
    migrate.upgrade(eng)
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url.render_as_string(hide_password=False)
    # The API's GET requests read "the reader", here the same database through read-only sessions: a GET
    # that writes fails in every test, as it would against an Aurora replica (predictfluence.db).
    previous_reader = os.environ.get("DATABASE_READ_URL")
    os.environ["DATABASE_READ_URL"] = os.environ["DATABASE_URL"]
    reset_settings()
    set_engine(eng)
    yield eng
    set_engine(None)
    eng.dispose()
    for name, value in (("DATABASE_URL", previous), ("DATABASE_READ_URL", previous_reader)):
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    reset_settings()


@pytest.fixture()
def db_today(engine: Engine):
    """PostgreSQL's `current_date` (a datetime.date), the date the ETL's range checks use. Python's
    date.today() is the machine's local date and may differ from the database session's around midnight."""
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT current_date")).scalar_one()


@pytest.fixture()
def db(engine: Engine) -> Iterator[Engine]:
    """The migrated test database, emptied after the test."""
    from predictfluence.models import Base

    yield engine
    tables = ", ".join(f'"{t}"' for t in Base.metadata.tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """moto's in-process AWS with the raw and models buckets created."""
    import boto3
    from moto import mock_aws

    from predictfluence.config import reset_settings
    from predictfluence.storage import reset_clients

    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("PF_RAW_BUCKET", "pf-test-raw")
    monkeypatch.setenv("PF_MODELS_BUCKET", "pf-test-models")
    reset_settings()
    reset_clients()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="pf-test-raw")
        s3.create_bucket(Bucket="pf-test-models")
        yield {"raw_bucket": "pf-test-raw", "models_bucket": "pf-test-models"}
    reset_clients()
    reset_settings()
