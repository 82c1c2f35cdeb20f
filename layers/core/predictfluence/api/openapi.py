"""The OpenAPI 3.1 document, generated from the app's routes and their pydantic models.

It walks the Chalice app's route table, so it describes exactly what is wired in app.py. Routes made
with `Router.route` carry a `RouteSpec`; any other route is listed with a generic JSON response.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from predictfluence.api import limits
from predictfluence.api.routing import MAX_ID, STRING_PATH_PARAMS, RouteSpec

REF = "#/components/schemas/{model}"
_STATUS_TEXT = {
    200: "OK", 201: "Created", 204: "No content", 400: "Malformed request (query, path or JSON)",
    401: "Missing, unknown or revoked API key", 403: "The API key's role may not do this",
    404: "Not found", 409: "Conflict with the current state",
    413: f"The request body is larger than the API accepts ({limits.MAX_BODY_BYTES // 1024} KiB)", 422: "The JSON body failed validation",
    500: "Unexpected server error", 503: "The database is unavailable",
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorResponse(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


def _specs(app: Any) -> list[tuple[str, str, RouteSpec | None]]:
    out = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            out.append((path, method, getattr(entry.view_function, "__pf_route__", None)))
    return out


def _schemas(specs: list[RouteSpec]) -> tuple[dict[tuple[type[BaseModel], str], Any], dict[str, Any]]:
    wanted: dict[tuple[type[BaseModel], str], None] = {(ErrorResponse, "serialization"): None}
    for spec in specs:
        if spec.response is not None:
            wanted[(spec.response, "serialization")] = None
        if spec.body is not None:
            wanted[(spec.body, "validation")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF)  # type: ignore[arg-type]
    return refs, top.get("$defs", {})


def _parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True,
         "schema": dict(STRING_PATH_PARAMS.get(name) or {"type": "integer", "minimum": 1, "maximum": MAX_ID})}
        for name in spec.path_params
    ]
    if spec.query is not None:
        schema = spec.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = dict(prop)
            options = [o for o in prop.pop("anyOf", []) if o != {"type": "null"}]
            if len(options) == 1:
                prop.update(options[0])
            elif options:
                prop["anyOf"] = options
            if prop.get("default", 0) is None:
                del prop["default"]
            description = prop.pop("description", None)
            prop.pop("title", None)
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if description:
                param["description"] = description
            params.append(param)
    return params


def _responses(spec: RouteSpec, refs: dict[tuple[type[BaseModel], str], Any]) -> dict[str, Any]:
    error = {"application/json": {"schema": refs[(ErrorResponse, "serialization")]}}
    responses: dict[str, Any] = {}
    if spec.status == 204:
        responses[str(spec.status)] = {"description": _STATUS_TEXT.get(spec.status, "OK")}
    elif spec.response is None:
        responses[str(spec.status)] = {"description": _STATUS_TEXT.get(spec.status, "OK"),
                                       "content": {spec.content_type: {"schema": {}}}}
    elif spec.content_type != "application/json":  # a file, or (too large for a body) JSON about it
        responses[str(spec.status)] = {
            "description": _STATUS_TEXT.get(spec.status, "OK"),
            "content": {spec.content_type: {"schema": {"type": "string"}},
                        "application/json": {"schema": refs[(spec.response, "serialization")]}},
        }
    else:
        responses[str(spec.status)] = {
            "description": _STATUS_TEXT.get(spec.status, "OK"),
            "content": {spec.content_type: {"schema": refs[(spec.response, "serialization")]}},
        }
    codes = set(spec.errors) | {500, 503}
    if spec.role is not None:
        codes |= {401, 403}
    if spec.path_params:
        codes |= {400, 404}
    if spec.query is not None:
        codes.add(400)
    if spec.body is not None:
        codes |= {400, 413, 422}
    for code in sorted(codes):
        responses[str(code)] = {"description": _STATUS_TEXT.get(code, "Error"), "content": error}
    if "401" in responses:  # a missing header never reaches the app: the gateway answers in its own shape
        responses["401"] = {
            "description": _STATUS_TEXT[401] + ". Without an Authorization header API Gateway (and chalice local) "
            'refuses the request before the authorizer runs, as {"message": "Unauthorized"}.',
            "content": {"application/json": {"schema": {"anyOf": [
                refs[(ErrorResponse, "serialization")],
                {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}},
            ]}}},
        }
    return responses


def build_openapi(app: Any, title: str = "Predictfluence API", version: str = "1.0.0") -> dict[str, Any]:
    routes = _specs(app)
    refs, components = _schemas([s for _, _, s in routes if s is not None])
    paths: dict[str, dict[str, Any]] = {}
    for path, method, spec in routes:
        if method == "OPTIONS":
            continue
        if spec is None:
            operation: dict[str, Any] = {
                "summary": f"{method} {path}",
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {}}}}},
            }
        else:
            operation = {
                "operationId": spec.handler_name,
                "summary": spec.summary,
                "tags": [spec.tag],
                "parameters": _parameters(spec),
                "responses": _responses(spec, refs),
            }
            if spec.description:
                operation["description"] = spec.description
            if spec.role is not None:
                operation["security"] = [{"bearerAuth": []}]
                operation["description"] = (operation.get("description", "") + f"\n\nRequires role: `{spec.role}`.").strip()
            if spec.body is not None:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": refs[(spec.body, "validation")]}},
                }
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": version,
            "description": "Micro-influencer analytics. Metric definitions: docs/api.md. Errors: "
            '`{"error": {"code", "message", "details"}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API key: pfk_…"}
            },
        },
    }
