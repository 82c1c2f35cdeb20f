"""`predictfluence keys create|list|revoke` against the real database."""

from __future__ import annotations

from click.testing import CliRunner

from predictfluence_tools.cli import main


def test_keys_create_list_revoke(client, api_db):
    runner = CliRunner()
    created = runner.invoke(main, ["keys", "create", "--role", "manager", "--name", "ci"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("pfk_")
    assert client.http.post("/campaigns", headers={"Authorization": f"Bearer {key}"},
                            body='{"name": "from cli"}').status_code == 201
    listing = runner.invoke(main, ["keys", "list"])
    assert listing.exit_code == 0 and "manager" in listing.stdout and "ci" in listing.stdout
    assert key not in listing.stdout
    prefix = key.split("_")[1]
    revoked = runner.invoke(main, ["keys", "revoke", prefix])
    assert revoked.exit_code == 0 and f"({prefix}, manager)" in revoked.stdout
    # The CLI is another process: the API refuses the key once its key cache (≤ 5 s) expires, simulated here
    from predictfluence.api.auth import forget_verified_keys

    forget_verified_keys()
    assert client.http.get("/campaigns", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert runner.invoke(main, ["keys", "revoke", "nope"]).exit_code != 0
    assert runner.invoke(main, ["keys", "create", "--role", "root"]).exit_code != 0


def test_keys_made_and_revoked_with_the_cli_are_audited(api_db):
    """issue 14.5: the CLI's key writes land in the audit log as `cli:<OS user>`, who is also the key's creator."""
    import getpass

    import sqlalchemy as sa

    runner = CliRunner()
    created = runner.invoke(main, ["keys", "create", "--role", "viewer", "--name", "nightly"])
    assert created.exit_code == 0, created.output
    prefix = created.stdout.strip().splitlines()[0].split("_")[1]
    assert runner.invoke(main, ["keys", "revoke", prefix]).exit_code == 0
    assert runner.invoke(main, ["keys", "revoke", "nope"]).exit_code != 0  # refused: nothing logged
    actor = f"cli:{getpass.getuser()}"
    with api_db.connect() as conn:
        key_id, created_by = conn.execute(sa.text("SELECT id, created_by FROM api_key WHERE prefix = :p"),
                                          {"p": prefix}).one()
        events = conn.execute(sa.text("SELECT actor, role, action, target_type, target_id, details "
                                      "FROM audit_event ORDER BY id")).all()
    assert created_by == actor
    assert [tuple(e) for e in events] == [
        (actor, None, "key.create", "key", str(key_id), {"role": "viewer", "name": "nightly"}),
        (actor, None, "key.revoke", "key", str(key_id), None),
    ]
