"""`predictfluence keys …`: API keys (create prints the key once; the database keeps only its sha256)."""

from __future__ import annotations

import click

from predictfluence.vocab import API_ROLES
from predictfluence_tools.cli.actor import audit, cli_actor
from predictfluence_tools.localdb import needs_database


def _audit(action: str, key_id: int, details: dict | None = None) -> None:
    audit(action, "key", str(key_id), details)


@click.group()
def keys() -> None:
    """Bearer API keys for the REST API (roles: viewer reads, manager writes, admin keys + retraining)."""


@keys.command()
@click.option("--role", type=click.Choice(API_ROLES), required=True, help="What the key may do.")
@click.option("--name", default=None, help="Who or what uses the key.")
@needs_database
def create(role: str, name: str | None) -> None:
    """Create a key and print it (it is not shown again)."""
    from predictfluence.api.auth import create_key

    key, row = create_key(role, name, cli_actor())
    _audit("key.create", row["id"], {"role": role, "name": name})
    click.echo(key)
    click.echo(f"id {row['id']} · prefix {row['prefix']} · role {role} — store the key now; it is not shown again.",
               err=True)


@keys.command("list")
@needs_database
def list_() -> None:
    """List keys (never the keys themselves)."""
    from predictfluence.queries.api_keys import list_keys

    for row in list_keys():
        state = f"revoked {row['revoked_at']:%Y-%m-%d %H:%M}" if row["revoked_at"] else "active"
        used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
        click.echo(f"{row['id']:>5}  {row['prefix']}  {row['role']:<8} {state:<24} used {used:<17} {row['name'] or ''}")


@keys.command()
@click.argument("key_id_or_prefix")
@needs_database
def revoke(key_id_or_prefix: str) -> None:
    """Revoke a key by id or prefix."""
    from predictfluence.queries.api_keys import revoke_key

    row = revoke_key(key_id_or_prefix)
    if row is None:
        raise click.ClickException(f"no key with id or prefix {key_id_or_prefix!r}")
    _audit("key.revoke", row["id"])
    click.echo(f"revoked key {row['id']} ({row['prefix']}, {row['role']})")


commands = [keys]
