"""The local Cognito user pool (moto's cognito-idp, or LocalStack's): the pool, the site's app client,
the viewer / manager / admin groups and an admin user, as infra/resources.json creates them in AWS.

Idempotent: the pool and the client are looked up by name before they are created (moto's server forgets
everything when `make run` stops, LocalStack may not), and the admin's password is kept in the data folder
(0600) and set again, so the same e-mail and password sign in after every restart."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from predictfluence import identity
from predictfluence.config import get_settings, reset_settings
from predictfluence.vocab import API_ROLES

POOL_NAME = "predictfluence-local"
CLIENT_NAME = "predictfluence-site"
ADMIN_EMAIL = "admin@predictfluence.local"
POOL_FILE = "cognito.json"  # in the data folder: the running stack's pool, for the CLI (`predictfluence users`)
AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]


@dataclass(frozen=True)
class LocalPool:
    user_pool_id: str
    client_id: str
    endpoint: str
    admin_email: str
    admin_password: str


def _find_pool(cognito) -> str | None:
    kwargs: dict = {"MaxResults": 60}
    while True:
        page = cognito.list_user_pools(**kwargs)
        for pool in page.get("UserPools", []):
            if pool["Name"] == POOL_NAME:
                return pool["Id"]
        if not page.get("NextToken"):
            return None
        kwargs["NextToken"] = page["NextToken"]


def _find_client(cognito, pool_id: str) -> str | None:
    page = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
    return next((c["ClientId"] for c in page.get("UserPoolClients", []) if c["ClientName"] == CLIENT_NAME), None)


def _admin_password(data_dir: Path) -> str:
    path = data_dir / "dev-admin-password"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    password = identity.temporary_password(20)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def provision(endpoint: str) -> LocalPool:
    """Create or find the pool, client, groups and admin user at `endpoint`; point the settings
    (PF_COGNITO_*) at them. Returns the pool and the admin's sign-in."""
    os.environ["PF_COGNITO_ENDPOINT"] = endpoint
    if not os.environ.get("PF_COGNITO_REGION"):
        os.environ["PF_COGNITO_REGION"] = get_settings().aws_region
    reset_settings()
    cognito = identity.client()
    pool_id = _find_pool(cognito) or cognito.create_user_pool(
        PoolName=POOL_NAME,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": {"MinimumLength": 12, "RequireUppercase": True, "RequireLowercase": True,
                                     "RequireNumbers": True, "RequireSymbols": True,
                                     "TemporaryPasswordValidityDays": 7}},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    client_id = _find_client(cognito, pool_id) or cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName=CLIENT_NAME, GenerateSecret=False, ExplicitAuthFlows=AUTH_FLOWS,
        PreventUserExistenceErrors="ENABLED", EnableTokenRevocation=True,
    )["UserPoolClient"]["ClientId"]
    existing = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id).get("Groups", [])}
    for role in API_ROLES:
        if role not in existing:
            cognito.create_group(UserPoolId=pool_id, GroupName=role, Description=f"Predictfluence {role}")
    os.environ["PF_COGNITO_USER_POOL_ID"] = pool_id
    os.environ["PF_COGNITO_CLIENT_ID"] = client_id
    reset_settings()

    password = _admin_password(get_settings().data_dir)
    try:
        identity.get_user(ADMIN_EMAIL)
    except identity.IdentityError:
        identity.invite(ADMIN_EMAIL, "admin", password=password, send_email=False)
    identity.set_role(ADMIN_EMAIL, "admin")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=ADMIN_EMAIL, Password=password, Permanent=True)
    cognito.admin_enable_user(UserPoolId=pool_id, Username=ADMIN_EMAIL)
    pool = LocalPool(pool_id, client_id, endpoint, ADMIN_EMAIL, password)
    _record_admin(pool)
    found = {k: v for k, v in asdict(pool).items() if k != "admin_password"}
    (get_settings().data_dir / POOL_FILE).write_text(json.dumps({**found, "region": get_settings().cognito_region}))
    return pool


def _record_admin(pool: LocalPool) -> None:
    """The admin's app_user record (the authorizer's revocation check), with this pool's sub."""
    from predictfluence.queries import users

    users.upsert(pool.admin_email, identity.get_user(pool.admin_email).sub, "admin", None)


def forget_pool() -> None:
    """No pool after all (the endpoint does not serve Cognito): the settings and the data folder say so."""
    for name in ("PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID", "PF_COGNITO_ENDPOINT"):
        os.environ.pop(name, None)
    reset_settings()
    (get_settings().data_dir / POOL_FILE).unlink(missing_ok=True)


def use_local_pool_unless_configured() -> None:
    """Point the settings at the pool of a running `make run` (its data folder's cognito.json) when no
    pool is configured; with neither, leave it to the caller's "no pool" error."""
    if get_settings().cognito_user_pool_id:
        return
    path = get_settings().data_dir / POOL_FILE
    if not path.exists():
        return
    found = json.loads(path.read_text())
    os.environ["PF_COGNITO_USER_POOL_ID"] = found["user_pool_id"]
    os.environ["PF_COGNITO_CLIENT_ID"] = found["client_id"]
    os.environ["PF_COGNITO_ENDPOINT"] = found["endpoint"]
    os.environ["PF_COGNITO_REGION"] = found["region"]
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    reset_settings()
