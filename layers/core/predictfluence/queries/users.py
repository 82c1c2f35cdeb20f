"""SQL for the API's record of Cognito users (table `app_user`): what the authorizer checks (role,
disabled) and what invites, role changes and disabling write."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from predictfluence.db import get_engine, writer_engine

_COLUMNS = "id, email, sub, role, disabled_at, created_at, invited_by"
_FIND = sa.text(
    f"SELECT {_COLUMNS} FROM app_user WHERE sub = :sub "  # noqa: S608 - constant column list
    "UNION ALL SELECT " + _COLUMNS + " FROM app_user WHERE email = :email AND (sub IS NULL OR sub <> :sub) "
    "LIMIT 1"
)
_BY_EMAIL = sa.text(f"SELECT {_COLUMNS} FROM app_user WHERE email = :email")  # noqa: S608
_LIST = sa.text(f"SELECT {_COLUMNS} FROM app_user ORDER BY email")  # noqa: S608
_UPSERT = sa.text(
    "INSERT INTO app_user (email, sub, role, invited_by) VALUES (:email, :sub, :role, :invited_by) "
    "ON CONFLICT (email) DO UPDATE SET sub = coalesce(EXCLUDED.sub, app_user.sub), role = EXCLUDED.role, "
    "disabled_at = NULL "
    "RETURNING id, email, sub, role, disabled_at, created_at, invited_by"
)
_SET_ROLE = sa.text(f"UPDATE app_user SET role = :role WHERE email = :email RETURNING {_COLUMNS}")  # noqa: S608
_SET_DISABLED = sa.text(
    "UPDATE app_user SET disabled_at = CASE WHEN :disabled THEN coalesce(disabled_at, now()) END "
    "WHERE email = :email RETURNING id, email, sub, role, disabled_at, created_at, invited_by"
)


def find(sub: str, email: str) -> dict[str, Any] | None:
    """The record of the token's user: by `sub`, else by e-mail (a record made before the sub was known).
    Always the writer, so that a user disabled a moment ago is refused at once."""
    with writer_engine().connect() as conn:
        row = conn.execute(_FIND, {"sub": sub, "email": email.lower()}).mappings().first()
    return dict(row) if row is not None else None


def by_email(email: str) -> dict[str, Any] | None:
    with get_engine().connect() as conn:
        row = conn.execute(_BY_EMAIL, {"email": email.lower()}).mappings().first()
    return dict(row) if row is not None else None


def list_users() -> list[dict[str, Any]]:
    with get_engine().connect() as conn:
        return [dict(r) for r in conn.execute(_LIST).mappings()]


def upsert(email: str, sub: str | None, role: str, invited_by: str | None) -> dict[str, Any]:
    """Record an invited (or re-provisioned) user: enabled, in `role`."""
    with get_engine().begin() as conn:
        return dict(conn.execute(_UPSERT, {"email": email.lower(), "sub": sub, "role": role,
                                           "invited_by": invited_by}).mappings().one())


def set_role(email: str, role: str) -> dict[str, Any] | None:
    with get_engine().begin() as conn:
        row = conn.execute(_SET_ROLE, {"email": email.lower(), "role": role}).mappings().first()
    return dict(row) if row is not None else None


def set_disabled(email: str, disabled: bool) -> dict[str, Any] | None:
    with get_engine().begin() as conn:
        row = conn.execute(_SET_DISABLED, {"email": email.lower(), "disabled": disabled}).mappings().first()
    return dict(row) if row is not None else None
