"""The embedded PostgreSQL (pgserver) that local commands use when DATABASE_URL is unset.

The runtime (`predictfluence.db.database_url`) knows only DATABASE_URL and the Secrets Manager secret. The
CLI and the local stack call `use_embedded_unless_configured()` before they touch the database: with
neither configured it starts (or attaches to) the server in `settings.embedded_pg_dir` (.data/pg) and
sets DATABASE_URL to its URL, so everything after it — the runtime, Alembic, child processes — uses it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from predictfluence.config import get_settings, reset_settings

if TYPE_CHECKING:  # sqlalchemy is imported when the server is started: `--help` stays fast
    from sqlalchemy.engine import URL

_F = TypeVar("_F", bound=Callable)
_embedded: Path | None = None  # the data folder, once this process pointed DATABASE_URL at it


def embedded_url(data_dir: Path) -> URL:
    """Start (or attach to) the embedded PostgreSQL in `data_dir` and return its pg8000 URL.

    pgserver listens on a unix socket only; pg8000 takes the socket path as `unix_sock`.
    """
    import pgserver  # dev-only dependency: never needed when DATABASE_URL is set
    from sqlalchemy.engine import make_url

    data_dir.mkdir(parents=True, exist_ok=True)
    pgserver.get_server(str(data_dir), cleanup_mode="stop")
    return make_url(f"postgresql+pg8000://postgres@/postgres?unix_sock={data_dir}/.s.PGSQL.5432")


def use_embedded_unless_configured() -> None:
    """With neither DATABASE_URL nor PF_DB_SECRET_ARN set, start the embedded server and set DATABASE_URL
    to it (settings are re-read). A no-op otherwise, and on every call after the first."""
    global _embedded
    settings = get_settings()
    if settings.database_url or settings.db_secret_arn:
        return
    url = embedded_url(settings.embedded_pg_dir)
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    reset_settings()
    _embedded = settings.embedded_pg_dir


def embedded_dir() -> Path | None:
    """The embedded server's data folder when this process uses it, else None (DATABASE_URL was given)."""
    return _embedded


def database_url() -> URL:
    """DATABASE_URL, else the secret, else the embedded server (benchmarks, scripts)."""
    from predictfluence.db import database_url as runtime_url

    use_embedded_unless_configured()
    return runtime_url()


def needs_database(command: _F) -> _F:
    """Decorate a CLI command that touches the database: the embedded server is started first when
    DATABASE_URL is unset (and only then: `--help` and `demo-data` never start it)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        use_embedded_unless_configured()
        return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
