"""One line instead of a traceback: the CLI entry point turns every failure into a short message.

`explain()` knows the failures a new user meets before `make run` (no server, a malformed DATABASE_URL,
a database that was never migrated, a missing database, a wrong user or password) and says what is wrong
and what to do. Anything else becomes `unexpected error: …` with the hint to rerun with PF_DEBUG=1,
which lets the exception (and its traceback) through.

Exit codes (sysexits.h): 69 the database server cannot be reached; 78 the configuration or the database
is not usable as is (URL, missing database, login, not migrated, permissions); 70 anything unexpected.
Commands keep their own codes for their own outcomes (`etl load`: 1 rejected, 2 failed).
"""

from __future__ import annotations

import logging
import os
import re

import click

EX_UNAVAILABLE = 69
EX_SOFTWARE = 70
EX_CONFIG = 78
DEBUG_HINT = "rerun with PF_DEBUG=1 to see the traceback"
UPGRADE = "run `predictfluence db upgrade`"

# SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_NOT_MIGRATED = {"42P01": "undefined table", "42703": "undefined column", "42883": "undefined function",
                 "42704": "undefined object"}
_AUTH = {"28000", "28P01"}


class CliFailure(click.ClickException):
    """Printed by click as `Error: <message>` on stderr, exit `exit_code`."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def debug_enabled() -> bool:
    return os.environ.get("PF_DEBUG", "").lower() not in ("", "0", "false", "no")


class _OneLineFormatter(logging.Formatter):
    """Log records as one line each: an exception shows as `(Type: first line)`, not as a traceback."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return ""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text += f" ({type(error).__name__}: {_first_line(str(error))})"
        return text


def configure_logging(level: int = logging.WARNING, fmt: str = "%(levelname)s %(name)s: %(message)s") -> None:
    """Logging for the CLI: to stderr, one line per record; PF_DEBUG=1 keeps the tracebacks (and DEBUG)."""
    handler = logging.StreamHandler()
    debug = debug_enabled()
    handler.setFormatter(logging.Formatter(fmt) if debug else _OneLineFormatter(fmt))
    logging.basicConfig(level=logging.DEBUG if debug else level, handlers=[handler], force=True)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _chain(exc: BaseException):
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _server_fields(error: BaseException) -> dict:
    """pg8000 puts the server's error fields (C: SQLSTATE, M: message) in a dict as the first argument."""
    if error.args and isinstance(error.args[0], dict):
        return error.args[0]
    return {}


def _where(message: str = "", database: bool = True) -> str:
    """host:port[/database (user …)] of the engine in use (never the password)."""
    from predictfluence.db import current_url

    url = current_url()
    if url is not None:
        if url.query.get("unix_sock"):
            place = f"the unix socket {url.query['unix_sock']}"
        else:
            place = f"{url.host or 'localhost'}:{url.port or 5432}"
        return f"{place}/{url.database} (user {url.username})" if database else place
    found = re.search(r"host (\S+) and port (\d+)", message)
    return f"{found.group(1)}:{found.group(2)}" if found else "the configured server"


def _first_line(text: str, limit: int = 300) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _explain_dbapi(error: BaseException) -> CliFailure | None:
    """A DB-API (pg8000) error, raw or as SQLAlchemy's `.orig`."""
    fields = _server_fields(error)
    code, message = fields.get("C"), fields.get("M", "")
    if code in _NOT_MIGRATED:
        return CliFailure(f"the database {_where()} is not migrated or is older than this code ({message}); "
                          f"{UPGRADE}", EX_CONFIG)
    if code == "3D000":
        return CliFailure(f"{message} on {_where(database=False)}: create it (e.g. `createdb`) or point DATABASE_URL at an "
                          f"existing database, then {UPGRADE}", EX_CONFIG)
    if code in _AUTH:
        return CliFailure(f"the server at {_where()} refused the login ({message}); check the user and password "
                          "in DATABASE_URL", EX_CONFIG)
    if code == "42501":
        return CliFailure(f"permission denied at {_where()} ({message}); this command needs a role with more "
                          "privileges (the owner runs migrations; see docs/reliability.md, database roles)", EX_CONFIG)
    if code in ("57P03", "53300", "57P01"):
        return CliFailure(f"the server at {_where()} is not accepting this connection now ({message}); retry "
                          "in a moment", EX_UNAVAILABLE)
    if code:
        return CliFailure(f"database error {code} at {_where()}: {_first_line(message)} ({DEBUG_HINT})", EX_SOFTWARE)
    text = str(error.args[0]) if error.args else str(error)
    if "create a connection" in text:
        reason = f" ({error.__cause__})" if error.__cause__ else ""
        return CliFailure(f"cannot connect to PostgreSQL at {_where(text)}{reason}: start the server or point "
                          "DATABASE_URL at a running one (unset it to use the embedded server)", EX_UNAVAILABLE)
    return None


def explain(exc: BaseException) -> CliFailure:
    """The one-line failure for `exc` (the first link of its cause chain that is recognised)."""
    import pg8000.exceptions
    import sqlalchemy.exc

    from predictfluence.db import DatabaseURLError

    for error in _chain(exc):
        if isinstance(error, DatabaseURLError):
            return CliFailure(str(error), EX_CONFIG)
        if isinstance(error, sqlalchemy.exc.ArgumentError):
            from predictfluence.db import EXPECTED_URL_FORM

            return CliFailure(f"DATABASE_URL is malformed ({_first_line(str(error))}); expected {EXPECTED_URL_FORM}",
                              EX_CONFIG)
        if isinstance(error, sqlalchemy.exc.DBAPIError) and error.orig is not None:
            if (failure := _explain_dbapi(error.orig)) is not None:
                return failure
        if isinstance(error, pg8000.exceptions.Error) and (failure := _explain_dbapi(error)) is not None:
            return failure
        if isinstance(error, ConnectionError | TimeoutError):
            return CliFailure(f"cannot connect to PostgreSQL at {_where()} ({error}): start the server or point "
                              "DATABASE_URL at a running one", EX_UNAVAILABLE)
        if isinstance(error, ModuleNotFoundError) and error.name == "pgserver":
            return CliFailure("DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not installed: "
                              "set DATABASE_URL or run `make install`", EX_CONFIG)
    return CliFailure(f"unexpected error: {type(exc).__name__}: {_first_line(str(exc))} ({DEBUG_HINT})", EX_SOFTWARE)
