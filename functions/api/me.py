"""GET /me: the caller's role and identity (API key or signed-in user), so the site shows only the actions
the role may take (the API still enforces every role)."""

from __future__ import annotations

from predictfluence.api.auth import Principal
from predictfluence.api.routing import Router
from predictfluence.api.schemas.me import Me
from predictfluence.queries import api_keys as q

router = Router(__name__, tag="keys")
me_routes = router.blueprint


@router.route("/me", "GET", role="viewer", response=Me, summary="The caller's role, and key or e-mail")
def me(principal: Principal) -> Me:
    if principal.email is not None:
        return Me(role=principal.role, name=principal.email, email=principal.email, actor=principal.actor)
    row = next((k for k in q.list_keys() if k["id"] == principal.key_id), None)
    return Me(role=principal.role, name=row["name"] if row else None, key_id=principal.key_id, actor=principal.actor)
