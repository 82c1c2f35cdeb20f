"""GET /auth/config: how the site signs people in (public). The Cognito pool, app client and endpoint,
or null when no pool is configured (the site then offers only the API-key sign-in)."""

from __future__ import annotations

from predictfluence.api.routing import Router
from predictfluence.api.schemas.users import AuthConfig, CognitoConfig
from predictfluence.config import get_settings

router = Router(__name__, tag="users")
auth_config_routes = router.blueprint


@router.route("/auth/config", "GET", role=None, response=AuthConfig,
              summary="Sign-in configuration: the Cognito user pool and app client, or null (public)")
def auth_config() -> AuthConfig:
    settings = get_settings()
    if not settings.cognito_configured:
        return AuthConfig(cognito=None)
    return AuthConfig(cognito=CognitoConfig(
        region=settings.cognito_region, user_pool_id=str(settings.cognito_user_pool_id),
        client_id=str(settings.cognito_client_id), endpoint=settings.cognito_endpoint,
    ))
