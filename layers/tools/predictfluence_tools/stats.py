"""Warehouse-wide facts (row counts per table)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence.models import Base


def table_counts(engine: Engine) -> dict[str, int]:
    tables = sorted(Base.metadata.tables)
    query = " UNION ALL ".join(
        f"SELECT '{name}' AS table_name, count(*) AS row_count FROM {name}" for name in tables  # noqa: S608 - names from metadata
    )
    with engine.connect() as conn:
        return {row.table_name: row.row_count for row in conn.execute(sa.text(query))}
