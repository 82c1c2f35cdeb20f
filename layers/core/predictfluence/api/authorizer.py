"""The Chalice custom authorizer (API Gateway TOKEN authorizer): the one authorizer for both bearer
credentials, API keys (`pfk_…`) and Cognito ID tokens (JWTs; `predictfluence.api.auth.authenticate` tells
them apart).

It authenticates: the principal's role, actor and identity (key id, or the user's e-mail and sub) go
into the request context (`context.authorizer.role` …), which
the route wrapper (`predictfluence.api.routing`) checks against the route's role. It never denies a
request that carries a header: an unknown key gets an empty role and the wrapper answers 401 in the API's
error shape (API Gateway's own deny would be a 403 in another shape). A missing header is refused by
API Gateway itself (and by Chalice's local gateway) with 401 before the authorizer runs.

API Gateway caches the result per token for `AUTHORIZER_TTL_SECONDS` (5 s, `predictfluence.api.limits`),
and the authorizer process trusts a key or token it verified for `KEY_CACHE_SECONDS` (5 s): a key revoked
or a user disabled anywhere stops working within ~10 s, and at once on admin routes, which re-check the
credential uncached.

A database failure is an error, not an answer: the authorizer returns no policy, which API Gateway (and
chalice local) turn into a 500 that is never cached, so requests work again as soon as the database does.
(The former "Allow with auth_error=unavailable" was cached for the TTL and kept answering 503 after a
recovery.)
"""

from __future__ import annotations

import logging

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from predictfluence.api.auth import authenticate
from predictfluence.api.limits import AUTHORIZER_TTL_SECONDS

logger = logging.getLogger("predictfluence.api.authorizer")
authorizer_routes = Blueprint(__name__)
AUTH_TTL_SECONDS = AUTHORIZER_TTL_SECONDS


@authorizer_routes.authorizer(ttl_seconds=AUTH_TTL_SECONDS, name="api_key_authorizer")
def api_key_authorizer(auth_request: AuthRequest) -> AuthResponse | None:
    try:
        principal = authenticate(auth_request.token)
    except Exception as exc:  # noqa: BLE001 - database/JWKS down: no policy → an uncached 500, never an Allow
        logger.error("credential check failed, refusing without a policy: %s", type(exc).__name__)
        return None
    if principal is None:
        return AuthResponse(routes=["*"], principal_id="anonymous", context={"role": "", "auth_error": "invalid"})
    return AuthResponse(
        routes=["*"],
        principal_id=principal.actor,
        context=principal.context(),
    )
