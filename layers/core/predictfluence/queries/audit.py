"""The audit log (table audit_event, append-only) and the readable name of an actor.

An actor is `principal.actor`: "key:<id>" for an API key, "user:<email>" for a signed-in user. Lists show
`actor_label(column)`: the key's name when it has one ("key <id>" otherwise), a user's e-mail.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Protocol

import sqlalchemy as sa

from predictfluence.db import get_engine
from predictfluence.queries.common import rows
from predictfluence.queries.filters import Page, Where, page_of


def actor_label(column: str) -> str:
    """SQL for the readable name of the actor in `column` (a fixed column expression of the caller)."""
    return (
        f"(CASE WHEN {column} ~ '^key:[0-9]{{1,18}}$' THEN coalesce((SELECT ak.name FROM api_key ak "  # noqa: S608
        f"WHERE ak.id = substr({column}, 5)::bigint), 'key ' || substr({column}, 5)) "
        f"WHEN {column} LIKE 'user:%' THEN substr({column}, 6) ELSE {column} END)"
    )


_INSERT = sa.text(
    "INSERT INTO audit_event (actor, role, action, target_type, target_id, details, source_ip, request_id) "
    "VALUES (:actor, :role, :action, :target_type, :target_id, CAST(:details AS jsonb), :source_ip, :request_id) "
    "RETURNING id"
)
_COLUMNS = ("id, at, actor, " + actor_label("audit_event.actor") + " AS actor_label, role, action, target_type, target_id, "
            "details, source_ip, request_id")


def record(
    actor: str,
    role: str | None,
    action: str,
    target_type: str | None,
    target_id: str | None,
    details: dict[str, Any] | None = None,
    source_ip: str | None = None,
    request_id: str | None = None,
) -> int:
    """Append one event; returns its id."""
    params = {
        "actor": actor, "role": role, "action": action, "target_type": target_type,
        "target_id": None if target_id is None else str(target_id)[:500],
        "details": json.dumps(details, default=str) if details else None,
        "source_ip": (source_ip or None) and source_ip[:64], "request_id": (request_id or None) and request_id[:128],
    }
    with get_engine().begin() as conn:
        return int(conn.execute(_INSERT, params).scalar_one())


class AuditFilter(Page, Protocol):
    """What `list_events` reads (the API passes its validated AuditQuery)."""

    actor: str | None
    action: str | None
    target_type: str | None
    target_id: str | None
    start: dt.datetime | dt.date | None
    end: dt.datetime | dt.date | None


def _day_after(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    return value if isinstance(value, dt.datetime) else value + dt.timedelta(days=1)


def list_events(f: AuditFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, and the total matching. `action` matches a prefix ("campaign."
    or "campaign" gives campaign.create, campaign.update …); a date `end` includes that whole day."""
    where = (
        Where()
        .optional("actor = :actor", actor=f.actor)
        .optional("target_type = :target_type", target_type=f.target_type)
        .optional("target_id = :target_id", target_id=f.target_id)
        .optional("at >= :start", start=f.start)
        .optional("at < :end", end=None if f.end is None else _day_after(f.end))
    )
    if f.action is not None:
        prefix = f.action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.add("(action = :action OR action LIKE :action_prefix ESCAPE '\\')",
                  action=f.action, action_prefix=prefix.rstrip(".") + ".%")
    return page_of(_COLUMNS, "audit_event", where, f, "ORDER BY at DESC, id DESC")


def uploaders(file_keys: list[str]) -> dict[str, dict[str, str]]:
    """Who asked for the upload of each S3 key (its `upload.create` event): {key: {"actor", "actor_label"}}.
    Loads of files that did not come through POST /uploads (the CLI, an S3 drop) have none."""
    if not file_keys:
        return {}
    found = rows(
        f"SELECT DISTINCT ON (target_id) target_id, actor, {actor_label('audit_event.actor')} AS actor_label "  # noqa: S608
        "FROM audit_event WHERE target_type = 'upload' AND target_id = ANY(:keys) AND action = 'upload.create' "
        "ORDER BY target_id, id DESC",
        {"keys": list(dict.fromkeys(file_keys))},
    )
    return {r["target_id"]: {"actor": r["actor"], "actor_label": r["actor_label"]} for r in found}
