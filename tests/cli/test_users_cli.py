"""`predictfluence users invite|list|role|disable|enable` against moto's user pool and the real database:
what it prints, what it changes, and one-line errors (no traceback)."""

from __future__ import annotations

import getpass
import json

import sqlalchemy as sa
from click.testing import CliRunner

from predictfluence_tools.cli import main
from tests import cognito_pool

cognito, moto_endpoint = cognito_pool.cognito, cognito_pool.moto_endpoint  # the pool's fixtures


def _run(*args: str):
    return CliRunner().invoke(main, ["users", *args])


def test_invite_list_role_disable_enable(cognito):
    from predictfluence import identity
    from predictfluence.db import get_engine
    from predictfluence.queries import users as q

    invited = _run("invite", "Kim@Example.com", "--role", "manager", "--no-send-email")
    assert invited.exit_code == 0, invited.output
    password = invited.stdout.strip()
    assert len(password) == 16 and "\n" not in password
    assert "invited kim@example.com as manager" in invited.stderr
    record = q.by_email("kim@example.com")
    assert (record["role"], record["invited_by"], record["disabled_at"]) == ("manager", f"cli:{getpass.getuser()}", None)

    listed = _run("list")
    assert listed.exit_code == 0
    rows = [line.split()[:4] for line in listed.stdout.splitlines()]
    assert rows == [["admin@predictfluence.local", "admin", "enabled", "CONFIRMED"],
                    ["kim@example.com", "manager", "enabled", "FORCE_CHANGE_PASSWORD"]]

    assert _run("role", "kim@example.com", "viewer").stdout.split()[:3] == ["kim@example.com", "viewer", "enabled"]
    assert identity.get_user("kim@example.com").role == "viewer"
    assert q.by_email("kim@example.com")["role"] == "viewer"

    disabled = _run("disable", "kim@example.com")
    assert disabled.exit_code == 0 and disabled.stdout.split()[:3] == ["kim@example.com", "viewer", "disabled"]
    assert identity.get_user("kim@example.com").enabled is False
    assert q.by_email("kim@example.com")["disabled_at"] is not None
    enabled = _run("enable", "kim@example.com")
    assert enabled.stdout.split()[:3] == ["kim@example.com", "viewer", "enabled"]
    assert q.by_email("kim@example.com")["disabled_at"] is None
    # each change is in the audit log, as the same change through the API would be
    with get_engine().connect() as conn:
        events = conn.execute(sa.text("SELECT actor, action, target_type, target_id, details FROM audit_event "
                                      "WHERE target_id = 'kim@example.com' ORDER BY id")).all()
    actor = f"cli:{getpass.getuser()}"
    assert [tuple(e) for e in events] == [
        (actor, "user.invite", "user", "kim@example.com", {"role": "manager"}),
        (actor, "user.update", "user", "kim@example.com", {"role": "viewer"}),
        (actor, "user.update", "user", "kim@example.com", {"enabled": False}),
        (actor, "user.update", "user", "kim@example.com", {"enabled": True}),
    ]


def test_errors_are_one_line(cognito):
    assert _run("invite", "lee@example.com", "--role", "viewer", "--no-send-email").exit_code == 0
    again = _run("invite", "LEE@example.com", "--role", "admin", "--no-send-email")
    assert again.exit_code == 1
    assert again.stderr.strip().splitlines()[-1] == "Error: a user lee@example.com already exists"
    unknown = _run("disable", "nobody@example.com")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip().splitlines()[-1] == "Error: no user nobody@example.com in the user pool"
    bad = _run("invite", "not-an-email", "--role", "viewer")
    assert bad.exit_code == 2 and "is not an e-mail address" in bad.stderr
    assert _run("role", "lee@example.com", "owner").exit_code == 2
    for result in (again, unknown, bad):
        assert "Traceback" not in result.output


def test_without_a_pool_it_says_what_to_set(db, monkeypatch, tmp_path):
    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path))
    result = _run("list")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no Cognito user pool is configured (PF_COGNITO_USER_POOL_ID)"


def test_the_running_stacks_pool_is_found_in_the_data_folder(cognito, monkeypatch, tmp_path):
    saved = json.loads((tmp_path / "cognito.json").read_text())
    assert saved == {"user_pool_id": cognito["pool"].user_pool_id, "client_id": cognito["pool"].client_id,
                     "endpoint": cognito["endpoint"], "admin_email": "admin@predictfluence.local",
                     "region": "us-east-1"}
    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID", "PF_COGNITO_ENDPOINT"):
        monkeypatch.setenv(name, "")
    listed = _run("list")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.split()[:2] == ["admin@predictfluence.local", "admin"]
