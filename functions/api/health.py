"""GET /health: the API is up and the database answers."""

from __future__ import annotations

from chalice import Blueprint, Response

health_routes = Blueprint(__name__)


@health_routes.route("/health", methods=["GET"], cors=True)
def health() -> Response:
    from predictfluence.health import check_database

    ok, detail = check_database()
    body = {"status": "ok" if ok else "degraded", "database": detail}
    return Response(body=body, status_code=200 if ok else 503)
