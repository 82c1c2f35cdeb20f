"""predictfluence.db keeps pg8000's placeholder rewrite (%s -> $n) per statement text: the driver scans every
statement character by character in Python on every execute, 4 ms of a 20 ms /recommendations at 1M influencers
(docs/benchmarks.md, "Placeholders rewritten once per statement"). The kept rewrite equals pg8000's own for
quoted strings, escapes, comments and dollar quotes, rejects what pg8000 rejects, and a statement run twice is
scanned once."""

from __future__ import annotations

import pg8000.dbapi
import pg8000.legacy
import pytest
import sqlalchemy as sa

from predictfluence import db

STATEMENTS = [
    "SELECT 1",
    "SELECT %s, %s FROM t WHERE a = %s",
    "SELECT '%s' || %s, 'it''s %s' FROM t",  # inside a string: not a placeholder
    "SELECT E'a\\'%s' , %s",  # an escaped string
    'SELECT "we%ird" FROM t WHERE x LIKE %s',  # a quoted identifier
    "SELECT 100 %% 7, %s",  # a literal percent
    "SELECT %s -- a comment with %s\n, %s",
    "SELECT $$ %s $$, %s",  # a dollar-quoted string
    "SELECT x::float8 FROM t WHERE y = ANY(%s) LIMIT %s OFFSET %s",
]


@pytest.fixture
def rewrite(engine):  # noqa: ANN001 - create_engine installed it
    convert = pg8000.legacy.convert_paramstyle  # what SQLAlchemy's pg8000 connections call
    assert getattr(convert, "pf_rewritten_once", False) and pg8000.dbapi.convert_paramstyle is convert
    return convert


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_kept_rewrite_equals_pg8000s(rewrite, statement) -> None:  # noqa: ANN001
    args = tuple(range(statement.count("%s")))
    expected = rewrite.original("format", statement, args)
    assert rewrite("format", statement, args) == expected
    assert rewrite("format", statement, args) == expected  # kept: the same again
    assert rewrite("pyformat", statement, args) == rewrite.original("pyformat", statement, args)


def test_what_pg8000_rejects_stays_rejected(rewrite) -> None:  # noqa: ANN001
    for _ in range(2):
        with pytest.raises(pg8000.dbapi.InterfaceError):
            rewrite("format", "SELECT %d", (1,))


def test_a_statement_run_twice_is_scanned_once(engine, rewrite) -> None:  # noqa: ANN001
    statement = sa.text("SELECT CAST(:a AS int) + CAST(:b AS int) /* test_a_statement_run_twice */")
    with engine.connect() as conn:
        assert conn.execute(statement, {"a": 1, "b": 2}).scalar() == 3
        before = rewrite.cache_info()
        assert conn.execute(statement, {"a": 5, "b": 6}).scalar() == 11
        after = rewrite.cache_info()
    assert after.hits == before.hits + 1 and after.misses == before.misses


def test_a_long_statement_is_not_kept(engine, rewrite) -> None:  # noqa: ANN001
    statement = sa.text("SELECT CAST(:a AS int) /* " + "x" * db.REWRITE_CACHE_CHARS + " */")
    with engine.connect() as conn:
        before = rewrite.cache_info()
        assert conn.execute(statement, {"a": 4}).scalar() == 4
        assert rewrite.cache_info().currsize == before.currsize
