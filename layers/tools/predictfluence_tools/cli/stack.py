"""`predictfluence run`: the whole product locally (what `make run` starts)."""

from __future__ import annotations

import logging
import os
import time

import click


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface every local server binds to.")
@click.option("--api-port", type=int, default=lambda: _env_int("PF_API_PORT", 8000), show_default="8000 or PF_API_PORT")
@click.option("--web-port", type=int, default=lambda: _env_int("PF_WEB_PORT", 8080), show_default="8080 or PF_WEB_PORT")
@click.option(
    "--aws-port", type=int, default=lambda: _env_int("PF_AWS_PORT", 5000), show_default="5000 or PF_AWS_PORT",
    help="Port of the moto server started when AWS_ENDPOINT_URL is unset.",
)
@click.option("--demo/--no-demo", default=True, show_default=True, help="Load demo data when the warehouse is empty.")
@click.option("--demo-influencers", type=int, default=2000, show_default=True)
@click.option("--demo-days", type=int, default=120, show_default=True)
@click.option("--seed", type=int, default=42, show_default=True)
@click.option("--retrain-every", type=float, default=3600.0, show_default=True, help="Seconds between local retrain runs.")
@click.option("--exit-after-start", is_flag=True, help="Start, print the summary, stop (smoke tests).")
def run(host, api_port, web_port, aws_port, demo, demo_influencers, demo_days, seed, retrain_every, exit_after_start):
    """Start the local stack: PostgreSQL, S3/SQS endpoint, ETL dispatcher, retrain scheduler, API, web site.

    Stops everything cleanly on Ctrl-C.
    """
    from predictfluence_tools.cli.errors import configure_logging
    from predictfluence_tools.devstack.ports import PortInUse
    from predictfluence_tools.devstack.stack import Stack, StackOptions, wait_for_signal

    configure_logging(logging.INFO, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "s3transfer"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    options = StackOptions(
        host=host, api_port=api_port, web_port=web_port, aws_port=aws_port, demo=demo,
        demo_influencers=demo_influencers, demo_days=demo_days, seed=seed, retrain_every_s=retrain_every,
    )
    stack = Stack(options)
    t0 = time.perf_counter()
    try:
        stack.start()
    except PortInUse as exc:
        stack.stop()
        raise click.ClickException(str(exc)) from exc
    except BaseException:
        stack.stop()
        raise
    click.echo("")
    click.echo(f"Predictfluence is running (started in {time.perf_counter() - t0:.1f} s):")
    for line in stack.started:
        click.echo(f"  {line}")
    for line in stack.summary():
        click.echo(line)
    if exit_after_start:
        stack.stop()
        return
    click.echo("Press Ctrl-C to stop.")
    try:
        wait_for_signal()
    finally:
        click.echo("stopping…")
        stack.stop()
        click.echo("stopped.")


commands = [run]
