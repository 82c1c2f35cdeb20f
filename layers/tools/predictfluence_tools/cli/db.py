"""`predictfluence db …`: migrations, table counts, the API's rollups and the daily facts' partitions."""

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


@db.group(invoke_without_command=True)
@click.pass_context
def partitions(ctx: click.Context) -> None:
    """The daily facts' monthly partitions (post_metric_daily, conversion_daily): without a subcommand,
    list them with their estimated rows and size."""
    if ctx.invoked_subcommand is None:
        _list_partitions()


@needs_database
def _list_partitions() -> None:
    from predictfluence.db import get_engine
    from predictfluence.queries import partitions as facts

    with get_engine().connect() as conn:
        found = facts.partitions(conn)
    if not found:
        raise click.ClickException("the daily facts are not partitioned here (run `predictfluence db upgrade`)")
    click.echo(f"{'table':20s} {'month':8s} {'rows (est.)':>12s} {'size':>10s}  partition")
    for part in found:
        click.echo(f"{part.table:20s} {part.month or 'default':8s} {part.rows:>12,d} "
                   f"{_size(part.bytes):>10s}  {part.name}")


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


@partitions.command()
@click.option("--before", "before", required=True, metavar="YYYY-MM",
              help="Detach every month partition whose month is before this one.")
@click.option("--table", "tables", multiple=True, type=click.Choice(["post_metric_daily", "conversion_daily"]),
              help="Only this table (repeatable; default: both).")
@needs_database
def detach(before: str, tables: tuple[str, ...]) -> None:
    """Detach (never drop) the months before YYYY-MM: each becomes a plain table of its own name, out of the
    warehouse; the API's rollups are updated to the remaining facts. DROP or archive the tables yourself."""
    from predictfluence.db import get_engine
    from predictfluence.queries import partitions as facts
    from predictfluence.queries import rollups

    try:
        month = facts.parse_month(before)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--before") from None
    engine = get_engine()
    with engine.begin() as conn:
        if not facts.partitions(conn):
            raise click.ClickException("the daily facts are not partitioned here (run `predictfluence db upgrade`)")
        detached = facts.detach_before(conn, month, tables or facts.FACT_TABLES)
    if not detached:
        click.echo(f"nothing to detach: no month partition before {before}")
        return
    for part in detached:
        click.echo(f"detached {part.name} ({part.table} {part.month}, ~{part.rows:,d} rows, {_size(part.bytes)})")
    if rollups.apply(engine):
        click.echo("rollups updated for the detached months")


commands = [db]
