"""predictfluence.db parses dates and timestamps with `fromisoformat` (C) instead of pg8000's `strptime` (docs/
benchmarks.md, "Dates parsed in C"): the values equal pg8000's own for every form PostgreSQL writes — fractions of a
second, offsets in hours and minutes, infinity, BC, years past 9999, NULL — and every connection of an engine it
creates uses them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from pg8000 import converters

from predictfluence.db import create_engine

VALUES = [
    ("date", "2026-11-30"), ("date", "0001-01-01"), ("date", "infinity"), ("date", "-infinity"),
    ("date", "0044-03-15 BC"), ("date", "12026-01-01"), ("date", None),
    ("timestamp", "2026-11-30 12:00:00"), ("timestamp", "2026-11-30 12:00:00.5"),
    ("timestamp", "2026-11-30 23:59:59.123456"), ("timestamp", "infinity"), ("timestamp", "0044-03-15 10:00 BC"),
    ("timestamptz", "2026-11-30 12:00:00+00"), ("timestamptz", "2026-11-30 12:00:00.25+05:30"),
    ("timestamptz", "2026-11-30 12:00:00-03"), ("timestamptz", "-infinity"), ("timestamptz", None),
]
ORIGINAL = {"date": converters.date_in, "timestamp": converters.timestamp_in, "timestamptz": converters.timestamptz_in}


@pytest.fixture
def conn(engine):  # noqa: ANN001 - the migrated test database
    ours = create_engine(engine.url)
    with ours.connect() as c:
        c.execute(sa.text("SET TIME ZONE 'Asia/Kolkata'"))  # offsets other than +00 in timestamptz text
        yield c
    ours.dispose()


@pytest.mark.parametrize(("kind", "value"), VALUES)
def test_a_value_parses_as_pg8000_parses_it(conn, kind, value) -> None:  # noqa: ANN001
    got, text = conn.execute(
        sa.text(f"SELECT CAST(:v AS {kind}), CAST(CAST(:v AS {kind}) AS text)"), {"v": value}  # noqa: S608
    ).one()
    expected = None if text is None else ORIGINAL[kind](text)
    assert got == expected and type(got) is type(expected)
    if hasattr(expected, "utcoffset"):
        assert got.utcoffset() == expected.utcoffset()


def test_every_connection_parses_dates_in_c(conn) -> None:  # noqa: ANN001
    types = conn.connection.dbapi_connection.pg_types
    assert all(types[oid] is not ORIGINAL[k] for oid, k in (
        (converters.DATE, "date"), (converters.TIMESTAMP, "timestamp"), (converters.TIMESTAMPTZ, "timestamptz")))
