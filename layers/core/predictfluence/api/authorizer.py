"""The Chalice custom authorizer (API Gateway TOKEN authorizer) for bearer API keys.

It authenticates: a known key's role goes into the request context (`context.authorizer.role`), which
the route wrapper (`predictfluence.api.routing`) checks against the route's role. It never denies a
request that carries a header: an unknown key gets an empty role and the wrapper answers 401 in the API's
error shape (API Gateway's own deny would be a 403 in another shape). A missing header is refused by
API Gateway itself (and by Chalice's local gateway) with 401 before the authorizer runs.

API Gateway caches the result per token for `ttl_seconds`, so a revoked key may work that much longer.
"""

from __future__ import annotations

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from predictfluence.api.auth import authenticate

authorizer_routes = Blueprint(__name__)
AUTH_TTL_SECONDS = 60


@authorizer_routes.authorizer(ttl_seconds=AUTH_TTL_SECONDS, name="api_key_authorizer")
def api_key_authorizer(auth_request: AuthRequest) -> AuthResponse:
    try:
        principal = authenticate(auth_request.token)
    except Exception:  # noqa: BLE001 - database down: let the route answer 503 in the API's shape
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"role": "", "auth_error": "unavailable"})
    if principal is None:
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"role": "", "auth_error": "invalid"})
    return AuthResponse(
        routes=["*"],
        principal_id=f"api-key-{principal.key_id}",
        context={"role": principal.role, "key_id": str(principal.key_id)},
    )
