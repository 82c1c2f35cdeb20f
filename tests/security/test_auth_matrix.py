"""Every write operation of the OpenAPI document refuses missing, invalid and insufficient keys — and
Cognito ID tokens of an insufficient group, forged or from no pool — with a JSON 401/403, and nothing is
written. (tests/api checks the app's routes; this checks the published
contract: the document and the routes must agree, and every write in it is protected.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests import cognito_pool
from tests.security.conftest import all_tables_fingerprint, concrete, operations

cognito, moto_endpoint = cognito_pool.cognito, cognito_pool.moto_endpoint  # the pool's fixtures

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLE_RANK = {"viewer": 0, "manager": 1, "admin": 2}
# A body each write would accept from a key with the role, so only auth can refuse it.
BODIES = {
    ("POST", "/campaigns"): {"name": "Sneaky"},
    ("PATCH", "/campaigns/{campaign_id}"): {"budget": 1},
    ("POST", "/campaigns/{campaign_id}/influencers"): {"influencer_id": 4, "agreed_cost": 1},
    ("PATCH", "/campaigns/{campaign_id}/influencers/{influencer_id}"): {"status": "live"},
    ("POST", "/keys"): {"role": "admin", "name": "backdoor"},
    ("POST", "/users"): {"email": "backdoor@example.com", "role": "admin"},
    ("PATCH", "/users/{email}"): {"role": "admin"},
    ("POST", "/uploads"): {"kind": "posts", "filename": "x.csv", "content_length": 10},
}


def _role(api: dict[str, Any], method: str, path: str) -> str | None:
    return api["app"].routes[path][method].view_function.__pf_route__.role


def _is_json_error(response: Any) -> dict[str, Any]:
    body = json.loads(response.body)
    assert isinstance(body, dict) and body, response.body
    return body


def test_the_document_and_the_routes_list_the_same_writes(api):
    in_document = {(m, p) for m, p, _ in operations(api["openapi"]) if m in WRITE_METHODS}
    in_app = {(m, p) for p, methods in api["app"].routes.items() for m in methods if m in WRITE_METHODS}
    assert in_document == in_app
    assert len(in_document) >= 9  # 9 when written; routes added later are covered automatically
    for method, path, op in operations(api["openapi"]):
        if method in WRITE_METHODS:
            assert op["security"] == [{"bearerAuth": []}], (method, path)
            assert _role(api, method, path) in ("manager", "admin"), (method, path)


def _write_operations() -> list[tuple[str, str]]:
    from app import app

    return sorted((m, p) for p, methods in app.routes.items() for m in methods if m in WRITE_METHODS)


@pytest.fixture()
def tokens(cognito) -> dict[str, dict[str, str]]:
    """Request headers per role carrying a Cognito ID token of a user in that group."""
    return {role: {"Authorization": f"Bearer {cognito['token'](f'{role}@example.com', role)}"} for role in ROLE_RANK}


# a JWT of the right shape that no pool signed (the header says RS256 / kid "dummy", as moto's do)
FORGED_JWT = ("eyJhbGciOiJSUzI1NiIsImtpZCI6ImR1bW15IiwidHlwIjoiSldUIn0."
              "eyJzdWIiOiJ4IiwiY29nbml0bzpncm91cHMiOlsiYWRtaW4iXSwidG9rZW5fdXNlIjoiaWQifQ.c2lnbmF0dXJl")


@pytest.mark.parametrize(("method", "path"), _write_operations())
def test_a_write_refuses_missing_invalid_and_insufficient_keys(api, method: str, path: str) -> None:
    _refusals(api, method, path, api["auth"])


@pytest.mark.parametrize(("method", "path"), _write_operations())
def test_a_write_refuses_insufficient_and_forged_cognito_tokens(api, tokens, method: str, path: str) -> None:
    _refusals(api, method, path, tokens, [("forged token", {"Authorization": f"Bearer {FORGED_JWT}"}, 401)])


def _refusals(api, method: str, path: str, credentials: dict[str, dict[str, str]],
              extra: list[tuple[str, dict[str, str], int]] | None = None) -> None:
    client = api["client"]
    before = all_tables_fingerprint(api["db"])
    body = json.dumps(BODIES.get((method, path), {}))
    target = concrete(path)
    needed = _role(api, method, path)
    attempts: list[tuple[str, dict[str, str], int]] = [
        ("missing", {}, 401),
        ("invalid", {"Authorization": "Bearer pfk_000000000000_forged"}, 401),
        ("garbage", {"Authorization": "Bearer ' OR 1=1 --"}, 401),
        ("wrong scheme", {"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
    ]
    attempts += extra or []
    attempts += [(role, credentials[role], 403) for role in ROLE_RANK if ROLE_RANK[role] < ROLE_RANK[needed]]
    for label, headers, status in attempts:
        response = client.http.request(method, target, headers={**headers, "Content-Type": "application/json"},
                                       body=body)
        assert response.status_code == status, (label, response.body)
        error = _is_json_error(response)
        if label != "missing":  # a missing header is refused by the gateway itself ({"message": ...})
            assert error["error"]["code"] == ("forbidden" if status == 403 else "unauthorized"), label
    assert all_tables_fingerprint(api["db"]) == before


@pytest.mark.parametrize("kind", ["key", "token"])
def test_a_sufficient_key_passes_the_same_gate(api, request, kind):
    """The control for the matrix above: the bodies are valid, so the refusals were auth, not validation."""
    credentials = api["auth"] if kind == "key" else request.getfixturevalue("tokens")
    client = api["client"]
    created = client.http.post("/campaigns", headers={**credentials["manager"], "Content-Type": "application/json"},
                               body=json.dumps(BODIES[("POST", "/campaigns")]))
    assert created.status_code == 201
    key = client.http.post("/keys", headers={**credentials["admin"], "Content-Type": "application/json"},
                           body=json.dumps(BODIES[("POST", "/keys")]))
    assert key.status_code == 201
    invited = client.http.post("/users", headers={**credentials["admin"], "Content-Type": "application/json"},
                               body=json.dumps(BODIES[("POST", "/users")]))
    assert invited.status_code == (201 if kind == "token" else 409)  # 409: no user pool in the key run


def test_the_gateways_own_401_is_in_the_document(api):
    """Found by `make fuzz`: without an Authorization header the gateway answers {"message": "Unauthorized"}
    before any app code runs; the document promised only the API's error shape for 401."""
    response = api["client"].http.post("/campaigns", headers={"Content-Type": "application/json"}, body="{}")
    assert (response.status_code, json.loads(response.body)) == (401, {"message": "Unauthorized"})
    schema = api["openapi"]["paths"]["/campaigns"]["post"]["responses"]["401"]["content"]["application/json"]["schema"]
    assert schema["anyOf"][1] == {"type": "object", "required": ["message"],
                                  "properties": {"message": {"type": "string"}}}
