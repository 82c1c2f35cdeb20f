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
    _use_saved_mappings()
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


def _use_saved_mappings() -> None:
    """A file loaded without --map gets the saved mapping of its header signature (as S3 uploads do)."""
    from etl_jobs import infer
    from predictfluence.db import get_engine
    from predictfluence.queries.mappings import saved_mapping_lookup

    infer.SAVED_MAPPING_LOOKUP = saved_mapping_lookup(get_engine())


PREVIEW_BYTES = 1024 * 1024


@etl.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(CSV_KINDS), help="Preview as this kind instead of the detected one.")
@click.option("--map", "mapping_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="JSON header mapping to preview instead of the saved or inferred one.")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON.")
@needs_database
def preview(file: Path, kind: str | None, mapping_file: Path | None, as_json: bool) -> None:
    """What FILE would load as (its first 1 MiB): kind, platform, each column's target, confidence and why.
    Nothing is loaded. Without --map, the saved mapping of the file's header is shown when there is one."""
    import json

    from etl_jobs import infer
    from etl_jobs.reading import MappingError, read_mapping_file
    from predictfluence.queries.mappings import find_mapping

    head = _head(file)
    mapping, saved = None, None
    if mapping_file is not None:
        try:
            mapping = read_mapping_file(mapping_file)
        except MappingError as exc:
            raise click.BadParameter(str(exc), param_hint="--map") from exc
    else:
        saved = find_mapping(infer.header_signature(infer.parse_head(head)[0]))
        mapping = saved["mapping"] if saved else {}
    result = infer.preview(head, file.name, kind, mapping)
    if saved:
        result.update(saved=True, saved_by=saved["saved_by"], saved_at=saved["saved_at"].isoformat())
    if as_json:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    _print_preview(result)


def _head(file: Path) -> bytes:
    with file.open("rb") as handle:
        return handle.read(PREVIEW_BYTES)


def _print_preview(result: dict) -> None:
    click.echo(f"kind: {result['kind']} (confidence {result['kind_confidence']:.2f}) · platform: "
               f"{result['platform'] or '—'} (from {result['platform_source']}) · rows sampled: "
               f"{result['rows_sampled']:,} · ready: {'yes' if result['ready'] else 'NO'}")
    click.echo(f"header signature: {result['header_signature']}")
    if result.get("saved"):
        click.echo(f"saved mapping applied (saved {result['saved_at'][:10]} by {result['saved_by']})")
    rows = [("#", "header", "target", "conf", "samples", "why")]
    for c in result["columns"]:
        samples = ", ".join(c["samples"][:3])
        rows.append((str(c["index"]), c["header"], str(c["target"]), f"{c['confidence']:.2f}",
                     samples[:40], c["why"][:70]))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)) + "  " + r[5])
    for a in result["ambiguous"]:
        click.echo(f"ambiguous: column {a.get('index')} {a.get('header')!r}: {a.get('reason')}")


@etl.group()
def mappings() -> None:
    """Saved header mappings (saved from the Data page or PUT /imports/mappings)."""


@mappings.command("list")
@click.option("--limit", default=50, show_default=True, help="How many mappings to list (newest first).")
@needs_database
def list_mappings(limit: int) -> None:
    """List saved mappings: signature, kind, when, who, source and the mapping."""
    import json

    from predictfluence.queries.mappings import list_mappings as listed

    items, total = listed(1, limit)
    for row in items:
        click.echo(f"{row['signature']}  {row['kind']}  {row['saved_at']:%Y-%m-%d %H:%M}  {row['saved_by'] or '—'}  "
                   f"{row['source_name'] or ''}")
        click.echo(f"    {json.dumps(row['mapping'], ensure_ascii=False)}")
    click.echo(f"{total} saved mapping(s)")


@mappings.command("delete")
@click.argument("signature")
@needs_database
def delete_mapping(signature: str) -> None:
    """Delete the saved mapping of SIGNATURE (exit 1 when there is none)."""
    from predictfluence.queries.mappings import delete_mapping as delete

    if delete(signature) is None:
        click.echo(f"no saved mapping with signature {signature}", err=True)
        raise SystemExit(1)
    click.echo(f"deleted the saved mapping {signature}")


commands = [etl]
