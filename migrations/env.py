"""Alembic environment: migrates the database given by the caller's connection (predictfluence_tools.migrate)
or by DATABASE_URL (the embedded server when it is unset, as for the `predictfluence` command)."""

from __future__ import annotations

from alembic import context

from predictfluence.db import create_engine
from predictfluence.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    from predictfluence_tools.localdb import use_embedded_unless_configured

    use_embedded_unless_configured()
    engine = create_engine(poolclass=__import__("sqlalchemy").pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
