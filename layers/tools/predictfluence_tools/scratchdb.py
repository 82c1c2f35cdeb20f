"""Throw-away databases on a PostgreSQL server: every test session and benchmark run gets its own, so
concurrent runs never collide and nothing is left behind."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL


@contextlib.contextmanager
def scratch_database(server: URL, prefix: str, keep: bool = False) -> Iterator[URL]:
    """Create `<prefix>_<random>` on `server`, yield its URL, drop it afterwards (unless `keep`)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield server.set(database=name)
        finally:
            if not keep:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
