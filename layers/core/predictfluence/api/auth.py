"""Bearer API keys and roles.

A key looks like `pfk_<prefix>_<secret>`. The database stores the prefix (to find the row) and the
sha256 of the whole key (to prove it); the key itself is shown once, at creation. Roles are ordered:
viewer (reads) < manager (writes) < admin (API keys, retraining).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

ROLES: tuple[str, ...] = ("viewer", "manager", "admin")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
KEY_PREFIX = "pfk_"


@dataclass(frozen=True)
class Principal:
    key_id: int
    role: str

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
# key lookup: hash of the key -> (principal, monotonic expiry). Only successes are cached. Revoking in this
# process clears it; a revocation elsewhere takes effect within CACHE_SECONDS (API Gateway's authorizer
# cache already allows AUTH_TTL_SECONDS).
CACHE_SECONDS = 30.0
_verified: dict[str, tuple[Principal, float]] = {}


def forget_verified_keys() -> None:
    _verified.clear()


def authenticate(header: str | None) -> Principal | None:
    """The principal behind an Authorization header value, or None for a missing/unknown/revoked key."""
    from predictfluence.queries.api_keys import find_by_prefix

    key = parse_token(header)
    prefix = key_prefix(key) if key else None
    if key is None or prefix is None:
        return None
    digest = hash_key(key)
    cached = _verified.get(digest)
    if cached is not None and cached[1] > time.monotonic():
        return cached[0]
    row = find_by_prefix(prefix)
    if row is None or row["revoked_at"] is not None:
        return None
    if not hmac.compare_digest(row["key_hash"], digest):
        return None
    principal = Principal(key_id=int(row["id"]), role=str(row["role"]))
    if len(_verified) > 1000:
        _verified.clear()
    _verified[digest] = (principal, time.monotonic() + CACHE_SECONDS)
    return principal


def create_key(role: str, name: str | None = None) -> tuple[str, dict]:
    """Create a key; returns (the key, shown once; its stored row without the hash)."""
    from predictfluence.queries.api_keys import insert_key

    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    new = generate_key()
    return new.key, insert_key(new.prefix, new.key_hash, role, name)
