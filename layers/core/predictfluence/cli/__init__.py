"""The `predictfluence` command. Each area registers its commands from its own module."""

from __future__ import annotations

import importlib

import click

# Modules under predictfluence.cli that each expose a `commands` list of click commands/groups.
COMMAND_MODULES = ("db", "demo", "stack", "etl", "ml", "keys")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Predictfluence: micro-influencer analytics (warehouse, ETL, API, ML).

    The database is DATABASE_URL, or an embedded PostgreSQL under .data/ when unset.
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(f"predictfluence.cli.{_name}").commands:
        main.add_command(_command)
