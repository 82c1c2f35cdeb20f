"""SQL for saved header mappings (table `column_mapping`): save (replace), find by signature, list, delete.

The API saves and deletes (role pf_api); the ETL only reads (pf_etl), through `find_mapping`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence.db import get_engine

_UPSERT = sa.text(
    "INSERT INTO column_mapping (signature, kind, mapping, source_name, saved_by) "
    "VALUES (:signature, :kind, CAST(:mapping AS jsonb), :source_name, "
    "coalesce((SELECT name || ' (key ' || id || ')' FROM api_key WHERE id = :key_id), :saved_by)) "
    "ON CONFLICT (signature) DO UPDATE SET kind = EXCLUDED.kind, mapping = EXCLUDED.mapping, "
    "source_name = EXCLUDED.source_name, saved_by = EXCLUDED.saved_by, saved_at = now() "
    "RETURNING signature, kind, mapping, source_name, saved_by, saved_at"
)
_FIND = sa.text(
    "SELECT signature, kind, mapping, source_name, saved_by, saved_at FROM column_mapping WHERE signature = :signature"
)
_LIST = sa.text(
    "SELECT signature, kind, mapping, source_name, saved_by, saved_at FROM column_mapping "
    "ORDER BY saved_at DESC, signature LIMIT :limit OFFSET :offset"
)
_COUNT = sa.text("SELECT count(*) FROM column_mapping")
_DELETE = sa.text(
    "DELETE FROM column_mapping WHERE signature = :signature "
    "RETURNING signature, kind, mapping, source_name, saved_by, saved_at"
)


def save_mapping(
    signature: str,
    kind: str,
    mapping: dict[str, Any],
    source_name: str | None,
    saved_by: str | None,
    key_id: int | None = None,
) -> dict[str, Any]:
    """Insert or replace the mapping of `signature`; returns the stored row. `saved_by` is the API key's
    name and id when `key_id` names a key with a name, else `saved_by` as given."""
    params = {
        "signature": signature,
        "kind": kind,
        "mapping": json.dumps(mapping),
        "source_name": source_name,
        "saved_by": saved_by,
        "key_id": key_id,
    }
    with get_engine().begin() as conn:
        return dict(conn.execute(_UPSERT, params).mappings().one())


def find_mapping(signature: str, engine: Engine | None = None) -> dict[str, Any] | None:
    """The saved row of `signature`, or None. `engine`: the caller's (the ETL passes its own)."""
    with (engine or get_engine()).connect() as conn:
        row = conn.execute(_FIND, {"signature": signature}).mappings().first()
    return dict(row) if row is not None else None


def list_mappings(page: int, page_size: int) -> tuple[list[dict[str, Any]], int]:
    with get_engine().connect() as conn:
        rows = conn.execute(_LIST, {"limit": page_size, "offset": (page - 1) * page_size}).mappings()
        items = [dict(r) for r in rows]
        return items, int(conn.execute(_COUNT).scalar_one())


def delete_mapping(signature: str) -> dict[str, Any] | None:
    with get_engine().begin() as conn:
        row = conn.execute(_DELETE, {"signature": signature}).mappings().first()
    return dict(row) if row is not None else None


class AppliedMapping(dict):
    """A saved mapping as the ETL applies it; `note` says whose and when, for the load's report."""

    note: str = ""


def saved_mapping_lookup(engine: Engine | None = None) -> Callable[[str], AppliedMapping | None]:
    """The hook etl_jobs.infer.SAVED_MAPPING_LOOKUP takes: header signature → the saved mapping, or None."""

    def lookup(signature: str) -> AppliedMapping | None:
        row = find_mapping(signature, engine)
        if row is None:
            return None
        applied = AppliedMapping(row["mapping"])
        applied.note = (
            f"mapping saved on {row['saved_at']:%Y-%m-%d} by {row['saved_by'] or 'an unknown user'} applied"
        )
        return applied

    return lookup
