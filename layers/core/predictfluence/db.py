"""The database engine (SQLAlchemy Core: queries are `text()` statements, no ORM sessions).

`DATABASE_URL` selects any PostgreSQL server (Aurora, RDS Proxy, a local server); in AWS the functions
read the Secrets Manager secret PF_DB_SECRET_ARN instead. The runtime needs one of the two: the embedded
PostgreSQL that local commands use when DATABASE_URL is unset lives in the tools
(`predictfluence_tools.localdb`), which set DATABASE_URL to it before they touch the runtime. The driver
is always pg8000; there is no SQLite code path.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from predictfluence.config import get_settings

_engine: Engine | None = None


EXPECTED_URL_FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"


class DatabaseURLError(ValueError):
    """DATABASE_URL cannot be parsed or is not a PostgreSQL URL (the message never repeats the URL: it may
    hold a password)."""


def normalize_url(url: str | URL) -> URL:
    """Accept `postgres://`, `postgresql://` or `postgresql+<driver>://` and always use pg8000."""
    if isinstance(url, str):
        try:
            parsed = make_url(url)
        except (sa.exc.ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            reason = "the port is not a number" if isinstance(exc, ValueError) else "it cannot be parsed"
            raise DatabaseURLError(f"DATABASE_URL is malformed ({reason}); expected {EXPECTED_URL_FORM}") from exc
    else:
        parsed = url
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise DatabaseURLError(
            f"DATABASE_URL must be a PostgreSQL URL, got {parsed.get_backend_name()!r}; expected {EXPECTED_URL_FORM}"
        )
    return parsed.set(drivername="postgresql+pg8000")


def secret_url(secret_arn: str, host: str | None = None, database: str | None = None) -> URL:
    """The URL from a Secrets Manager database secret (RDS's JSON shape: username, password, host, port,
    dbname). `host` overrides the secret's (the RDS Proxy endpoint instead of the cluster's). boto3 is
    imported only here, through `storage`."""
    from predictfluence import storage

    secret = json.loads(storage.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    return URL.create(
        "postgresql+pg8000",
        username=secret["username"],
        password=secret["password"],
        host=host or secret["host"],
        port=int(secret.get("port") or 5432),
        database=database or secret.get("dbname") or "postgres",
    )


def database_url() -> URL:
    """DATABASE_URL, else the Secrets Manager secret PF_DB_SECRET_ARN (AWS). Locally the tools set
    DATABASE_URL (to the embedded server when the user gave none) before they get here."""
    settings = get_settings()
    if settings.database_url:
        return normalize_url(settings.database_url)
    if settings.db_secret_arn:
        return secret_url(settings.db_secret_arn, settings.db_host, settings.db_name)
    raise DatabaseURLError(
        f"DATABASE_URL is not set (nor PF_DB_SECRET_ARN); expected {EXPECTED_URL_FORM} "
        "(the predictfluence command and `make run` use an embedded server when it is unset)"
    )


def connect_args() -> dict:
    """pg8000 speaks TLS only when given an SSL context; RDS Proxy requires TLS (PF_DB_TLS=1). Its
    certificates chain to Amazon's public roots, so the default context verifies them."""
    if not get_settings().db_tls:
        return {}
    import ssl

    return {"ssl_context": ssl.create_default_context()}


def create_engine(url: str | URL | None = None, **kwargs) -> Engine:
    target = normalize_url(url) if url is not None else database_url()
    options = {"pool_pre_ping": True, "pool_recycle": 1800}
    if url is None and (args := connect_args()):
        options["connect_args"] = args
    if "poolclass" not in kwargs:
        options.update(pool_size=5, max_overflow=5)
    options.update(kwargs)
    return sa.create_engine(target, **options)


def get_engine() -> Engine:
    """The process-wide engine (kept across warm Lambda invocations)."""
    global _engine
    if _engine is None:
        _engine = create_engine()
    return _engine


def current_url() -> URL | None:
    """The URL of the process-wide engine, when one was made (error messages name its host and port)."""
    return _engine.url if _engine is not None else None


def set_engine(engine: Engine | None) -> None:
    """Use `engine` for everything in this process (tests, the dev stack)."""
    global _engine
    _engine = engine


def require_migrated(engine: Engine | None = None) -> None:
    """Fail fast before long work: connect and read alembic_version. Raises the driver's error when the
    server is unreachable, and ProgrammingError (SQLSTATE 42P01) when the database was never migrated;
    the CLI turns both into one line."""
    with (engine or get_engine()).connect() as conn:
        conn.execute(sa.text("SELECT version_num FROM alembic_version"))
