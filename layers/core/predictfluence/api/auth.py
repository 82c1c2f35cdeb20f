"""Bearer credentials and roles: API keys and Cognito ID tokens.

`Authorization: Bearer <credential>` carries either an API key (`pfk_…`, for scripts and other tools) or
a Cognito ID token (a JWT, two dots; the site's signed-in users): `authenticate` tells them apart. A
token is verified by `predictfluence.api.tokens` and then checked against the user's `app_user` record
(disabled → refused; the recorded role wins over the token's group), cached like keys.

A key looks like `pfk_<prefix>_<secret>`. The database stores the prefix (to find the row) and the
sha256 of the whole key (to prove it); the key itself is shown once, at creation. Roles are ordered:
viewer (reads) < manager (writes) < admin (API keys, retraining).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from predictfluence.api import limits
from predictfluence.vocab import API_ROLES

ROLES: tuple[str, ...] = API_ROLES  # least to most privileged
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
KEY_PREFIX = "pfk_"
logger = logging.getLogger("predictfluence.api.auth")


@dataclass(frozen=True)
class Principal:
    key_id: int | None
    role: str
    user_sub: str | None = None
    email: str | None = None

    @property
    def actor(self) -> str:
        """Who acted, as stored on writes and in the audit log: `user:<email>` for a signed-in user,
        `key:<id>` for an API key."""
        if self.email is not None:
            return f"user:{self.email}"
        return f"key:{self.key_id}"

    def context(self) -> dict[str, str]:
        """What the authorizer passes to the route (API Gateway's context values are strings)."""
        out = {"role": self.role, "actor": self.actor}
        if self.key_id is not None:
            out["key_id"] = str(self.key_id)
        if self.email is not None:
            out["email"] = self.email
            out["user_sub"] = self.user_sub or ""
        return out

    @classmethod
    def from_context(cls, context: dict[str, object]) -> Principal:
        key_id = str(context.get("key_id") or "")
        return cls(key_id=int(key_id) if key_id.isdigit() else None, role=str(context.get("role", "")),
                   user_sub=str(context["user_sub"]) if context.get("user_sub") else None,
                   email=str(context["email"]) if context.get("email") else None)

    def has(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


@dataclass(frozen=True)
class NewKey:
    key: str
    prefix: str
    key_hash: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def generate_key() -> NewKey:
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(key=key, prefix=prefix, key_hash=hash_key(key))


def parse_token(header: str | None) -> str | None:
    """The key from an `Authorization: Bearer <key>` header value (a bare key is accepted too)."""
    if not header:
        return None
    value = header.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def key_prefix(key: str) -> str | None:
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, sep, secret = key[len(KEY_PREFIX):].partition("_")
    if not sep or len(prefix) != 12 or not secret:
        return None
    return prefix


# Verified keys, kept briefly per process (a warm Lambda, the local server) so that a request costs no
# key lookup: hash of the key -> (principal, monotonic expiry). Only successes are cached. `revoke_key`
# clears this process's cache; a revocation made elsewhere (another Lambda, the CLI) takes effect here
# within CACHE_SECONDS, after API Gateway's authorizer cache (limits.AUTHORIZER_TTL_SECONDS) expires too.
# Admin routes do not wait: they re-check the key uncached (`authenticate(..., cached=False)`).
CACHE_SECONDS = limits.KEY_CACHE_SECONDS
_verified: dict[str, tuple[Principal, float]] = {}


def forget_verified_keys() -> None:
    _verified.clear()


def authenticate(header: str | None, *, cached: bool = True) -> Principal | None:
    """The principal behind an Authorization header value, or None for a missing/unknown/revoked key or
    an invalid token / disabled user. `cached=False` asks the database even when this process verified the
    credential moments ago. A database failure (or an unreachable JWKS) is raised, never turned into an
    answer."""
    token = parse_token(header)
    # a JWT has two dots, a key none: PyJWT and cryptography are imported only when a token comes
    if token is not None and token.count(".") == 2 and not token.startswith(KEY_PREFIX):
        return _authenticate_token(token, cached=cached)
    return _authenticate_key(token, cached=cached)


def _authenticate_token(token: str, *, cached: bool) -> Principal | None:
    from predictfluence.api import tokens
    from predictfluence.queries.users import find

    digest = hash_key(token)
    hit = _verified.get(digest)
    if cached and hit is not None and hit[1] > time.monotonic():
        return hit[0]
    try:
        who = tokens.verify(token)
    except tokens.TokenError as exc:
        logger.info("ID token refused: %s", exc)
        _verified.pop(digest, None)
        return None
    record = find(who.sub, who.email)
    if record is not None and record["disabled_at"] is not None:
        logger.info("ID token of disabled user refused")
        _verified.pop(digest, None)
        return None
    role = str(record["role"]) if record is not None else who.role
    principal = Principal(key_id=None, role=role, user_sub=who.sub, email=who.email)
    _remember(digest, principal)
    return principal


def _remember(digest: str, principal: Principal) -> None:
    if len(_verified) > 1000:
        _verified.clear()
    _verified[digest] = (principal, time.monotonic() + CACHE_SECONDS)


def _authenticate_key(key: str | None, *, cached: bool) -> Principal | None:
    from predictfluence.queries.api_keys import find_by_prefix

    prefix = key_prefix(key) if key else None
    if key is None or prefix is None:
        return None
    digest = hash_key(key)
    hit = _verified.get(digest)
    if cached and hit is not None and hit[1] > time.monotonic():
        return hit[0]
    row = find_by_prefix(prefix)
    if row is None or row["revoked_at"] is not None or not hmac.compare_digest(row["key_hash"], digest):
        _verified.pop(digest, None)
        return None
    principal = Principal(key_id=int(row["id"]), role=str(row["role"]))
    _remember(digest, principal)
    return principal


def revoke_key(ident: str) -> dict | None:
    """Revoke a key by numeric id or prefix (None when no key matches) and forget the keys this process
    verified, so that it refuses the key at once; other processes follow within their cache TTLs."""
    from predictfluence.queries.api_keys import revoke_key as revoke_row

    row = revoke_row(ident)
    forget_verified_keys()
    return row


def create_key(role: str, name: str | None = None, created_by: str | None = None) -> tuple[str, dict]:
    """Create a key (`created_by`: the creator's principal.actor); returns (the key, shown once; its stored
    row without the hash)."""
    from predictfluence.queries.api_keys import insert_key

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    new = generate_key()
    return new.key, insert_key(new.prefix, new.key_hash, role, name, created_by)
