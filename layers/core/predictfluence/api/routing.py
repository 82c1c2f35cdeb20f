"""Routes with validation, auth and OpenAPI metadata on top of Chalice blueprints.

    router = Router(__name__, tag="influencers")

    @router.route("/influencers/{influencer_id}", "GET", role="viewer", response=InfluencerProfile,
                  summary="One influencer's profile")
    def get_influencer(influencer_id: int) -> InfluencerProfile:
        return InfluencerProfile.model_validate(queries.influencers.profile(influencer_id))

Every route goes through `_Endpoint.__call__`, which in this order:
1. authenticates (role given) from the authorizer's context, or from the Authorization header when no
   authorizer ran (direct Lambda invocation) and on every admin route (re-checked uncached, so a
   revocation applies at once) → 401 / 403 / 503;
2. validates path parameters (ids: 1 ≤ id < 2^63, else 400), the query string against `query`
   (400, naming the field; unknown parameters are rejected) and the JSON body against `body`: before
   decoding, a body over MAX_BODY_BYTES is 413 and one nested deeper than MAX_JSON_DEPTH is 400 (a linear
   scan of the brackets outside strings, so the decoder never recurses deeply); number literals longer
   than MAX_NUMBER_CHARS, floats that overflow and NaN/Infinity are 400; a body that is not JSON is 400,
   JSON that fails the model 422 (limits: `predictfluence.api.limits`);
3. calls the handler with keyword arguments: each path parameter, `query=`, `body=`, and
   `principal=` when the handler's signature asks for it;
4. serialises the pydantic model it returns (or None → 204, or a Chalice Response as is) and, for a
   write that succeeded, appends its audit_event row (`audit=`: predictfluence.api.audit);
5. maps failures: ApiError → its status; the query layer's NotFound → 404; database unreachable → 503; a database DataError (a value out
   of range) → 400; an IntegrityError nobody handled → 409; anything else → logged, JSON 500.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, CORSConfig, Response
from pydantic import BaseModel, ValidationError

from predictfluence.api import errors, limits
from predictfluence.api.auth import ROLES, Principal, authenticate
from predictfluence.api.authorizer import api_key_authorizer
from predictfluence.api.read_routing import READ_YOUR_WRITES_HEADER
from predictfluence.config import get_settings
from predictfluence.queries.errors import NotFound

logger = logging.getLogger("predictfluence.api")

MAX_ID = 2**63 - 1
_PATH_PARAM = re.compile(r"{(\w+)}")
# Path parameters that are not ids: name -> (what the value must match, its OpenAPI schema). The value is
# URL-decoded first (`/users/ana%40example.com`).
EMAIL_PATTERN = r"^[^@\s/\x00-\x1f]+@[^@\s/\x00-\x1f]+\.[^@\s/\x00-\x1f]+$"
STRING_PATH_PARAMS: dict[str, dict[str, Any]] = {
    "email": {"type": "string", "minLength": 3, "maxLength": 254, "pattern": EMAIL_PATTERN},
}


@functools.lru_cache(maxsize=1)
def cors_config() -> CORSConfig:
    """CORS for the configured front-end origin (PF_CORS_ORIGIN)."""
    return CORSConfig(
        allow_origin=get_settings().cors_origin,
        allow_headers=["Authorization", "Content-Type", READ_YOUR_WRITES_HEADER],
        max_age=600,
    )


@dataclass(frozen=True)
class RouteSpec:
    """What the OpenAPI document says about a route (and what the wrapper enforces)."""

    path: str
    method: str
    summary: str
    tag: str
    role: str | None
    response: type[BaseModel] | None
    status: int = 200
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    description: str | None = None
    content_type: str = "application/json"
    path_params: tuple[str, ...] = field(default=())
    audit: str | bool | None = None  # the audit action of a write ("campaign.create"); False: writes nothing
    audit_target: str | None = None  # "<type>:<source>" (predictfluence.api.audit.target_spec)

    @property
    def operation_id(self) -> str:
        return self.handler_name

    handler_name: str = ""


def _error_details(exc: ValidationError, location: str) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        name = ".".join(str(part) for part in err["loc"]) or location
        details.append({"field": name, "in": location, "message": err["msg"], "type": err["type"]})
    return details


def _fields(details: list[dict[str, Any]]) -> str:
    return ", ".join(dict.fromkeys(d["field"] for d in details))


# A JSON string (closing quote optional: an unterminated one runs to the end) or a bracket. Strings are
# matched whole so that brackets inside them are not counted; the unrolled loop keeps the scan linear.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]')


class _BadNumber(ValueError):
    pass


def _json_depth_exceeds(text: str, limit: int) -> bool:
    """True when arrays/objects in `text` nest deeper than `limit` (strings are skipped)."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _parse_int(literal: str) -> int:
    if len(literal) > limits.MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number has {len(literal):,} characters (at most {limits.MAX_NUMBER_CHARS})")
    return int(literal)


