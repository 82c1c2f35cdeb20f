"""`predictfluence demo-data`: write synthetic CSVs for every input kind (see docs/data-generation.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


@click.command("demo-data")
@click.option("--influencers", type=click.IntRange(min=1), default=2_000, show_default=True)
@click.option("--days", type=click.IntRange(min=2), default=120, show_default=True, help="Days of data.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed -> byte-identical files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-data"),
              show_default=True, help="Directory for <kind>.csv and _truth.json.")  # fmt: skip
@click.option(
    "--campaigns", type=click.IntRange(min=0), default=None, help="Default: influencers / 50 (8..2000)."
)
@click.option("--end-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of data (default: today, UTC).")  # fmt: skip
@click.option("--rows-target", type=click.IntRange(min=1), default=None,
              help="Pick --influencers to give about this many post_metrics rows over --days "
                   "(e.g. 1000000 with --days 30).")  # fmt: skip
def demo_data(
    influencers: int,
    days: int,
    seed: int,
    out_dir: Path,
    campaigns: int | None,
    end_date: dt.datetime | None,
    rows_target: int | None,
) -> None:
    """Write influencers, campaigns, posts, post_metrics, audience, hires and conversions CSVs to OUT."""
    from predictfluence_tools.demo.generator import (
        DemoConfig,
        estimate_metric_rows,
        generate,
        influencers_for_rows,
    )

    if rows_target is not None:
        influencers = influencers_for_rows(rows_target, days, seed)
    config = DemoConfig(influencers, days, seed, campaigns, end_date.date() if end_date else None)
    click.echo(
        f"generating {influencers:,d} influencers x {days} days (seed {seed}); "
        f"estimated post_metrics rows: ~{estimate_metric_rows(influencers, days, seed):,d}"
    )
    try:
        result = generate(config, out_dir)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    for kind, path in result.files.items():
        click.echo(f"{str(path):40s} {result.rows[kind]:>12,d} rows")
    click.echo(f"{result.seconds:.1f} s; ground truth in {out_dir / '_truth.json'}")


commands = [demo_data]
