"""The readiness check behind GET /health/ready (GET /health itself makes no database call)."""

from __future__ import annotations

import sqlalchemy as sa

from predictfluence.db import get_engine, writer_engine


def check_database() -> tuple[bool, str]:
    """The writer and, when the request reads from one, the reader: either down is "not ready"."""
    try:
        for engine in dict.fromkeys((writer_engine(), get_engine())):
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy", reported, never raised
        return False, f"unavailable: {type(exc).__name__}"
