"""The one error shape of the API: `{"error": {"code", "message", "details"}}`.

Handlers raise `ApiError` (or a helper below); the route wrapper (`predictfluence.api.routing`) turns it
into a JSON response. Codes are stable strings clients may branch on; messages are for humans.
"""

from __future__ import annotations

import json
from typing import Any

from chalice import Response

JSON_HEADERS = {"Content-Type": "application/json"}


class ApiError(Exception):
    """An expected failure with an HTTP status, a stable code, a message and optional details."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def to_response(self, headers: dict[str, str] | None = None) -> Response:
        return error_response(self.status, self.code, self.message, self.details, headers)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status: int, code: str, message: str, details: Any = None, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        body=json.dumps(error_body(code, message, details), default=str),
        status_code=status,
        headers={**JSON_HEADERS, **(headers or {})},
    )


def bad_request(message: str, details: Any = None) -> ApiError:
    return ApiError(400, "bad_request", message, details)


def unauthorized(message: str = "A valid API key is required (Authorization: Bearer <key>).") -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str, details: Any = None) -> ApiError:
    return ApiError(403, "forbidden", message, details)


def not_found(resource: str, ident: Any) -> ApiError:
    return ApiError(404, "not_found", f"{resource} {ident} not found", {"resource": resource, "id": ident})


def conflict(code: str, message: str, details: Any = None) -> ApiError:
    return ApiError(409, code, message, details)


def payload_too_large(message: str, details: Any = None) -> ApiError:
    return ApiError(413, "payload_too_large", message, details)


def unprocessable(message: str, details: Any = None) -> ApiError:
    return ApiError(422, "validation_error", message, details)


def service_unavailable(message: str = "The database is unavailable; retry shortly.") -> ApiError:
    return ApiError(503, "service_unavailable", message)


def internal_error() -> ApiError:
    return ApiError(500, "internal_error", "Unexpected server error; it has been logged.")