def _parse_float(literal: str) -> float:
    if len(literal) > limits.MAX_NUMBER_CHARS:
        raise _BadNumber(f"a number has {len(literal):,} characters (at most {limits.MAX_NUMBER_CHARS})")
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise _BadNumber(f"the number {literal} is out of range")
    return value


def _parse_constant(name: str) -> float:
    raise _BadNumber(f"{name} is not a JSON number")


def decode_json_body(raw: bytes | str | None) -> Any:
    """The JSON value of a request body, refusing hostile shapes before the decoder sees them: 413 over
    MAX_BODY_BYTES, 400 for nesting deeper than MAX_JSON_DEPTH, for over-long or out-of-range numbers and
    for anything that is not UTF-8 JSON. Every body-taking route decodes through here."""
    data = raw.encode("utf-8") if isinstance(raw, str) else (raw or b"")
    if len(data) > limits.MAX_BODY_BYTES:
        raise errors.payload_too_large(
            f"the request body has {len(data):,} bytes; at most {limits.MAX_BODY_BYTES:,} are accepted",
            {"field": "body", "in": "body", "limit_bytes": limits.MAX_BODY_BYTES, "bytes": len(data)},
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise errors.bad_request("the request body is not UTF-8 text") from None
    if _json_depth_exceeds(text, limits.MAX_JSON_DEPTH):
        raise errors.bad_request(
            f"the request body nests arrays/objects deeper than {limits.MAX_JSON_DEPTH} levels",
            [{"field": "body", "in": "body", "message": f"nesting deeper than {limits.MAX_JSON_DEPTH} levels"}],
        )
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except _BadNumber as exc:
        raise errors.bad_request(f"the request body holds an unacceptable number: {exc}",
                                 [{"field": "body", "in": "body", "message": str(exc)}]) from None
    except (ValueError, RecursionError):
        raise errors.bad_request("the request body is not valid JSON") from None


def _is_db_outage(exc: BaseException) -> bool:
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError, ConnectionError))


