"""`predictfluence db …`: migrations and table counts."""

from __future__ import annotations

import click

from predictfluence_tools.localdb import needs_database


@click.group()
def db() -> None:
    """Database schema (Alembic) and contents."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
@needs_database
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION."""
    from predictfluence.db import get_engine
    from predictfluence_tools import migrate

    engine = get_engine()
    migrate.upgrade(engine, revision)
    click.echo(f"database at revision {migrate.current_revision(engine)} ({engine.url.render_as_string()})")


@db.command()
@needs_database
def counts() -> None:
    """Print the number of rows in every warehouse table."""
    from predictfluence.db import get_engine
    from predictfluence_tools.stats import table_counts

    for table, count in table_counts(get_engine()).items():
        click.echo(f"{table:24s} {count:>12,d}")


commands = [db]
