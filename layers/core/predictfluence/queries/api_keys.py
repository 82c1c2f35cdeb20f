"""SQL for API keys (table `api_key`): create, find by prefix, list, revoke."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from predictfluence.db import get_engine, writer_engine
from predictfluence.queries.audit import actor_label

_INSERT = sa.text(
    "INSERT INTO api_key (prefix, key_hash, role, name, created_by) VALUES (:prefix, :key_hash, :role, :name, "  # noqa: S608
    f":created_by) RETURNING id, prefix, role, name, created_at, created_by, {actor_label('api_key.created_by')} AS created_by_label"
)
_BY_PREFIX = sa.text("SELECT id, key_hash, role, revoked_at FROM api_key WHERE prefix = :prefix")
_TOUCH = sa.text(
    "UPDATE api_key SET last_used_at = now() WHERE id = :id "
    "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')"
)
_LIST = sa.text(
    "SELECT id, prefix, role, name, created_at, revoked_at, last_used_at, created_by, "  # noqa: S608
    f"{actor_label('api_key.created_by')} AS created_by_label FROM api_key ORDER BY id"
)
_REVOKE = sa.text(
    "UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = :id OR prefix = :prefix "
    "RETURNING id, prefix, role, name, revoked_at"
)


def insert_key(prefix: str, key_hash: str, role: str, name: str | None,
               created_by: str | None = None) -> dict[str, Any]:
    """The new key's row; `created_by` is the creating admin's principal.actor (None from the CLI)."""
    with get_engine().begin() as conn:
        return dict(conn.execute(_INSERT, {"prefix": prefix, "key_hash": key_hash, "role": role, "name": name,
                                           "created_by": created_by}).mappings().one())


def find_by_prefix(prefix: str) -> dict[str, Any] | None:
    """The key row for `prefix`; marks it used (at most once a minute, so reads stay cheap). Always the
    writer: a key created or revoked a moment ago counts at once, and the mark is a write."""
    with writer_engine().begin() as conn:
        row = conn.execute(_BY_PREFIX, {"prefix": prefix}).mappings().first()
        if row is not None and row["revoked_at"] is None:
            conn.execute(_TOUCH, {"id": row["id"]})
        return dict(row) if row is not None else None


def list_keys() -> list[dict[str, Any]]:
    with get_engine().connect() as conn:
        return [dict(r) for r in conn.execute(_LIST).mappings()]


def revoke_key(ident: str) -> dict[str, Any] | None:
    """Revoke by numeric id or by prefix; returns the row, or None when no key matches. SQL only: the API
    revokes through `predictfluence.api.auth.revoke_key`, which also clears its process's key cache."""
    key_id = int(ident) if ident.isdigit() and len(ident) < 19 else -1
    with get_engine().begin() as conn:
        row = conn.execute(_REVOKE, {"id": key_id, "prefix": ident}).mappings().first()
    return dict(row) if row is not None else None
