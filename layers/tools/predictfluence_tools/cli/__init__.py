"""The `predictfluence` command. Each area registers its commands from its own module.

Every failure of a subcommand ends as one line on stderr and a non-zero exit code, never a traceback
(`_Main.invoke` is the one place; the messages are in `predictfluence_tools.cli.errors`). PF_DEBUG=1 lets
the exception through with its traceback.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

# Modules under predictfluence_tools.cli that each expose a `commands` list of click commands/groups.
COMMAND_MODULES = ("db", "demo", "stack", "etl", "ml", "keys", "users", "plan")


class _Main(click.Group):
    def invoke(self, ctx: click.Context):
        from predictfluence_tools.cli.errors import configure_logging

        configure_logging()
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError as exc:
            if _stdout_is_closed():  # `predictfluence db counts | head`: the reader left, nothing is wrong
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise SystemExit(0) from None
            from predictfluence_tools.cli.errors import explain

            raise explain(exc) from exc
        except Exception as exc:
            from predictfluence_tools.cli.errors import debug_enabled, explain

            if debug_enabled():
                raise
            raise explain(exc) from exc


def _stdout_is_closed() -> bool:
    """True when stdout is a pipe whose reader is gone (poll reports POLLERR on its write end): the broken
    pipe is the terminal's, not the database socket's."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):  # no file descriptor (a test runner's captured stdout)
        return False


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Predictfluence: micro-influencer analytics (warehouse, ETL, API, ML).

    The database is DATABASE_URL, or an embedded PostgreSQL under .data/ when unset.
    """


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(f"predictfluence_tools.cli.{_name}").commands:
        main.add_command(_command)
