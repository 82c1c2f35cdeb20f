"""`predictfluence etl …`: load a local CSV through the same pipeline as the S3 trigger; list loads."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from predictfluence.vocab import CSV_KINDS
from predictfluence_tools.localdb import needs_database

KINDS_HELP = ", ".join(CSV_KINDS)


@click.group()
def etl() -> None:
    """CSV ingestion (the same path as S3 → SQS → Lambda)."""


@etl.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", help=f"CSV kind ({KINDS_HELP}); default: from a raw/<kind>/ path, else the header.")
@click.option("--map", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help='JSON header mapping {"their header": "our column"}.')
@click.option("--force", is_flag=True, help="Load again even if this exact file (checksum) was loaded before.")
@click.option("--show", default=10, show_default=True, help="How many rejected rows to print.")
@needs_database
def load(file: Path, kind: str | None, mapping_file: Path | None, force: bool, show: int) -> None:
    """Load FILE. Exit code 0 when it loaded (even with rejected rows) or was already loaded, 1 when the
    whole file was rejected, 2 when the load failed."""
    from etl_jobs.pipeline import load_path
    from etl_jobs.reading import MappingError, read_mapping_file
    from predictfluence.db import get_engine, require_migrated

    mapping = None
    if mapping_file is not None:
        try:
            mapping = read_mapping_file(mapping_file)
        except MappingError as exc:
            raise click.BadParameter(str(exc), param_hint="--map") from exc
    require_migrated()  # the pipeline records its own failures: a database that is not usable is ours to report
    outcome = load_path(get_engine(), file, kind=kind, mapping=mapping, force=force)
    click.echo(f"{outcome.status}: {file} (kind {outcome.kind}, load {outcome.load_id})")
    click.echo(f"  rows in {outcome.rows_in:,} · loaded {outcome.rows_loaded:,} · rejected {outcome.rows_rejected:,}")
    click.echo(f"  {outcome.message}")
    rejections = outcome.rejections or []
    if rejections:
        for reason, count in Counter(r.reason for r in rejections).most_common():
            click.echo(f"  {count:>8,d} × {reason}")
        for r in rejections[:show]:
            where = f" {r.column}={r.value!r}" if r.column else (f" {r.value}" if r.value else "")
            click.echo(f"  line {r.line}: {r.reason}{where}")
    if outcome.report_key:
        click.echo(f"  report: {outcome.report_key}")
    raise SystemExit({"loaded": 0, "skipped_duplicate": 0, "rejected": 1}.get(outcome.status, 2))


@etl.command()
@click.option("--limit", default=20, show_default=True, help="How many loads to list (newest first).")
@needs_database
def loads(limit: int) -> None:
    """List recent loads (etl_load)."""
    from types import SimpleNamespace

    from predictfluence.queries.etl_loads import list_loads

    found, _ = list_loads(SimpleNamespace(status=None, kind=None, page=1, page_size=limit))
    for row in found:
        started = row["started_at"].strftime("%Y-%m-%d %H:%M:%S") if row["started_at"] else ""
        click.echo(
            f"{row['id']:>6} {started} {row['status']:9s} {row['kind']:13s} in {row['rows_in']:>10,} "
            f"ok {row['rows_loaded']:>10,} rej {row['rows_rejected']:>8,}  {row['file_key']}"
            + (f"  ({row['error']})" if row["error"] else "")
        )


commands = [etl]
