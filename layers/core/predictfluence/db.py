"""The database engine (SQLAlchemy Core: queries are `text()` statements, no ORM sessions).

`DATABASE_URL` selects any PostgreSQL server (Aurora, RDS Proxy, a local server); in AWS the functions
read the Secrets Manager secret PF_DB_SECRET_ARN instead. The runtime needs one of the two: the embedded
PostgreSQL that local commands use when DATABASE_URL is unset lives in the tools
(`predictfluence_tools.localdb`), which set DATABASE_URL to it before they touch the runtime. The driver
is always pg8000; there is no SQLite code path.

Reads can go to a separate reader (`DATABASE_READ_URL`, or in AWS the RDS Proxy's read-only endpoint
`PF_DB_READ_HOST` with the same secret): inside `reading_from_reader()` — the API's GET requests, see
`predictfluence.api.read_routing` — `get_engine()` answers the reader engine, whose sessions are read-only
(as a replica's are, so a GET that writes fails locally too). Without a reader it is the writer. The ETL,
the CLI, retraining and every write use the writer.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from predictfluence.config import get_settings

_engine: Engine | None = None
_read_engine: Engine | None = None
_reading: ContextVar[bool] = ContextVar("predictfluence_reading", default=False)
_answering: ContextVar[bool] = ContextVar("predictfluence_answering", default=False)


EXPECTED_URL_FORM = "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"


class DatabaseURLError(ValueError):
    """DATABASE_URL cannot be parsed or is not a PostgreSQL URL (the message never repeats the URL: it may
    hold a password)."""


def normalize_url(url: str | URL) -> URL:
    """Accept `postgres://`, `postgresql://` or `postgresql+<driver>://` and always use pg8000."""
    if isinstance(url, str):
        try:
            parsed = make_url(url)
        except (sa.exc.ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            reason = "the port is not a number" if isinstance(exc, ValueError) else "it cannot be parsed"
            raise DatabaseURLError(f"DATABASE_URL is malformed ({reason}); expected {EXPECTED_URL_FORM}") from exc
    else:
        parsed = url
    if parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise DatabaseURLError(
            f"DATABASE_URL must be a PostgreSQL URL, got {parsed.get_backend_name()!r}; expected {EXPECTED_URL_FORM}"
        )
    return parsed.set(drivername="postgresql+pg8000")


def secret_url(secret_arn: str, host: str | None = None, database: str | None = None) -> URL:
    """The URL from a Secrets Manager database secret (RDS's JSON shape: username, password, host, port,
    dbname). `host` overrides the secret's (the RDS Proxy endpoint instead of the cluster's). boto3 is
    imported only here, through `storage`."""
    from predictfluence import storage

    secret = json.loads(storage.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    return URL.create(
        "postgresql+pg8000",
        username=secret["username"],
        password=secret["password"],
        host=host or secret["host"],
        port=int(secret.get("port") or 5432),
        database=database or secret.get("dbname") or "postgres",
    )


def database_url() -> URL:
    """DATABASE_URL, else the Secrets Manager secret PF_DB_SECRET_ARN (AWS). Locally the tools set
    DATABASE_URL (to the embedded server when the user gave none) before they get here."""
    settings = get_settings()
    if settings.database_url:
        return normalize_url(settings.database_url)
    if settings.db_secret_arn:
        return secret_url(settings.db_secret_arn, settings.db_host, settings.db_name)
    raise DatabaseURLError(
        f"DATABASE_URL is not set (nor PF_DB_SECRET_ARN); expected {EXPECTED_URL_FORM} "
        "(the predictfluence command and `make run` use an embedded server when it is unset)"
    )


def connect_args() -> dict:
    """pg8000 speaks TLS only when given an SSL context; RDS Proxy requires TLS (PF_DB_TLS=1). Its
    certificates chain to Amazon's public roots, so the default context verifies them."""
    if not get_settings().db_tls:
        return {}
    import ssl

    return {"ssl_context": ssl.create_default_context()}


