"""GET /health: the API is up (public, no database call, so probes and scanners cost nothing).
GET /health/ready: the API and its database answer (viewer key; 503 when the database does not)."""

from __future__ import annotations

from chalice import Response

from predictfluence.api.errors import JSON_HEADERS
from predictfluence.api.routing import Router, cors_config
from predictfluence.api.schemas.health import Liveness, Readiness

router = Router(__name__, tag="health")
health_routes = router.blueprint


@health_routes.route("/health", methods=["GET"], cors=cors_config())  # the front-end origin, not "*"
def health() -> Response:
    """Liveness only: no database, no authentication, nothing else to fail."""
    return Response(body=Liveness().model_dump_json(), status_code=200, headers=dict(JSON_HEADERS))


@router.route("/health/ready", "GET", role="viewer", response=Readiness, errors=(503,),
              summary="Readiness: the API reaches its database (503 when it does not)")
def ready() -> Response:
    from predictfluence.health import check_database

    ok, detail = check_database()
    body = Readiness(status="ok" if ok else "degraded", database=detail)
    return Response(body=body.model_dump_json(), status_code=200 if ok else 503, headers=dict(JSON_HEADERS))
