"""CORS: only the configured front-end origin, never `*` or the caller's Origin echoed back.
Pre-signed uploads: the POST policy S3 evaluates pins the bucket, the exact key under raw/<kind>/, the
CSV content type, a 1..N byte range and a 15-minute expiry.

moto (5.2.x) does not evaluate POST policies: `S3Response._bucket_response_post` stores whatever form it
gets (no signature, condition or expiry check; see moto/s3/responses.py). So the tests (1) assert the
signed policy exactly, (2) evaluate it with `policy_allows` below — the condition rules of AWS's
"Creating a POST policy" (eq / starts-with / content-length-range / expiration) — against in-policy and
out-of-policy uploads, and (3) upload the in-policy form to moto to prove the ticket is usable.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any

import pytest

EVIL = "https://evil.example"


def test_every_route_allows_only_the_configured_origin(api):
    from predictfluence.config import get_settings

    origin = get_settings().cors_origin
    assert origin not in ("*", "") and origin.startswith("http")
    for path, methods in api["app"].routes.items():
        for method, entry in methods.items():
            assert entry.cors is not None and entry.cors.allow_origin == origin, (method, path)


@pytest.mark.parametrize("path", ["/influencers", "/influencers/999", "/analytics/kpis", "/health", "/openapi.json"])
def test_an_unknown_origin_is_not_echoed(api, path: str):
    """Chalice's CORS is static: API Gateway / the route add `Access-Control-Allow-Origin: <configured>`
    whatever the request's Origin, so a browser on another origin is refused by the mismatch."""
    from predictfluence.config import get_settings

    allowed = api["client"].http.get(path, headers={**api["auth"]["viewer"], "Origin": get_settings().cors_origin})
    assert allowed.headers["Access-Control-Allow-Origin"] == get_settings().cors_origin
    response = api["client"].http.get(path, headers={**api["auth"]["viewer"], "Origin": EVIL})
    assert response.headers.get("Access-Control-Allow-Origin") == get_settings().cors_origin
    assert EVIL not in json.dumps(response.headers) and "*" not in response.headers["Access-Control-Allow-Origin"]
    assert response.headers.get("Access-Control-Allow-Credentials") is None


# --- pre-signed uploads --------------------------------------------------------------------------------


def policy_allows(policy: dict[str, Any], bucket: str, form: dict[str, str], size: int, now: dt.datetime) -> bool:
    """S3's evaluation of a POST policy: not expired, and every condition holds for the submitted form."""
    if now >= dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")):
        return False
    fields = {k.lower(): v for k, v in {**form, "bucket": bucket}.items()}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, value),) = condition.items()
            if fields.get(name.lower()) != value:
                return False
        elif condition[0] == "content-length-range":
            if not condition[1] <= size <= condition[2]:
                return False
        elif condition[0] in ("eq", "starts-with"):
            actual = fields.get(condition[1].lstrip("$").lower(), "")
            if (condition[0] == "eq" and actual != condition[2]) or not actual.startswith(condition[2]):
                return False
        else:
            raise AssertionError(f"unknown condition {condition!r}")
    return True


@pytest.fixture()
def ticket(api, aws) -> dict[str, Any]:
    response = api["client"].http.post(
        "/uploads", headers={**api["auth"]["manager"], "Content-Type": "application/json"},
        body=json.dumps({"kind": "post_metrics", "filename": "day 1.csv", "content_length": 1000}))
    assert response.status_code == 201, response.body
    return response.json_body


def test_the_signed_policy_pins_key_type_size_and_expiry(ticket: dict[str, Any], aws):
    issued = dt.datetime.now(dt.UTC)
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    key = ticket["key"]
    assert key.startswith("raw/post_metrics/") and key.endswith("-day_1.csv") and ".." not in key
    assert (ticket["bucket"], ticket["content_type"], ticket["max_bytes"], ticket["expires_in"]) == (
        aws["raw_bucket"], "text/csv", 1000, 900)
    assert ticket["fields"]["key"] == key and ticket["fields"]["Content-Type"] == "text/csv"
    conditions = policy["conditions"]
    assert {"bucket": aws["raw_bucket"]} in conditions
    assert {"key": key} in conditions
    assert {"Content-Type": "text/csv"} in conditions
    assert ["content-length-range", 1, 1000] in conditions
    expires = dt.datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert dt.timedelta(seconds=880) <= expires - issued <= dt.timedelta(seconds=905)


def test_uploads_outside_the_policy_are_refused_by_its_conditions(ticket: dict[str, Any], aws):
    policy = json.loads(base64.b64decode(ticket["fields"]["policy"]))
    form = {k: v for k, v in ticket["fields"].items() if k != "policy"}
    now = dt.datetime.now(dt.UTC)
    bucket = aws["raw_bucket"]
    assert policy_allows(policy, bucket, form, 1000, now)
    refused = {
        "outside raw/": ({**form, "key": "models/champion.joblib"}, 10, now),
        "another kind": ({**form, "key": ticket["key"].replace("post_metrics", "influencers")}, 10, now),
        "not CSV": ({**form, "Content-Type": "text/html"}, 10, now),
        "too big": (form, 1001, now),
        "empty": (form, 0, now),
        "expired": (form, 10, now + dt.timedelta(seconds=901)),
    }
    for label, (attempt, size, when) in refused.items():
        assert not policy_allows(policy, bucket, attempt, size, when), label
    assert not policy_allows(policy, "another-bucket", form, 10, now)


def test_the_ticket_uploads_to_s3(ticket: dict[str, Any], aws):
    import boto3
    import requests

    body = b"platform,post_id,date,likes\n"
    response = requests.post(ticket["url"], data=ticket["fields"], files={"file": ("x.csv", body, "text/csv")},
                             timeout=10)
    assert response.status_code == 204, response.text
    stored = boto3.client("s3", region_name="us-east-1").get_object(Bucket=aws["raw_bucket"], Key=ticket["key"])
    assert stored["Body"].read() == body


@pytest.mark.parametrize(("field", "value"), [
    ("filename", "../models/x.csv"), ("filename", "a/b.csv"), ("filename", "x.exe"), ("filename", "x.csv\n"),
    ("kind", "models"), ("kind", "../raw"), ("content_length", 0), ("content_length", 512 * 1024 * 1024 + 1),
])
def test_the_api_refuses_tickets_outside_raw_kinds_names_and_sizes(api, aws, field: str, value: Any):
    body = {"kind": "posts", "filename": "x.csv", "content_length": 10, field: value}
    response = api["client"].http.post("/uploads", headers={**api["auth"]["manager"],
                                                            "Content-Type": "application/json"},
                                       body=json.dumps(body))
    assert response.status_code == 422, response.body
    assert [d["field"] for d in response.json_body["error"]["details"]] == [field]
