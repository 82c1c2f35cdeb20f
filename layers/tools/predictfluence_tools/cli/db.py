"""`predictfluence db …`: migrations, table counts and the API's rollups."""

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


@db.command()
@click.option("--rebuild", is_flag=True, help="Recompute every rollup from scratch instead of the queued keys.")
@needs_database
def rollups(rebuild: bool) -> None:
    """Bring the API's rollups up to date: apply the keys queued by writes since the last load (what the
    ETL runs after each batch), or with --rebuild recompute them all from the warehouse."""
    import time

    from predictfluence.db import get_engine
    from predictfluence.queries import rollups as rollup_tables

    started = time.perf_counter()
    if rebuild:
        rollup_tables.rebuild(get_engine())
        click.echo(f"rollups rebuilt from scratch in {time.perf_counter() - started:.2f} s")
    elif rollup_tables.apply(get_engine()):
        click.echo(f"rollups updated for the queued keys in {time.perf_counter() - started:.2f} s")
    else:
        click.echo("rollups already up to date (no queued keys)")


commands = [db]
