"""The type checks of the set-based path: one SQL CASE per cell giving the reason it is bad, and the
casts that build `pf_typed` from the rows without a bad cell (PostgreSQL 15 compatible regexes, no
`pg_input_is_valid`): wrong type, negative counts, absurdly large numbers (more than 12 integer digits),
NaN/infinity, impossible dates, dates before 2000-01-01 or after tomorrow, over-long text, missing
required values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from etl_jobs import normalise as norm
from etl_jobs.spec import MAX_INT_DIGITS, Kind

if TYPE_CHECKING:
    from etl_jobs.staging import HeaderMap

EARLIEST_DATE = "2000-01-01"
PLAN_DAYS_AHEAD = 3653  # planned dates (campaign start/end) may lie up to ten years ahead
TEXT_LIMITS: dict[str, int] = {
    "platform": 32,
    "handle": 255,
    "category": 64,
    "country": 64,
    "language": 32,
    "name": 200,
    "brand": 200,
    "objective": 64,
    "status": 16,
    "currency": 3,
    "post_id": 128,
    "content_type": 32,
    "campaign": 200,
    "dimension": 16,
    "bucket": 64,
}

SQL_TYPES = {
    "text": "text",
    "int": "bigint",
    "money": "numeric(14,2)",
    "fraction": "double precision",
    "date": "date",
    "plan_date": "date",
    "timestamp": "timestamptz",
    "bool": "boolean",
}

_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")

_INT = rf"^[0-9]{{1,{MAX_INT_DIGITS}}}$"
_DEC = rf"^[0-9]{{1,{MAX_INT_DIGITS}}}(\.[0-9]*)?$|^\.[0-9]+$"
_NUMBERISH = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_NONFINITE = r"^[+-]?(nan|inf|infinity)$"
_DATE = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_TS = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?)?"
    r"(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$"
)


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _valid_day(v: str) -> str:
    """SQL: the YYYY-MM-DD prefix of `v` (already regex-checked: month 01–12, day 01–31) names a real
    calendar day. Text comparisons, decided by the first for most days (make_date + interval + extract per
    cell cost ~0.5 s per 200,000 cells, issue 16.8)."""
    day, month, year = f"substr({v}, 9, 2)", f"substr({v}, 6, 2)", f"substr({v}, 1, 4)::int"
    return (
        f"{day} <= '28' OR ({month} <> '02' AND ({day} <= '30' OR {month} IN ('01', '03', '05', '07', '08', '10', '12'))) "
        f"OR ({month} = '02' AND {day} = '29' AND mod({year}, 4) = 0 AND (mod({year}, 100) <> 0 OR mod({year}, 400) = 0))"
    )


def _in_range(v: str, days_ahead: int = 1) -> str:
    """The last day allowed computed once per statement (a scalar subquery: an InitPlan), not per cell."""
    return (
        f"substr({v}, 1, 10) BETWEEN '{EARLIEST_DATE}' AND (SELECT to_char(current_date + {days_ahead}, 'YYYY-MM-DD'))"
    )


def cell_check(name: str, type_: str, required: bool, v: str) -> str:
    """A CASE expression giving the reason cell `v` (trimmed text, NULL when empty) is bad, or NULL."""
    parts: list[str] = []
    if required:
        parts.append(f"WHEN {v} IS NULL THEN 'missing value'")
    else:
        parts.append(f"WHEN {v} IS NULL THEN NULL")
    if type_ == "text":
        limit = TEXT_LIMITS.get(name)
        if limit:
            parts.append(f"WHEN length({v}) > {limit} THEN 'too long (more than {limit} characters)'")
    elif type_ in ("int", "money"):
        ok = _INT if type_ == "int" else _DEC
        what = "count" if type_ == "int" else "amount"
        parts += [
            f"WHEN {v} ~ {lit(ok)} THEN NULL",
            f"WHEN lower({v}) ~ {lit(_NONFINITE)} THEN 'not a finite number'",
            f"WHEN {v} ~ '^-' AND {v} ~ {lit(_NUMBERISH)} THEN 'negative {what}'",
            f"WHEN {v} ~ '^[+]?[0-9]{{{MAX_INT_DIGITS + 1},}}(\\.[0-9]*)?$' THEN "
            f"'absurdly large (more than {MAX_INT_DIGITS} digits)'",
            f"WHEN {v} ~ {lit(_NUMBERISH)} THEN "
            + ("'not a whole number'" if type_ == "int" else "'not a plain decimal amount'"),
            "ELSE " + ("'not an integer'" if type_ == "int" else "'not a number'"),
        ]
    elif type_ == "fraction":
        parts += [
            f"WHEN {v} ~ '^(0(\\.[0-9]*)?|1(\\.0*)?|\\.[0-9]+)$' THEN NULL",
            f"WHEN lower({v}) ~ {lit(_NONFINITE)} THEN 'not a finite number'",
            f"WHEN {v} ~ {lit(_NUMBERISH)} THEN 'not a fraction between 0 and 1'",
            "ELSE 'not a number'",
        ]
    elif type_ in ("date", "timestamp"):
        pattern = _DATE if type_ == "date" else _TS
        what = "date (expected YYYY-MM-DD)" if type_ == "date" else "timestamp (expected ISO 8601)"
        parts += [
            f"WHEN {v} !~ {lit(pattern)} THEN 'not a {what}'",
            f"WHEN NOT ({_valid_day(v)}) THEN 'not a real calendar day'",
            f"WHEN NOT ({_in_range(v)}) THEN 'date out of range (before {EARLIEST_DATE} or after tomorrow)'",
        ]
    elif type_ == "plan_date":
        parts += [
            f"WHEN {v} !~ {lit(_DATE)} THEN 'not a date (expected YYYY-MM-DD)'",
            f"WHEN NOT ({_valid_day(v)}) THEN 'not a real calendar day'",
            f"WHEN NOT ({_in_range(v, PLAN_DAYS_AHEAD)}) "
            f"THEN 'date out of range (before {EARLIEST_DATE} or more than 10 years ahead)'",
        ]
    elif type_ == "bool":
        allowed = ", ".join(lit(x) for x in _TRUE + _FALSE)
        parts.append(f"WHEN lower({v}) NOT IN ({allowed}) THEN 'not a boolean (true/false)'")
    else:
        raise ValueError(f"unsupported column type {type_!r}")
    return "CASE " + " ".join(parts) + " END"


def cast_expr(type_: str, v: str) -> str:
    if type_ == "text":
        return v
    if type_ == "bool":
        return f"lower({v}) IN ({', '.join(lit(x) for x in _TRUE)})"
    if type_ == "timestamp":
        return f"({v})::timestamptz"
    return f"({v})::{SQL_TYPES[type_]}"


def _trimmed(col: str) -> str:
    return f"nullif(btrim({col}), '')"


def check_types(conn: Connection, kind: Kind, hmap: HeaderMap) -> None:
    """Record bad cells in `pf_rej` (made by `copy_stage`) and build `pf_typed` from the remaining rows."""
    checks = []
    reasons = []
    for column in kind.columns:
        stage_col = hmap.stage_column(column.name)
        if stage_col is None:
            continue
        v = _trimmed(f"s.{stage_col}")
        reasons.append(cell_check(column.name, column.type, column.required, v))
        checks.append(f"({lit(column.name)}, s.{stage_col}, {reasons[-1]})")
    if checks:
        # One pass finds the rows holding any bad cell (each CASE once per cell, no row multiplied); only
        # those rows are then unfolded cell by cell for their reasons. A clean file pays the first pass only.
        any_bad = " OR ".join(f"({reason}) IS NOT NULL" for reason in reasons)
        conn.exec_driver_sql(
            "INSERT INTO pf_rej (line, reason, col, val) SELECT s.line, x.reason, x.col, x.val "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
            f"FROM (SELECT * FROM pf_stage s WHERE {any_bad}) s "
            f"CROSS JOIN LATERAL (VALUES {', '.join(checks)}) AS x(col, val, reason) "
            "WHERE x.reason IS NOT NULL"
        )
    selects = ["s.line"]
    for column in kind.columns:
        stage_col = hmap.stage_column(column.name)
        sql_type = SQL_TYPES[column.type]
        if stage_col is None:
            selects.append(f"NULL::{sql_type} AS {column.name}")
            continue
        v = _trimmed(f"s.{stage_col}")
        if column.name == "platform":
            v = f"lower({v})"
        elif column.name == "handle":  # the handle rule, see normalise_handles
            v = f"lower(nullif(btrim(ltrim({v}, '@')), ''))"
        selects.append(f"{cast_expr(column.type, v)} AS {column.name}")
    rejected = conn.exec_driver_sql("SELECT EXISTS (SELECT 1 FROM pf_rej)").scalar()
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE pf_typed ON COMMIT DROP AS SELECT {', '.join(selects)} FROM pf_stage s "  # noqa: S608 - identifiers from the kind spec; cell values are never interpolated
        + ("WHERE NOT EXISTS (SELECT 1 FROM pf_rej r WHERE r.line = s.line)" if rejected else "")
    )


# A handle SQL's lower()/ltrim('@') may not have finished: a URL or path ('/'), a character outside
# printable ASCII (casefold differs from lower: 'ß' → 'ss') or a control character.
_HANDLE_FOR_PYTHON = "t.handle ~ '[^ -.0-~]'"


def normalise_handles(conn: Connection) -> None:
    """The handle rule of every kind (etl_jobs.normalise.handle: case-folded, leading ``@`` dropped, a
    profile URL reduced to its handle). `check_types` applies the ASCII part in SQL (lower, ltrim '@');
    the few distinct handles it cannot finish are normalised here, once per value, and a URL that names
    no profile rejects its rows."""
    raws = [
        r[0]
        for r in conn.exec_driver_sql(
            f"SELECT DISTINCT t.handle FROM pf_typed t WHERE {_HANDLE_FOR_PYTHON}"  # noqa: S608 - constant SQL
        )
    ]
    changed = [(raw, norm.handle(raw)[0]) for raw in raws]
    changed = [(raw, new) for raw, new in changed if new != raw]
    if not changed:
        return
    conn.exec_driver_sql(
        "INSERT INTO pf_rej (line, reason, col, val) SELECT t.line, "
        "'not a handle (a URL that names no profile)', 'handle', t.handle FROM pf_typed t "
        "WHERE t.handle = ANY(%s::text[])",
        ([raw for raw, new in changed if new is None],),
    )
    conn.exec_driver_sql(
        "DELETE FROM pf_typed t WHERE t.handle = ANY(%s::text[])",
        ([raw for raw, new in changed if new is None],),
    )
    conn.exec_driver_sql(
        "UPDATE pf_typed t SET handle = m.new FROM unnest(%s::text[], %s::text[]) AS m(raw, new) "
        "WHERE t.handle = m.raw",
        ([raw for raw, new in changed if new], [new for _, new in changed if new]),
    )
