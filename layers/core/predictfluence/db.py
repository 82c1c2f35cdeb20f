"""Database engine and sessions.

`DATABASE_URL` selects any PostgreSQL server (Aurora, RDS Proxy, a local server). When it is unset the
project starts an embedded PostgreSQL 16 (the `pgserver` package) in a data folder under the project and
reuses it on the next run. The driver is always pg8000; there is no SQLite code path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from predictfluence.config import get_settings

_engine: Engine | None = None
_session_factory: sessionmaker[Session] | None = None


def normalize_url(url: str | URL) -> URL:
    """Accept `postgres://`, `postgresql://` or `postgresql+<driver>://` and always use pg8000."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got {parsed.get_backend_name()!r}")
    return parsed.set(drivername="postgresql+pg8000")


def embedded_url(data_dir: Path) -> URL:
    """Start (or attach to) the embedded PostgreSQL in `data_dir` and return its pg8000 URL.

    pgserver listens on a unix socket only; pg8000 takes the socket path as `unix_sock`.
    """
    import pgserver  # dev-only dependency: never needed when DATABASE_URL is set

    data_dir.mkdir(parents=True, exist_ok=True)
    pgserver.get_server(str(data_dir), cleanup_mode="stop")
    return make_url(f"postgresql+pg8000://postgres@/postgres?unix_sock={data_dir}/.s.PGSQL.5432")


def database_url() -> URL:
    settings = get_settings()
    if settings.database_url:
        return normalize_url(settings.database_url)
    return embedded_url(settings.embedded_pg_dir)


def create_engine(url: str | URL | None = None, **kwargs) -> Engine:
    target = normalize_url(url) if url is not None else database_url()
    options = {"pool_pre_ping": True, "pool_recycle": 1800}
    if "poolclass" not in kwargs:
        options.update(pool_size=5, max_overflow=5)
    options.update(kwargs)
    return sa.create_engine(target, **options)


def get_engine() -> Engine:
    """The process-wide engine (kept across warm Lambda invocations)."""
    global _engine, _session_factory
    if _engine is None:
        _engine = create_engine()
        _session_factory = sessionmaker(_engine, expire_on_commit=False)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Use `engine` for everything in this process (tests, the dev stack)."""
    global _engine, _session_factory
    _engine = engine
    _session_factory = sessionmaker(engine, expire_on_commit=False) if engine is not None else None


@contextlib.contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    get_engine()
    assert _session_factory is not None
    session = _session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
