"""Hostile JSON bodies on every body-taking operation (issue 10, point 11): deep nesting, huge bodies,
huge numbers. Each gets a 4xx in the API's one error shape, never a 500, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from predictfluence.api import limits
from tests.security.conftest import REQUIRED_QUERY, all_tables_fingerprint, concrete


def _body_operations() -> list[tuple[str, str, str]]:
    from app import app

    out = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            spec = getattr(entry.view_function, "__pf_route__", None)
            if spec is not None and spec.body is not None:
                out.append((method, path, spec.role or "viewer"))
    return out


DEPTH = 5_000
HOSTILE: dict[str, tuple[str, int, str]] = {
    # name: (body, status, a word the message must contain)
    "nested arrays 5,000 deep": ("[" * DEPTH + "]" * DEPTH, 400, "deeper"),
    "nested objects 5,000 deep": ('{"a":' * DEPTH + "1" + "}" * DEPTH, 400, "deeper"),
    "nested inside a field": ('{"name": ' + "[" * DEPTH + "]" * DEPTH + "}", 400, "deeper"),
    "unclosed nesting": ("[" * DEPTH, 400, "deeper"),
    "one level past the limit": ("[" * (limits.MAX_JSON_DEPTH + 1) + "]" * (limits.MAX_JSON_DEPTH + 1), 400,
                                 "deeper"),
    "huge body": ('{"name": "' + "x" * (limits.MAX_BODY_BYTES + 1) + '"}', 413, "bytes"),
    "1e400": ('{"name": "n", "budget": 1e400, "role": "viewer", "kind": "posts", "agreed_cost": 1e400}', 400,
              "range"),
    "-1e400": ('{"budget": -1e400}', 400, "range"),
    "5,000-digit integer": ('{"budget": ' + "9" * 5_000 + ', "influencer_id": ' + "9" * 5_000 + "}", 400,
                            "characters"),
    "5,000-digit float": ('{"budget": 0.' + "1" * 5_000 + "}", 400, "characters"),
    "NaN": ('{"budget": NaN}', 400, "NaN"),
    "Infinity": ('{"budget": Infinity}', 400, "Infinity"),
}


def test_every_body_taking_operation_is_covered():
    operations = {(m, p) for m, p, _ in _body_operations()}
    assert ("POST", "/campaigns") in operations and ("POST", "/keys") in operations
    assert len(operations) >= 6  # 6 when written; operations added later are covered automatically


@pytest.mark.parametrize(("method", "path", "role"), _body_operations(), ids=[f"{m} {p}" for m, p, _ in _body_operations()])
def test_hostile_bodies_are_refused_in_the_error_shape(api: dict[str, Any], method: str, path: str, role: str):
    client = api["client"]
    headers = {**api["auth"]["admin" if role == "admin" else "manager"], "Content-Type": "application/json"}
    before = all_tables_fingerprint(api["db"])
    for name, (body, status, word) in HOSTILE.items():
        query = f"?{REQUIRED_QUERY[path]}" if path in REQUIRED_QUERY else ""
        response = client.http.request(method, concrete(path) + query, headers=headers, body=body.encode())
        assert response.status_code == status, (name, response.status_code, response.body[:300])
        error = json.loads(response.body)["error"]
        assert set(error) == {"code", "message", "details"}, name
        assert error["code"] == ("payload_too_large" if status == 413 else "bad_request"), name
        assert word in error["message"], (name, error["message"])
        assert len(response.body) < 2_000, name  # the answer never echoes the body
    assert all_tables_fingerprint(api["db"]) == before


def test_a_body_at_the_depth_limit_still_reaches_validation(api: dict[str, Any]):
    depth = limits.MAX_JSON_DEPTH - 1
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    response = api["client"].http.post("/campaigns", headers=api["auth"]["manager"], body=body)
    assert response.status_code == 422  # nested fine, just not a string
    brackets_in_strings = json.dumps({"name": "[" * 5_000 + "{" * 5_000})  # brackets inside a string are text
    response = api["client"].http.post("/campaigns", headers=api["auth"]["manager"], body=brackets_in_strings)
    assert response.status_code == 422 and "name" in response.body.decode()
    escaped_quote = '{"name": "a\\"[[[[", "budget": 10}'
    assert api["client"].http.post("/campaigns", headers=api["auth"]["manager"], body=escaped_quote).status_code == 201


def test_the_413_and_body_limits_are_documented(api: dict[str, Any]):
    for method, path, _ in _body_operations():
        assert "413" in api["openapi"]["paths"][path][method.lower()]["responses"], (method, path)
