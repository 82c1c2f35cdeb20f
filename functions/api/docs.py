"""/openapi.json (generated from the routes' pydantic models) and /docs (Swagger UI, served locally)."""

from __future__ import annotations

import json

from chalice import Response

from predictfluence.api import errors
from predictfluence.api.docs import ASSETS, PAGE, asset
from predictfluence.api.routing import Router

router = Router(__name__, tag="meta")
docs_routes = router.blueprint
_cache: dict[int, str] = {}


@router.route("/openapi.json", "GET", role=None, response=None, summary="This API's OpenAPI 3.1 document")
def openapi_document() -> Response:
    from predictfluence.api.openapi import build_openapi

    app = docs_routes.current_app
    if id(app) not in _cache:
        _cache[id(app)] = json.dumps(build_openapi(app))
    return Response(body=_cache[id(app)], headers=dict(errors.JSON_HEADERS))


@router.route("/docs", "GET", role=None, response=None, content_type="text/html",
              summary="Swagger UI for this API")
def docs_page() -> Response:
    return Response(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})


def _asset(name: str) -> Response:
    text = asset(name)
    if text is None:
        raise errors.not_found("asset", name)
    return Response(body=text, headers={"Content-Type": ASSETS[name], "Cache-Control": "public, max-age=86400"})


@router.route("/docs/swagger-ui-bundle.js", "GET", role=None, response=None, errors=(404,),
              content_type="text/javascript", summary="Swagger UI script")
def docs_script() -> Response:
    return _asset("swagger-ui-bundle.js")


@router.route("/docs/swagger-ui.css", "GET", role=None, response=None, errors=(404,), content_type="text/css",
              summary="Swagger UI styles")
def docs_styles() -> Response:
    return _asset("swagger-ui.css")
