"""copy_binary (PostgreSQL's binary COPY, the scoring chunks' staging write, issue 16.3) stores exactly
what copy_rows' CSV stores: bigints, doubles (tiny, huge, infinite, rounded), NULLs anywhere, and text
with quotes, commas, newlines and non-ASCII characters; an empty text is NULL in both."""

from __future__ import annotations

import sqlalchemy as sa

from predictfluence_ml._sql import copy_binary, copy_rows

COLUMNS = ("a", "b", "t", "x", "y", "u", "z")
KINDS = "iisffsf"
ROWS = [
    (1, 10, "reel", 0.01234568, 1e-300, "top", 3.0),
    (2, 20, "video", None, float("inf"), None, float("-inf")),
    (3, None, 'é–"quoted, text"\nnext line', 5e-324, None, "", 1.7976931348623157e308),
    (4, 40, "short", 0.1 + 0.2, 123456789.12345679, "middle", None),
] + [(k, k * 7, f"type{k % 3}", k / 7, round(k / 3, 8), "bottom", -k / 11) for k in range(5, 400)]


def _load(db, write) -> list[tuple]:
    with db.begin() as conn:
        conn.execute(sa.text(
            "CREATE TEMP TABLE copied (a bigint, b bigint, t text, x double precision, y double precision, "
            "u varchar(16), z double precision) ON COMMIT DROP"
        ))  # fmt: skip
        assert write(conn) == len(ROWS)
        return [tuple(r) for r in conn.execute(sa.text("SELECT * FROM copied ORDER BY a"))]


def test_binary_copy_stores_what_the_csv_copy_stores(db) -> None:
    binary = _load(db, lambda conn: copy_binary(conn, "copied", COLUMNS, KINDS, ROWS))
    assert binary == _load(db, lambda conn: copy_rows(conn, "copied", COLUMNS, ROWS))
    assert binary == [tuple(None if v == "" else v for v in row) for row in ROWS]  # "" is NULL in both


def test_text_first_and_no_rows(db) -> None:
    rows = [("x", 1, 2.5), (None, None, None)]
    with db.begin() as conn:
        conn.execute(sa.text("CREATE TEMP TABLE t2 (s text, i bigint, f double precision) ON COMMIT DROP"))
        assert copy_binary(conn, "t2", ("s", "i", "f"), "sif", rows) == 2
        assert copy_binary(conn, "t2", ("s", "i", "f"), "sif", []) == 0
        assert [tuple(r) for r in conn.execute(sa.text("SELECT * FROM t2 ORDER BY i"))] == rows


def test_the_staging_kinds_are_score_stage_column_types(db) -> None:
    from predictfluence_ml.scoring import COLUMNS as STAGE
    from predictfluence_ml.scoring import STAGE_KINDS

    with db.connect() as conn:
        types = dict(conn.execute(sa.text(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'score_stage'"
        )).all())  # fmt: skip
    kind = {"bigint": "i", "double precision": "f", "text": "s", "character varying": "s"}
    assert "".join(kind[types[c]] for c in STAGE) == STAGE_KINDS
