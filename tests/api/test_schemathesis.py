"""Property-based fuzzing of the API (schemathesis) against its own /openapi.json on `chalice local`.

The server runs in a subprocess from a temporary Chalice project outside the repository (chalice local
restarts on any file change under its project folder, .hypothesis/ included), with --no-autoreload, on a
free port, against the test database seeded with the known dataset. Requests send `Connection: close`
(chalice local stalls on keep-alive). About 300 generated cases: up to 12 per operation.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from etl_jobs.infer import header_signature

ROOT = Path(__file__).resolve().parents[2]
CHALICE = Path(sys.executable).with_name("chalice")
SHIM = f"""
import importlib.util, sys
sys.path.insert(0, {str(ROOT)!r})
_spec = importlib.util.spec_from_file_location("predictfluence_app", {str(ROOT / "app.py")!r})
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
app = _module.app
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chalice local exited with {proc.returncode}")
        try:
            request = urllib.request.Request(url, headers={"Connection": "close"})
            with urllib.request.urlopen(request, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)  # polling a port with a deadline, not synchronisation by sleeping
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def live_api(engine, database_url, tmp_path_factory) -> Iterator[dict[str, str]]:
    from predictfluence.api.auth import create_key
    from predictfluence.models import Base
    from tests.api.dataset import load

    tables = ", ".join(f'"{t}"' for t in Base.metadata.tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    load(engine)
    # Keys for the fuzzed DELETE /keys/{key_id} to revoke; the admin key the run authenticates with is
    # kept out of its reach (see _spare_the_admin_key) and checked at the end.
    decoys = [create_key("viewer", f"decoy {n}")[1]["id"] for n in range(5)]
    admin_key, admin_row = create_key("admin", "schemathesis")

    project = tmp_path_factory.mktemp("chalice-local")
    (project / ".chalice").mkdir()
    (project / ".chalice" / "config.json").write_text(json.dumps(
        {"version": "2.0", "app_name": "predictfluence", "stages": {"dev": {"api_gateway_stage": "api"}}}))
    (project / "app.py").write_text(SHIM)
    port = _free_port()
    # AWS is moto's server with the raw bucket and the ETL queue, so that the routes that talk to S3 or SQS
    # (POST /etl/loads/{id}/rerun queues a message) reach their 2xx path instead of a 503.
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    moto.start()
    aws_url = "http://{}:{}".format(*moto.get_host_and_port())
    aws = {"endpoint_url": aws_url, "region_name": "us-east-1", "aws_access_key_id": "testing",
           "aws_secret_access_key": "testing"}
    boto3.client("s3", **aws).create_bucket(Bucket=os.environ.get("PF_RAW_BUCKET") or "predictfluence-raw")
    boto3.client("sqs", **aws).create_queue(QueueName="predictfluence-etl")
    # a Cognito user pool on the same server, with one user, so that the users routes reach their 2xx path
    cognito = boto3.client("cognito-idp", **aws)
    pool_id = cognito.create_user_pool(PoolName="schemathesis", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="site")["UserPoolClient"]["ClientId"]
    for group in ("viewer", "manager", "admin"):
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    cognito.admin_create_user(UserPoolId=pool_id, Username="known@example.com", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "known@example.com"}])
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="known@example.com", GroupName="viewer")
    env = {**os.environ, "DATABASE_URL": database_url.render_as_string(hide_password=False),
           "AWS_ENDPOINT_URL": aws_url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "PYTHONPATH": str(ROOT), "PF_COGNITO_USER_POOL_ID": pool_id,
           "PF_COGNITO_CLIENT_ID": client_id, "PF_COGNITO_ENDPOINT": aws_url}
    for name in ("PF_ETL_QUEUE_URL", "PF_ETL_QUEUE"):
        env.pop(name, None)
    log = (project / "server.log").open("wb")
    proc = subprocess.Popen([str(CHALICE), "local", "--host", "127.0.0.1", "--port", str(port), "--no-autoreload",
                             "--stage", "dev"], cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/health", proc)
        yield {"base_url": base, "key": admin_key, "key_id": admin_row["id"], "decoys": decoys,
               "log": str(project / "server.log")}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        moto.stop()
        with engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def _load_fuzz_corpus():
    """bench/fuzz.py (the `make fuzz` script) holds the hostile-body corpus and its judge: one source."""
    spec = importlib.util.spec_from_file_location("pf_bench_fuzz", ROOT / "bench" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FUZZ = _load_fuzz_corpus()


def _body_operations_of_the_document() -> list[tuple[str, str]]:
    from app import app
    from predictfluence.api.openapi import build_openapi

    return FUZZ.body_operations(build_openapi(app))


BODY_OPERATIONS = _body_operations_of_the_document()

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection]


def _could_name(value: object, key_id: int) -> bool:
    """Whether a generated path parameter might be read as `key_id` ("6", " 6", "+6", "6.0", 6, 6.0 …)."""
    text = str(value).strip()
    for parse in (int, float):
        try:
            return parse(text) == key_id
        except (TypeError, ValueError, OverflowError):
            continue
    return False


def _spare_the_admin_key(operation, strategy, admin_id: int):
    """The fuzzer must never revoke (or otherwise act on) its own admin key: after a revocation every
    operation answers a documented 401 and the run would pass while testing nothing."""
    if not operation.path.startswith("/keys/{"):
        return strategy
    return strategy.filter(lambda case: not any(_could_name(v, admin_id) for v in (case.path_parameters or {}).values()))


def _status(base: str, path: str, key: str) -> int:
    request = urllib.request.Request(f"{base}{path}", headers={"Connection": "close", "Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


# Requests known to succeed on the freshly loaded dataset (tests/api/dataset.py), sent before any fuzzing
# with the same checks, for operations whose success needs ids that must fit together (a random campaign
# id and influencer id are almost never an existing, hireable pair): so that every operation provably
# reaches its 2xx path. Keys: operation label; values: schemathesis Case(...) arguments.
MAPPING_SIGNATURE = header_signature(["handle", "followers"])
KNOWN_GOOD = {
    "POST /campaigns/{campaign_id}/influencers": [  # Spring Glow (budget 10,000; 8,000 committed) hires Dave
        {"path_parameters": {"campaign_id": 1}, "body": {"influencer_id": 4, "agreed_cost": 500}}],
    "PATCH /campaigns/{campaign_id}/influencers/{influencer_id}": [
        {"path_parameters": {"campaign_id": 1, "influencer_id": 4}, "body": {"status": "live"}}],
    "DELETE /keys/{key_id}": [{"path_parameters": {"key_id": "decoy"}}],  # the last decoy key, filled in below
    "POST /campaigns/{campaign_id}/hires": [  # then Spring Glow (8,500 committed) hires Bob and Eve at once
        {"path_parameters": {"campaign_id": 1},
         "body": {"hires": [{"influencer_id": 2, "agreed_cost": 400}, {"influencer_id": 5, "agreed_cost": 600}]}}],
    "POST /campaigns/{campaign_id}/plan": [  # Gym Push has hired neither of the two priced, unflagged creators
        {"path_parameters": {"campaign_id": 2}, "body": {"budget": 1500}}],
    # a saved mapping needs a header whose signature the query names; then the same signature is deleted
    "PUT /imports/mappings": [
        {"path_parameters": {}, "query": {"signature": MAPPING_SIGNATURE},
         "body": {"kind": "profiles", "header": ["handle", "followers"],
                  "mapping": {"handle": "handle", "followers": "followers"}}}],
    "DELETE /imports/mappings": [{"path_parameters": {}, "query": {"signature": MAPPING_SIGNATURE}}],
    # shortlist 1, made here, then read, renamed, filled, annotated and emptied; random ids rarely exist
    "POST /shortlists": [{"path_parameters": {}, "body": {"name": "Known good", "influencer_ids": [1, 2]}}],
    "GET /shortlists/{shortlist_id}": [{"path_parameters": {"shortlist_id": 1}}],
    "GET /shortlists/{shortlist_id}/items.csv": [{"path_parameters": {"shortlist_id": 1}}],
    "PATCH /shortlists/{shortlist_id}": [{"path_parameters": {"shortlist_id": 1}, "body": {"name": "Known good 2"}}],
    "POST /shortlists/{shortlist_id}/items": [{"path_parameters": {"shortlist_id": 1}, "body": {"influencer_ids": [3]}}],
    "PATCH /shortlists/{shortlist_id}/items/{influencer_id}": [
        {"path_parameters": {"shortlist_id": 1, "influencer_id": 3}, "body": {"note": "ok"}}],
    "DELETE /shortlists/{shortlist_id}/items/{influencer_id}": [
        {"path_parameters": {"shortlist_id": 1, "influencer_id": 3}}],
    # the one user of the run's pool (a random address is almost never a user)
    "PATCH /users/{email}": [{"path_parameters": {"email": "known@example.com"}, "body": {"role": "manager"}}],
    "POST /users": [{"path_parameters": {}, "body": {"email": "fresh@example.com", "role": "viewer"}}],
    # ids is a comma list of 2–5 existing ids: random text almost never is
    "GET /influencers/compare": [{"path_parameters": {}, "query": {"ids": "1,2"}}],
}


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(live_api):
    """Every operation, ~12 generated cases each (positive and negative): no 5xx, no schema violations;
    the admin key the run uses still works at the end and every operation answered 2xx at least once
    (a run that only collected documented 401s or 404s proves nothing)."""
    schema = schemathesis.openapi.from_url(f"{live_api['base_url']}/openapi.json", headers={"Connection": "close"})
    headers = {"Connection": "close", "Authorization": f"Bearer {live_api['key']}"}
    failures: dict[str, str] = {}
    statuses: dict[str, list[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    by_label = {operation.label: operation for operation in operations}
    assert set(KNOWN_GOOD) <= set(by_label), "KNOWN_GOOD names an operation the document no longer has"
    for label, examples in KNOWN_GOOD.items():
        for example in examples:
            params = {k: (live_api["decoys"][-1] if v == "decoy" else v) for k, v in example["path_parameters"].items()}
            case = by_label[label].Case(**{**example, "path_parameters": params})
            try:
                response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
            except Exception as exc:  # noqa: BLE001
                failures[f"{label} (known good)"] = str(exc)[:2000]
                continue
            assert 200 <= response.status_code < 300, f"{label} {example}: {response.status_code} {response.text}"
            statuses.setdefault(label, []).append(response.status_code)
    for operation in operations:
        seen = statuses.setdefault(operation.label, [])

        def call(case, seen: list[int] = seen) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
            seen.append(response.status_code)

        @given(case=_spare_the_admin_key(operation, operation.as_strategy(), live_api["key_id"]))
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case) -> None:
            call(case)

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, report them together
            failures[operation.label] = str(exc)[:2000]
    if os.environ.get("PF_SCHEMATHESIS_LOG"):
        print(Path(live_api["log"]).read_text()[-200000:])
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert sum(map(len, statuses.values())) >= 200
    assert _status(live_api["base_url"], "/keys", live_api["key"]) == 200, "the run revoked its own admin key"
    assert {label: sorted(set(codes)) for label, codes in statuses.items()
            if not any(200 <= code < 300 for code in codes)} == {}, "operations that never answered 2xx"


@pytest.mark.slow
def test_chalice_local_runs_the_authorizer_and_answers_preflights(live_api):
    base = live_api["base_url"]

    def status(path: str, method: str = "GET", headers: dict[str, str] | None = None) -> int:
        request = urllib.request.Request(f"{base}{path}", method=method, headers={"Connection": "close", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status("/analytics/kpis") == 401
    assert status("/analytics/kpis", headers={"Authorization": "Bearer pfk_000000000000_x"}) == 401
    assert status("/analytics/kpis", headers={"Authorization": f"Bearer {live_api['key']}"}) == 200
    assert status("/campaigns", "OPTIONS", {"Origin": "http://127.0.0.1:8080"}) == 200


def test_every_body_taking_operation_gets_the_hostile_corpus(live_api):
    """The parametrized list below is the served document's body-taking operations, no fewer."""
    with urllib.request.urlopen(urllib.request.Request(f"{live_api['base_url']}/openapi.json",
                                                       headers={"Connection": "close"}), timeout=30) as response:
        assert FUZZ.body_operations(json.loads(response.read())) == BODY_OPERATIONS
    assert ("POST", "/campaigns") in BODY_OPERATIONS and len(BODY_OPERATIONS) >= 6


@pytest.fixture(scope="module")
def served_document(live_api) -> dict:
    with urllib.request.urlopen(urllib.request.Request(f"{live_api['base_url']}/openapi.json",
                                                       headers={"Connection": "close"}), timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
@pytest.mark.parametrize("hostile", list(FUZZ.HOSTILE_BODIES))
@pytest.mark.parametrize(("method", "path"), BODY_OPERATIONS, ids=[f"{m} {p}" for m, p in BODY_OPERATIONS])
def test_hostile_bodies_get_a_documented_4xx_in_the_error_shape(live_api, served_document, method, path, hostile):
    """Nesting 5,000 deep, 1 and 8 MiB bodies, 1e400, 5,000-digit integers, NaN: over HTTP through chalice
    local (the whole request path), every body-taking operation answers a documented 4xx in the error shape
    (issue 10, point 11) — never a 5xx, a 2xx, or a dropped connection."""
    status, answer = FUZZ.send(live_api["base_url"], live_api["key"], method, path, FUZZ.HOSTILE_BODIES[hostile])
    assert FUZZ.hostile_problems(served_document, method, path, status, answer) == []
