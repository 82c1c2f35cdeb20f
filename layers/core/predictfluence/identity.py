"""The Cognito user pool's admin calls (boto3 `cognito-idp`): invite, list, change group, disable.

Only this module talks to Cognito's admin API; the users routes (functions/api/users.py) and the CLI
(`predictfluence users`) go through `predictfluence.api.team`, which also keeps the local `app_user` record
the authorizer checks. boto3 is imported lazily (it is not on the API's cold-start path for other routes).
Groups are the API roles (viewer / manager / admin); a user is in exactly one.
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from predictfluence.config import get_settings
from predictfluence.vocab import API_ROLES


class IdentityError(Exception):
    """A Cognito call failed for a reason the caller can name (no pool, unknown user, existing user)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code  # "not_configured" | "not_found" | "exists" | "invalid"
        self.message = message


@dataclass(frozen=True)
class PoolUser:
    email: str
    sub: str | None
    role: str | None
    status: str
    enabled: bool
    created: datetime | None


def temporary_password(length: int = 16) -> str:
    """A password that satisfies Cognito's default policy (upper, lower, digit, symbol, ≥ 8)."""
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#%+-=?@^_"]
    chars = [secrets.choice(c) for c in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def client() -> Any:
    settings = get_settings()
    return _client(settings.cognito_endpoint_override or settings.aws_endpoint_url, settings.cognito_region)


@lru_cache(maxsize=4)
def _client(endpoint_url: str | None, region: str) -> Any:
    import boto3

    return boto3.session.Session().client("cognito-idp", endpoint_url=endpoint_url, region_name=region)


def pool_id() -> str:
    settings = get_settings()
    if not settings.cognito_user_pool_id:
        raise IdentityError("not_configured", "no Cognito user pool is configured (PF_COGNITO_USER_POOL_ID)")
    return settings.cognito_user_pool_id


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _attr(attributes: list[dict[str, str]], name: str) -> str | None:
    return next((a["Value"] for a in attributes if a["Name"] == name), None)


def _groups(email: str) -> list[str]:
    found = client().admin_list_groups_for_user(UserPoolId=pool_id(), Username=email).get("Groups", [])
    return [g["GroupName"] for g in found if g["GroupName"] in API_ROLES]


def _highest(groups: list[str]) -> str | None:
    ranked = [r for r in API_ROLES if r in groups]
    return ranked[-1] if ranked else None


def _user(raw: dict[str, Any], attributes_key: str) -> PoolUser:
    attributes = raw.get(attributes_key, [])
    email = _attr(attributes, "email") or raw["Username"]
    return PoolUser(email=email.lower(), sub=_attr(attributes, "sub"), role=_highest(_groups(raw["Username"])),
                    status=str(raw.get("UserStatus", "UNKNOWN")), enabled=bool(raw.get("Enabled", True)),
                    created=raw.get("UserCreateDate"))


def get_user(email: str) -> PoolUser:
    try:
        raw = client().admin_get_user(UserPoolId=pool_id(), Username=email)
    except Exception as exc:
        if _code(exc) in ("UserNotFoundException", "InvalidParameterException"):  # no such user (name)
            raise IdentityError("not_found", f"no user {email} in the user pool") from None
        raise
    return _user(raw, "UserAttributes")


def list_users() -> list[PoolUser]:
    users: list[PoolUser] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id()}
    while True:
        page = client().list_users(**kwargs)
        users += [_user(raw, "Attributes") for raw in page.get("Users", [])]
        if not page.get("PaginationToken"):
            break
        kwargs["PaginationToken"] = page["PaginationToken"]
    return sorted(users, key=lambda u: u.email)


def invite(email: str, role: str, *, password: str | None = None, send_email: bool = True) -> tuple[PoolUser, str]:
    """Create the user with a temporary password (changed at the first sign-in) in the role's group.
    Returns (the user, the temporary password). `send_email=False` suppresses Cognito's invitation mail."""
    if role not in API_ROLES:
        raise IdentityError("invalid", f"role must be one of {', '.join(API_ROLES)}")
    password = password or temporary_password()
    kwargs: dict[str, Any] = {
        "UserPoolId": pool_id(), "Username": email, "TemporaryPassword": password,
        "UserAttributes": [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}],
        "DesiredDeliveryMediums": ["EMAIL"],
    }
    if not send_email:
        kwargs["MessageAction"] = "SUPPRESS"
    try:
        raw = client().admin_create_user(**kwargs)["User"]
    except Exception as exc:
        if _code(exc) == "UsernameExistsException":
            raise IdentityError("exists", f"a user {email} already exists") from None
        if _code(exc) in ("InvalidParameterException", "InvalidPasswordException"):
            raise IdentityError("invalid", str(exc)) from None
        raise
    client().admin_add_user_to_group(UserPoolId=pool_id(), Username=email, GroupName=role)
    return _user(raw, "Attributes"), password


def set_role(email: str, role: str) -> None:
    """Put the user in `role`'s group and out of the others (Cognito groups are the roles)."""
    if role not in API_ROLES:
        raise IdentityError("invalid", f"role must be one of {', '.join(API_ROLES)}")
    current = _groups(email)
    client().admin_add_user_to_group(UserPoolId=pool_id(), Username=email, GroupName=role)
    for group in current:
        if group != role:
            client().admin_remove_user_from_group(UserPoolId=pool_id(), Username=email, GroupName=group)


def set_enabled(email: str, enabled: bool) -> None:
    """Enable, or disable and sign out everywhere (refresh tokens revoked; the API refuses the user's
    still-valid ID tokens through the local record, see predictfluence.api.team)."""
    if enabled:
        client().admin_enable_user(UserPoolId=pool_id(), Username=email)
        return
    client().admin_disable_user(UserPoolId=pool_id(), Username=email)
    client().admin_user_global_sign_out(UserPoolId=pool_id(), Username=email)