def create_engine(url: str | URL | None = None, **kwargs) -> Engine:
    target = normalize_url(url) if url is not None else database_url()
    options = {"pool_pre_ping": True, "pool_recycle": 1800}
    if url is None and (args := connect_args()):
        options["connect_args"] = args
    if "poolclass" not in kwargs:
        options.update(pool_size=5, max_overflow=5)
    options.update(kwargs)
    engine = sa.create_engine(target, **options)
    _rewrite_placeholders_once()
    sa.event.listen(engine, "connect", _send_without_delay)
    sa.event.listen(engine, "connect", _parse_dates_in_c)
    sa.event.listen(engine, "checkout", _jit_for_the_caller)
    return engine


def _send_without_delay(dbapi_connection, _record) -> None:
    """TCP_NODELAY on the driver's socket. pg8000 writes through an 8 KiB buffer, so a statement with
    parameters longer than that leaves in two segments, and Nagle's algorithm holds the second until the
    server's delayed ACK of the first: measured on this machine, a 9.8 kB statement 46 ms against 2.9-4.6 ms
    with the option (docs/benchmarks.md, "Figures behind code decisions"). Not a TCP socket (a Unix
    socket, another driver): nothing to do."""
    sock = getattr(dbapi_connection, "_usock", None)
    if isinstance(sock, socket.socket) and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _parse_dates_in_c(dbapi_connection, _record) -> None:
    """Dates and timestamps parsed by `fromisoformat` (C) instead of pg8000's `strptime` (Python): 8-15 µs a value,
    9.5 ms of a 500-hire campaign's `/campaigns/{id}/influencers` at 1M influencers, and every list row's
    `snapshot_as_of` (docs/benchmarks.md, "Dates parsed in C"). The same values: what `fromisoformat` refuses
    (infinity, BC, years past 9999) goes to pg8000's own converter. Not a pg8000 connection: nothing to do."""
    register = getattr(dbapi_connection, "register_in_adapter", None)
    if register is None:
        return
    for oid, parsed in _date_parsers():
        register(oid, parsed)


@functools.cache
def _date_parsers():  # noqa: ANN202 - (type oid, converter) pairs, built once for every connection
    from pg8000 import converters

    return tuple(
        (oid, _parser(parse, fallback))
        for oid, parse, fallback in (
            (converters.DATE, dt.date.fromisoformat, converters.date_in),
            (converters.TIMESTAMP, dt.datetime.fromisoformat, converters.timestamp_in),
            (converters.TIMESTAMPTZ, dt.datetime.fromisoformat, converters.timestamptz_in),
        )
    )


def _parser(parse, fallback):  # noqa: ANN001, ANN202 - converters of text values
    def parsed(data: str):  # noqa: ANN202
        try:
            return parse(data)
        except ValueError:
            return fallback(data)

    return parsed


# statements longer than this are rewritten every time, not kept (an ETL statement may inline its values)
REWRITE_CACHE_CHARS = 65_536


def _rewrite_placeholders_once() -> None:
    """pg8000 rewrites a statement's %s placeholders to $1, $2, … on every execute, scanning it character by character
    in Python (`pg8000.dbapi.convert_paramstyle`, ~0.4 µs a character): 4.0 ms of a 20 ms `/recommendations` at 1M
    influencers, whose three statements are 10 kB (docs/benchmarks.md, "Placeholders rewritten once per statement").
    In the "format" style SQLAlchemy's pg8000 dialect uses, the rewritten text depends on the statement alone and the
    values pass through unchanged, so it is kept per statement text (the 512 most recent, each shorter than
    REWRITE_CACHE_CHARS); every other style, and a statement the scan rejects, goes through pg8000's own."""
    import pg8000.dbapi
    import pg8000.legacy  # the connections SQLAlchemy's dialect opens (pg8000.connect) call it from here

    original = pg8000.dbapi.convert_paramstyle
    if getattr(original, "pf_rewritten_once", False):
        return

    @functools.lru_cache(maxsize=512)
    def rewritten(query: str) -> str:
        return original("format", query, ())[0]

    def convert_paramstyle(style, query, args):  # noqa: ANN001, ANN202 - pg8000's signature
        if style != "format" or len(query) > REWRITE_CACHE_CHARS:
            return original(style, query, args)
        return rewritten(query), args

    convert_paramstyle.pf_rewritten_once = True  # type: ignore[attr-defined]
    convert_paramstyle.cache_info = rewritten.cache_info  # type: ignore[attr-defined]
    convert_paramstyle.original = original  # type: ignore[attr-defined]
    pg8000.dbapi.convert_paramstyle = pg8000.legacy.convert_paramstyle = convert_paramstyle


