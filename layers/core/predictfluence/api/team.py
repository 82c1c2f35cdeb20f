"""Team accounts: what an admin does to users (invite, list, change a role, disable / enable), the same
for the users routes (functions/api/users.py) and the CLI (`predictfluence users`).

Each change goes to Cognito (`predictfluence.identity`: group membership, enabled flag, global sign-out)
and to the local `app_user` record the authorizer checks (`predictfluence.queries.users`), then clears
this process's cache of verified credentials, so this process applies it at once; other processes within
the cache TTLs (docs/deployment.md, "Revocation").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from predictfluence import identity
from predictfluence.api.auth import forget_verified_keys
from predictfluence.queries import users as q


@dataclass(frozen=True)
class TeamUser:
    email: str
    role: str | None
    status: str
    enabled: bool
    created: datetime | None


def _merge(user: identity.PoolUser, record: dict | None) -> TeamUser:
    """The pool's view, with the local record's role and disabled flag (what the API enforces) when the
    two disagree (a change made in the AWS console after the record)."""
    role = str(record["role"]) if record is not None else user.role
    enabled = user.enabled and (record is None or record["disabled_at"] is None)
    return TeamUser(email=user.email, role=role, status=user.status, enabled=enabled, created=user.created)


def list_users() -> list[TeamUser]:
    records = {r["email"]: r for r in q.list_users()}
    return [_merge(u, records.get(u.email)) for u in identity.list_users()]


def invite(email: str, role: str, invited_by: str | None, *, send_email: bool = True) -> tuple[TeamUser, str]:
    """Create the user in Cognito (temporary password, e-mailed by Cognito in AWS unless `send_email` is
    False) and record them. Returns (the user, the temporary password: shown once).
    IdentityError("exists") when taken."""
    user, password = identity.invite(email.lower(), role, send_email=send_email)
    record = q.upsert(user.email, user.sub, role, invited_by)
    return _merge(user, record), password


def _ensure_record(user: identity.PoolUser) -> None:
    if q.by_email(user.email) is None:
        q.upsert(user.email, user.sub, user.role or "viewer", None)


def update(email: str, role: str | None = None, enabled: bool | None = None) -> TeamUser:
    """Change the user's group and/or enabled flag. Disabling also signs the user out everywhere (their
    refresh tokens stop working) and marks the record, which the authorizer refuses. IdentityError
    ("not_found") for an unknown user."""
    user = identity.get_user(email.lower())
    _ensure_record(user)
    if role is not None:
        identity.set_role(user.email, role)
        q.set_role(user.email, role)
    if enabled is not None:
        identity.set_enabled(user.email, enabled)
        q.set_disabled(user.email, not enabled)
    forget_verified_keys()
    return _merge(identity.get_user(user.email), q.by_email(user.email))
