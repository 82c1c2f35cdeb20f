"""Helpers shared by the query modules."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from predictfluence.db import get_engine


def rows(sql: str | sa.TextClause, params: dict[str, Any] | None = None,
         conn: Connection | None = None) -> list[dict[str, Any]]:
    stmt = sa.text(sql) if isinstance(sql, str) else sql
    if conn is not None:
        return [dict(r) for r in conn.execute(stmt, params or {}).mappings()]
    with get_engine().connect() as c:
        return [dict(r) for r in c.execute(stmt, params or {}).mappings()]


def one(sql: str | sa.TextClause, params: dict[str, Any] | None = None,
        conn: Connection | None = None) -> dict[str, Any] | None:
    found = rows(sql, params, conn)
    return found[0] if found else None


def ratio(numerator: float | int | None, denominator: float | int | None, scale: float = 1.0) -> float | None:
    """numerator / denominator × scale, or None when the denominator is missing or zero."""
    if numerator is None or not denominator:
        return None
    return float(numerator) / float(denominator) * scale


def order_clause(column_sql: str, order: str, tiebreak: str) -> str:
    """ORDER BY for an allow-listed column expression; NULLs always last; `tiebreak` (ascending) keeps pages
    stable. Descending sorts match the rollup indexes (column DESC NULLS LAST, id), so a page is an index scan."""
    direction = "ASC" if order == "asc" else "DESC"
    return f"ORDER BY {column_sql} {direction} NULLS LAST, {tiebreak}"
