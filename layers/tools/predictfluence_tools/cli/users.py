"""`predictfluence users …`: team accounts in the Cognito user pool (what the Team page and /users do).

The pool comes from PF_COGNITO_USER_POOL_ID (+ PF_COGNITO_ENDPOINT locally); without it, the pool of a
running `make run` (its data folder's cognito.json) is used."""

from __future__ import annotations

import re

import click

from predictfluence.vocab import API_ROLES
from predictfluence_tools.cli.actor import audit, cli_actor
from predictfluence_tools.localdb import needs_database

EMAIL = re.compile(r"^[^@\s/\x00-\x1f]+@[^@\s/\x00-\x1f]+\.[^@\s/\x00-\x1f]+$")


def _email(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    value = value.strip().lower()
    if not EMAIL.fullmatch(value) or len(value) > 254:
        raise click.BadParameter(f"{value!r} is not an e-mail address")
    return value


def _pool() -> None:
    """The database first (each change is recorded there, so its problem is the one to name), then the
    pool: configured, or the running stack's."""
    from predictfluence.queries.users import list_users
    from predictfluence_tools.devstack.cognito import use_local_pool_unless_configured

    list_users()  # reachable and migrated (app_user exists)
    use_local_pool_unless_configured()


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(getattr(exc, "message", str(exc)))


def _line(user) -> str:
    created = f"{user.created:%Y-%m-%d}" if user.created else ""
    state = "enabled" if user.enabled else "disabled"
    return f"{user.email:<40} {user.role or '-':<8} {state:<9} {user.status:<22} {created}"


@click.group()
def users() -> None:
    """Team members who sign in to the site (Cognito user pool; roles viewer, manager, admin)."""


@users.command()
@click.argument("email", callback=_email)
@click.option("--role", type=click.Choice(API_ROLES), required=True, help="What the user may do.")
@click.option("--send-email/--no-send-email", default=True, show_default=True,
              help="Let Cognito e-mail the invitation (AWS); the temporary password is printed either way.")
@needs_database
def invite(email: str, role: str, send_email: bool) -> None:
    """Invite EMAIL with a temporary password (printed once; changed at the first sign-in)."""
    from predictfluence import identity
    from predictfluence.api import team

    _pool()
    try:
        user, password = team.invite(email, role, cli_actor(), send_email=send_email)
    except identity.IdentityError as exc:
        raise _fail(exc) from None
    audit("user.invite", "user", user.email, {"role": role})
    click.echo(password)
    click.echo(f"invited {user.email} as {role} — give them the temporary password above; they choose their own "
               f"at the first sign-in.", err=True)


@users.command("list")
@needs_database
def list_() -> None:
    """List users: e-mail, role, enabled, status, created."""
    from predictfluence import identity
    from predictfluence.api import team

    _pool()
    try:
        found = team.list_users()
    except identity.IdentityError as exc:
        raise _fail(exc) from None
    for user in found:
        click.echo(_line(user))


def _update(email: str, **change) -> None:
    from predictfluence import identity
    from predictfluence.api import team

    _pool()
    try:
        user = team.update(email, **change)
    except identity.IdentityError as exc:
        raise _fail(exc) from None
    audit("user.update", "user", user.email, change)
    click.echo(_line(user))


@users.command()
@click.argument("email", callback=_email)
@needs_database
def disable(email: str) -> None:
    """Disable EMAIL: signed out everywhere; the API refuses their tokens within the revocation TTL."""
    _update(email, enabled=False)


@users.command()
@click.argument("email", callback=_email)
@needs_database
def enable(email: str) -> None:
    """Enable EMAIL again."""
    _update(email, enabled=True)


@users.command()
@click.argument("email", callback=_email)
@click.argument("role", type=click.Choice(API_ROLES))
@needs_database
def role(email: str, role: str) -> None:
    """Change EMAIL's role."""
    _update(email, role=role)


commands = [users]
