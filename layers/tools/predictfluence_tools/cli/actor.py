"""Who acts from the command line, as the audit log and the who-columns name them: `cli:<OS user>`."""

from __future__ import annotations

from typing import Any


def cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no user name in this environment (a container without one)
        return "cli:unknown"


def audit(action: str, target_type: str, target_id: str, details: dict[str, Any] | None = None) -> None:
    """Append a CLI change to the audit log (the API's routes append theirs through the Router)."""
    from predictfluence.queries.audit import record

    record(cli_actor(), None, action, target_type, target_id, details)
