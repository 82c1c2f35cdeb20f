"""predictfluence.db sends a statement without Nagle's delay: every connection of an engine it creates has
TCP_NODELAY on its socket. Without it, a statement with parameters longer than pg8000's 8 KiB write buffer
waited ~40 ms for the server's delayed ACK (docs/benchmarks.md, "Figures behind code decisions")."""

from __future__ import annotations

import socket

import sqlalchemy as sa

from predictfluence.db import create_engine


def test_every_connection_sends_without_delay(engine) -> None:  # noqa: ANN001 - the migrated test database
    ours = create_engine(engine.url)
    try:
        with ours.connect() as conn:
            sock = conn.connection.dbapi_connection._usock
            assert sock.family in (socket.AF_INET, socket.AF_INET6)
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            # a statement with parameters longer than the driver's buffer still answers
            long_statement = sa.text("SELECT CAST(:a AS int) /* " + "x" * 9800 + " */").bindparams(a=7)
            assert conn.execute(long_statement).scalar() == 7
    finally:
        ours.dispose()
