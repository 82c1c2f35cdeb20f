"""/keys: API key administration (admin role). The CLI (`predictfluence keys`) does the same."""

from __future__ import annotations

from predictfluence.api import errors
from predictfluence.api.auth import Principal, create_key, revoke_key
from predictfluence.api.routing import Router
from predictfluence.api.schemas.keys import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList
from predictfluence.queries import api_keys as q

router = Router(__name__, tag="keys")
key_routes = router.blueprint


@router.route("/keys", "GET", role="admin", response=ApiKeyList, summary="List API keys (never the keys)")
def list_keys() -> ApiKeyList:
    return ApiKeyList(items=q.list_keys())


@router.route("/keys", "POST", role="admin", body=ApiKeyCreate, response=ApiKeyCreated, status=201,
              summary="Create an API key; the key is in this response only", audit="key.create")
def create_api_key(body: ApiKeyCreate, principal: Principal) -> ApiKeyCreated:
    key, row = create_key(body.role, body.name, principal.actor)
    return ApiKeyCreated(key=key, **row)


@router.route("/keys/{key_id}", "DELETE", role="admin", response=ApiKey, summary="Revoke an API key",
              audit="key.revoke")
def revoke_api_key(key_id: int) -> ApiKey:
    found = revoke_key(str(key_id))
    if found is None:
        raise errors.not_found("api key", key_id)
    return ApiKey.model_validate(next(k for k in q.list_keys() if k["id"] == found["id"]))