class _Endpoint:
    def __init__(self, router: Router, spec: RouteSpec, handler: Callable[..., Any]) -> None:
        self.router = router
        self.spec = spec
        self.handler = handler
        self.wants_principal = "principal" in inspect.signature(handler).parameters
        functools.update_wrapper(self, handler)
        self.__pf_route__ = spec

    def __call__(self, **uri_params: str) -> Response:
        try:
            return self._run(uri_params)
        except errors.ApiError as exc:
            return exc.to_response()
        except NotFound as exc:  # the one place a missing resource becomes the API's 404
            return errors.not_found(exc.resource, exc.ident).to_response()
        except Exception as exc:  # noqa: BLE001 - the catch-all: never leak internals, always JSON
            return self._unexpected(exc)

    def _run(self, uri_params: dict[str, str]) -> Response:
        request = self.router.blueprint.current_request
        kwargs: dict[str, Any] = {}
        principal = self._authorize(request) if self.spec.role else None
        if self.wants_principal:
            kwargs["principal"] = principal
        kwargs.update(self._path_params(uri_params))
        if self.spec.query is not None:
            kwargs["query"] = self._query(request)
        elif request.query_params:
            raise errors.bad_request(
                f"unknown query parameter(s): {', '.join(sorted(request.query_params))}",
                [{"field": k, "in": "query", "message": "unknown parameter"} for k in sorted(request.query_params)],
            )
        if self.spec.body is not None:
            kwargs["body"] = self._body(request)
        result = self.handler(**kwargs)
        response = self._serialize(result)
        if isinstance(self.spec.audit, str) and principal is not None and response.status_code < 400:
            from predictfluence.api.audit import record_route

            record_route(self.spec, principal, kwargs, result, request, getattr(request, "lambda_context", None))
        return response

    def _authorize(self, request: Any) -> Principal:
        context = (request.context or {}).get("authorizer") or {}
        role = context.get("role")
        # Admin routes re-check the key against the database, uncached: a revoked admin key stops at once,
        # whatever API Gateway's or this process's cache still says (limits.AUTHORIZER_TTL_SECONDS,
        # limits.KEY_CACHE_SECONDS). Without an authorizer (a direct invocation) the header is checked here.
        if role is None or self.spec.role == "admin":
            if role == "":
                raise errors.unauthorized("The API key or sign-in is unknown, expired or revoked.")
            principal = self._check_header(request, cached=self.spec.role != "admin")
        elif role == "":
            if context.get("auth_error") == "unavailable":
                raise errors.service_unavailable()
            raise errors.unauthorized("The API key or sign-in is unknown, expired or revoked.")
        else:
            principal = Principal.from_context(context)
        if principal.role not in ROLES:
            raise errors.unauthorized("The API key has an unknown role.")
        if not principal.has(self.spec.role or "viewer"):
            raise errors.forbidden(
                f"This operation needs the {self.spec.role} role; the key has {principal.role}.",
                {"required_role": self.spec.role, "role": principal.role},
            )
        return principal

    @staticmethod
    def _check_header(request: Any, *, cached: bool) -> Principal:
        header = request.headers.get("authorization")
        if header is None:
            raise errors.unauthorized()
        try:
            found = authenticate(header, cached=cached)
        except Exception as exc:
            if _is_db_outage(exc):
                raise errors.service_unavailable() from exc
            raise
        if found is None:
            raise errors.unauthorized("The API key or sign-in is unknown, expired or revoked.")
        return found

    def _path_params(self, uri_params: dict[str, str]) -> dict[str, int | str]:
        from urllib.parse import unquote

        out: dict[str, int | str] = {}
        for name, raw in uri_params.items():
            if name in STRING_PATH_PARAMS:
                schema = STRING_PATH_PARAMS[name]
                value = unquote(raw or "").strip()
                if not schema["minLength"] <= len(value) <= schema["maxLength"] or not re.fullmatch(
                        schema["pattern"], value):
                    raise errors.bad_request(f"path parameter {name} must be an e-mail address",
                                             [{"field": name, "in": "path", "message": "not an e-mail address"}])
                out[name] = value.lower()
                continue
            if not re.fullmatch(r"[0-9]{1,19}", raw or "") or not 1 <= int(raw) <= MAX_ID:
                raise errors.bad_request(
                    f"path parameter {name} must be a positive integer",
                    [{"field": name, "in": "path", "message": "must be an integer between 1 and 2^63-1"}],
                )
            out[name] = int(raw)
        return out

    def _query(self, request: Any) -> BaseModel:
        assert self.spec.query is not None
        raw: dict[str, Any] = {}
        params = request.query_params or {}
        for key in params:
            values = params.getlist(key) if hasattr(params, "getlist") else [params[key]]
            raw[key] = values if len(values) > 1 else values[0]
        try:
            return self.spec.query.model_validate(raw)
        except ValidationError as exc:
            details = _error_details(exc, "query")
            raise errors.bad_request(f"invalid query parameter(s): {_fields(details)}", details) from None

    def _body(self, request: Any) -> BaseModel:
        assert self.spec.body is not None
        raw = request.raw_body
        if not raw:
            raise errors.unprocessable("a JSON request body is required", [{"field": "body", "in": "body",
                                                                             "message": "required"}])
        data = decode_json_body(raw)
        try:
            return self.spec.body.model_validate(data)
        except ValidationError as exc:
            details = _error_details(exc, "body")
            raise errors.unprocessable(f"invalid field(s): {_fields(details)}", details) from None

    def _serialize(self, result: Any) -> Response:
        if isinstance(result, Response):
            return result
        if result is None:
            return Response(body="", status_code=204)
        if isinstance(result, BaseModel):
            return Response(body=result.model_dump_json(), status_code=self.spec.status,
                            headers=dict(errors.JSON_HEADERS))
        return Response(body=json.dumps(result, default=str), status_code=self.spec.status,
                        headers=dict(errors.JSON_HEADERS))

    def _unexpected(self, exc: Exception) -> Response:
        from sqlalchemy import exc as sa_exc

        if _is_db_outage(exc):
            logger.warning("database unavailable in %s %s: %s", self.spec.method, self.spec.path,
                           type(exc).__name__)
            return errors.service_unavailable().to_response()
        if isinstance(exc, sa_exc.DataError):
            return errors.bad_request("a value is out of the range the database accepts").to_response()
        if isinstance(exc, sa_exc.IntegrityError):
            return errors.conflict("conflict", "the change conflicts with existing data").to_response()
        logger.exception("unhandled error in %s %s", self.spec.method, self.spec.path)
        return errors.internal_error().to_response()


class Router:
    """One resource's routes: a Chalice Blueprint plus the metadata the OpenAPI document is built from."""

    def __init__(self, import_name: str, tag: str) -> None:
        self.blueprint = Blueprint(import_name)
        self.tag = tag

    def route(
        self,
        path: str,
        method: str,
        *,
        summary: str,
        role: str | None,
        response: type[BaseModel] | None,
        status: int = 200,
        query: type[BaseModel] | None = None,
        body: type[BaseModel] | None = None,
        errors: tuple[int, ...] = (),
        description: str | None = None,
        content_type: str = "application/json",
        audit: str | bool | None = None,
        audit_target: str | None = None,
    ) -> Callable[[Callable[..., Any]], _Endpoint]:
        """Register `handler` for METHOD PATH. role=None makes the route public (no API key). A write names
        its audit action (`audit="campaign.create"`, optionally `audit_target`) or `audit=False`."""
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}")

        def decorate(handler: Callable[..., Any]) -> _Endpoint:
            spec = RouteSpec(
                path=path, method=method.upper(), summary=summary, tag=self.tag, role=role,
                response=response, status=status, query=query, body=body, errors=errors,
                description=description or inspect.getdoc(handler), content_type=content_type,
                path_params=tuple(_PATH_PARAM.findall(path)), handler_name=handler.__name__,
                audit=audit, audit_target=audit_target,
            )
            endpoint = _Endpoint(self, spec, handler)
            self.blueprint.route(
                path, methods=[spec.method], cors=cors_config(),
                authorizer=api_key_authorizer if role is not None else None,
            )(endpoint)
            return endpoint

        return decorate
