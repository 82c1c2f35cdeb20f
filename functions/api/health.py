"""GET /health: the API is up and the database answers."""

from __future__ import annotations

from chalice import Blueprint, Response

from predictfluence.api.errors import JSON_HEADERS
from predictfluence.api.routing import cors_config

health_routes = Blueprint(__name__)


@health_routes.route("/health", methods=["GET"], cors=cors_config())  # the front-end origin, not "*"
def health() -> Response:
    from predictfluence.health import check_database

    ok, detail = check_database()
    body = {"status": "ok" if ok else "degraded", "database": detail}
    return Response(body=body, status_code=200 if ok else 503, headers=dict(JSON_HEADERS))