def _jit_for_the_caller(dbapi_connection, record, _proxy) -> None:
    """JIT compilation off for a connection handed out inside `answering_requests()`, the server's setting
    again outside it. Set once per switch, not per checkout (the connection remembers which it has)."""
    off = _answering.get()
    if record.info.get("pf_jit_off", False) is not off:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off" if off else "RESET jit")
        cursor.close()
        dbapi_connection.commit()  # a SET inside the driver's open transaction would roll back with it
        record.info["pf_jit_off"] = off


def read_url() -> URL | None:
    """DATABASE_READ_URL, else (AWS) the secret's credentials at PF_DB_READ_HOST; None: no reader."""
    settings = get_settings()
    if settings.database_read_url:
        return normalize_url(settings.database_read_url)
    if settings.db_secret_arn and settings.db_read_host:
        return secret_url(settings.db_secret_arn, settings.db_read_host, settings.db_name)
    return None


def _read_only_sessions(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cursor.close()
    dbapi_connection.commit()  # a SET inside the driver's open transaction would roll back with it


def get_engine() -> Engine:
    """The process-wide engine (kept across warm Lambda invocations): the writer, or the reader inside
    `reading_from_reader()` when one is configured."""
    global _read_engine
    if _reading.get():
        if _read_engine is None and (url := read_url()) is not None:
            engine = create_engine(url, **({"connect_args": args} if (args := connect_args()) else {}))
            sa.event.listen(engine, "connect", _read_only_sessions)
            _read_engine = engine
        if _read_engine is not None:
            return _read_engine
    return writer_engine()


def writer_engine() -> Engine:
    """The writer, whatever the request: what must be current (API keys and users checked on every
    request, so that a revocation applies at once) reads it even inside `reading_from_reader()`."""
    global _engine
    if _engine is None:
        _engine = create_engine()
    return _engine


@contextmanager
def reading_from_reader(active: bool = True) -> Iterator[None]:
    """Within the block (this thread or task only), `get_engine()` is the reader when one is configured."""
    token = _reading.set(active)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def answering_requests() -> Iterator[None]:
    """Within the block (this thread or task only), the connections the engines hand out run without JIT: an API
    statement runs in milliseconds, and a plan whose cost is above jit_above_cost compiled before it ran — every
    statement of a text search, whose disabled sequential scan costs 10^10 (4 ms for the rollup version's
    one-row read at 1M influencers), the recommendations' LIMIT-ed ranking (40 ms to 1.4 s at 100,000;
    docs/benchmarks.md, "Dense text searches along the sort index"). The ETL, scoring and the CLI keep the
    server's setting."""
    token = _answering.set(True)
    try:
        yield
    finally:
        _answering.reset(token)


def current_url() -> URL | None:
    """The URL of the process-wide engine, when one was made (error messages name its host and port)."""
    return _engine.url if _engine is not None else None


def set_engine(engine: Engine | None, *, reader: Engine | None = None) -> None:
    """Use `engine` for everything in this process (tests, the dev stack), and `reader` for reads when
    given; otherwise the reader is made again from the settings on its next use."""
    global _engine, _read_engine
    _engine = engine
    _read_engine = reader


def require_migrated(engine: Engine | None = None) -> None:
    """Fail fast before long work: connect and read alembic_version. Raises the driver's error when the
    server is unreachable, and ProgrammingError (SQLSTATE 42P01) when the database was never migrated;
    the CLI turns both into one line."""
    with (engine or get_engine()).connect() as conn:
        conn.execute(sa.text("SELECT version_num FROM alembic_version"))
