"""Cognito ID tokens: verification against the user pool's JWKS (PyJWT).

A token is accepted when all of these hold: an RS256 signature by a key of the pool's JWKS
(`<endpoint>/<pool id>/.well-known/jwks.json`), `iss` = `https://cognito-idp.<region>.amazonaws.com/<pool id>`,
`aud` = the site's app client id, `token_use` = "id" (an access token is refused: it has no `aud` and
names no e-mail), `exp` in the future (LEEWAY_SECONDS of clock skew allowed), and a `cognito:groups` claim
naming viewer, manager or admin (the highest wins; no group → refused).

The JWKS is fetched once per process and kept; a token signed with a key id the set does not hold makes
one refetch (Cognito rotated its keys), at most once per REFETCH_SECONDS, so a stream of forged key ids
costs no more than one request to Cognito per interval. A JWKS that cannot be fetched is `JwksUnavailable`
(a ConnectionError: the API answers 503, the authorizer returns no policy — never a cached Allow or Deny).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt

from predictfluence.config import get_settings
from predictfluence.vocab import API_ROLES

LEEWAY_SECONDS = 30
REFETCH_SECONDS = 60.0
FETCH_TIMEOUT_SECONDS = 5.0
GROUPS_CLAIM = "cognito:groups"


class TokenError(Exception):
    """The token is not one this API accepts (the message says why; it goes into logs, not to callers)."""


class JwksUnavailable(ConnectionError):
    """The pool's JWKS could not be fetched."""


@dataclass(frozen=True)
class TokenIdentity:
    sub: str
    email: str
    role: str


def looks_like_jwt(token: str) -> bool:
    """A JWT is three base64url parts joined by dots; an API key (pfk_…) has none."""
    return token.count(".") == 2 and not token.startswith("pfk_")


def jwks_url() -> str:
    settings = get_settings()
    return f"{settings.cognito_endpoint}/{settings.cognito_user_pool_id}/.well-known/jwks.json"


class _JwksCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sets: dict[str, jwt.PyJWKSet] = {}
        self._fetched_at: dict[str, float] = {}
        self.fetches = 0

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()
            self._fetched_at.clear()

    def _fetch(self, url: str) -> jwt.PyJWKSet:
        self.fetches += 1
        try:
            with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - https/pool URL from settings
                data: dict[str, Any] = json.loads(response.read())
            keys = jwt.PyJWKSet.from_dict(data)
        except (OSError, ValueError, jwt.PyJWKSetError) as exc:
            raise JwksUnavailable(f"the user pool's JWKS could not be read from {url}: {exc}") from exc
        self._sets[url] = keys
        self._fetched_at[url] = time.monotonic()
        return keys

    def key(self, url: str, kid: str) -> jwt.PyJWK:
        with self._lock:
            keys = self._sets.get(url) or self._fetch(url)
            found = next((k for k in keys.keys if k.key_id == kid), None)
            if found is None and time.monotonic() - self._fetched_at.get(url, 0.0) >= REFETCH_SECONDS:
                keys = self._fetch(url)
                found = next((k for k in keys.keys if k.key_id == kid), None)
        if found is None:
            raise TokenError(f"no key {kid!r} in the user pool's JWKS")
        return found


_cache = _JwksCache()


def forget() -> None:
    """Forget the fetched JWKS (tests switch pools)."""
    _cache.clear()


def jwks_fetches() -> int:
    return _cache.fetches


def highest_role(groups: Any) -> str | None:
    if not isinstance(groups, list):
        return None
    ranked = [role for role in API_ROLES if role in groups]
    return ranked[-1] if ranked else None


def verify(token: str) -> TokenIdentity:
    """The identity in a valid Cognito ID token of the configured pool; TokenError otherwise."""
    settings = get_settings()
    if not settings.cognito_configured:
        raise TokenError("no Cognito user pool is configured")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"not a JWT: {exc}") from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise TokenError("the token is not RS256-signed with a key id")
    key = _cache.key(jwks_url(), header["kid"])
    try:
        claims = jwt.decode(
            token, key=key, algorithms=["RS256"], audience=settings.cognito_client_id,
            issuer=settings.cognito_issuer, leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
        )
    except jwt.InvalidTokenError as exc:
        raise TokenError(f"{type(exc).__name__}: {exc}") from None
    if claims.get("token_use") != "id":
        raise TokenError(f"token_use is {claims.get('token_use')!r}, not 'id'")
    role = highest_role(claims.get(GROUPS_CLAIM))
    if role is None:
        raise TokenError("the user is in no group (viewer, manager or admin)")
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise TokenError("the token names no e-mail")
    return TokenIdentity(sub=str(claims["sub"]), email=email.lower(), role=role)
