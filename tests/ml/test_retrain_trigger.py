"""The Lambda-mode retrain trigger: inside a Lambda (or with PF_RETRAIN_FUNCTION set) a retraining run is
started by invoking the retrain function asynchronously, never by a thread in the caller.

Three angles, none of which needs real AWS:
- the exact `Invoke` call (FunctionName, InvocationType="Event", the payload) the ETL Lambda's post-load
  hook makes, pinned with botocore's Stubber on the very client predictfluence.storage hands out;
- the same call against moto's Lambda (a function with an execution role, the Docker-free backend), which
  checks that the name resolves to a function that exists and that the payload is accepted as an
  asynchronous invocation (202);
- the IAM grant that call needs (`lambda:InvokeFunction` on the retrain function) in the CloudFormation
  that infra/resources.json merges into the stack, attached to the role(s) of the functions that call it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


class Captured:
    """Matches any value in a Stubber's expected_params and keeps it for exact assertions afterwards."""

    value: Any = None

    def __eq__(self, other: object) -> bool:
        self.value = other
        return True

    __hash__ = None  # type: ignore[assignment]


@pytest.fixture()
def lambda_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh settings and boto3 clients, no endpoint override, no retrain function configured."""
    from predictfluence import retraining
    from predictfluence.config import reset_settings
    from predictfluence.storage import reset_clients

    for name in ("AWS_ENDPOINT_URL", "PF_RETRAIN_FUNCTION", "AWS_LAMBDA_FUNCTION_NAME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    reset_settings()
    reset_clients()
    threads_before = list(retraining._threads)
    yield
    assert retraining._threads == threads_before, "Lambda mode must not start a local retraining thread"
    reset_clients()
    reset_settings()


def _assert_is_the_retrain_event(payload: bytes, reason: str) -> dict[str, Any]:
    """The payload is a scheduled-event-shaped JSON document that Chalice's @app.schedule wrapper accepts."""
    from chalice.app import CloudWatchEvent

    event = json.loads(payload)
    assert set(event) == {"version", "id", "detail-type", "source", "account", "time", "region", "resources",
                          "detail"}
    assert (event["detail-type"], event["source"], event["region"], event["resources"], event["detail"]) == (
        "Scheduled Event", "predictfluence", "us-east-1", [], {"reason": reason})
    parsed = CloudWatchEvent(event, None)  # what app.retrain(event) receives in the retrain Lambda
    assert (parsed.detail, parsed.source, parsed.detail_type) == ({"reason": reason}, "predictfluence",
                                                                   "Scheduled Event")
    return event


def test_the_etl_lambda_invokes_the_retrain_function_asynchronously(db, lambda_env, monkeypatch) -> None:
    """The ETL Lambda (etl_jobs.pipeline.finish_batch, its post-batch work) after enough new metric rows: exactly one
    Invoke of `<app>-<stage>-retrain` with InvocationType=Event and the retrain event as payload."""
    from botocore.stub import Stubber

    from etl_jobs.pipeline import LoadOutcome, start_retraining_if_due
    from predictfluence.config import reset_settings
    from predictfluence.storage import client

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-dev-etl")  # as Lambda sets it for the ETL
    monkeypatch.setenv("PF_RETRAIN_MIN_NEW_ROWS", "100")
    reset_settings()
    payload = Captured()
    lam = client("lambda")  # the cached client start_retraining will use
    with Stubber(lam) as stub:
        stub.add_response("invoke", {"StatusCode": 202},
                          expected_params={"FunctionName": "predictfluence-dev-retrain", "InvocationType": "Event",
                                           "Payload": payload})
        outcome = LoadOutcome(load_id=1, kind="post_metrics", status="loaded", checksum="c", rows_loaded=150)
        start_retraining_if_due([outcome])  # logs (never raises) when the invoke fails: hence the checks below
        stub.assert_no_pending_responses()
    assert isinstance(payload.value, bytes)
    _assert_is_the_retrain_event(payload.value, "150 new metric rows")


def test_below_the_threshold_nothing_is_invoked(db, lambda_env, monkeypatch) -> None:
    from botocore.stub import Stubber

    from etl_jobs.pipeline import LoadOutcome, start_retraining_if_due
    from predictfluence.config import reset_settings
    from predictfluence.storage import client

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-dev-etl")
    monkeypatch.setenv("PF_RETRAIN_MIN_NEW_ROWS", "100")
    reset_settings()
    with Stubber(client("lambda")) as stub:  # no response queued: any invoke would be a StubResponseError
        start_retraining_if_due([LoadOutcome(load_id=1, kind="post_metrics", status="loaded", checksum="c",
                                             rows_loaded=99)])
        stub.assert_no_pending_responses()


def test_start_retraining_against_moto_lambda(lambda_env, monkeypatch) -> None:
    """The API's POST /models/retrain path in Lambda (PF_RETRAIN_FUNCTION as the template sets it): moto's
    Lambda receives one asynchronous invocation of the function that exists, with the retrain event."""
    import boto3
    from botocore.exceptions import ClientError
    from moto import mock_aws
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from predictfluence.retraining import start_retraining

    calls: list[tuple[str, str | None, bytes]] = []
    real_invoke = LambdaSimpleBackend.invoke

    def recording_invoke(self, function_name, qualifier, body, headers, response_headers):
        self.get_function(function_name, qualifier)  # the Docker-free backend does not check the name itself
        calls.append((function_name, headers.get("X-Amz-Invocation-Type"), body))
        return real_invoke(self, function_name, qualifier, body, headers, response_headers)

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", recording_invoke)
    with mock_aws(config={"lambda": {"use_docker": False}}):
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="retrain-exec", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                           "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
        lam = boto3.client("lambda", region_name="us-east-1")
        lam.create_function(FunctionName="predictfluence-dev-retrain", Runtime="python3.12", Role=role,
                            Handler="app.retrain", Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18})
        monkeypatch.setenv("PF_RETRAIN_FUNCTION", "predictfluence-dev-retrain")
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "predictfluence-dev")  # the API handler

        assert start_retraining("api") == {"mode": "lambda", "function": "predictfluence-dev-retrain"}

        monkeypatch.setenv("PF_RETRAIN_FUNCTION", "predictfluence-dev-missing")
        with pytest.raises(ClientError) as missing:
            start_retraining("api")  # a wrong name is an error, not a silent no-op
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert [(name, kind) for name, kind, _ in calls] == [("predictfluence-dev-retrain", "Event")]
    _assert_is_the_retrain_event(calls[0][2], "api")


# --- the IAM grant ------------------------------------------------------------------------------------


def _refers_to_retrain_arn(resource: Any) -> bool:
    if resource == {"Fn::GetAtt": ["Retrain", "Arn"]} or resource == {"Fn::GetAtt": "Retrain.Arn"}:
        return True
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        text = resource["Fn::Sub"] if isinstance(resource["Fn::Sub"], str) else resource["Fn::Sub"][0]
        return "${Retrain.Arn}" in text or text.endswith(":function:${Retrain}")
    return isinstance(resource, list) and any(_refers_to_retrain_arn(r) for r in resource)


def _grants_invoke_on_retrain(document: dict[str, Any]) -> bool:
    for statement in document.get("Statement", []):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if (statement.get("Effect") == "Allow" and "lambda:InvokeFunction" in actions
                and _refers_to_retrain_arn(statement.get("Resource"))):
            return True
    return False


def _policy_of(config: dict[str, Any], resources: dict[str, Any], stage: str, function: str) -> list[dict]:
    """The policy documents of the role a Chalice function runs as: its `iam_policy_file` (infra/package.py
    copies infra/policies/<name>.json to .chalice/policy-<name>.json), else the policies infra/resources.json
    attaches to Chalice's shared DefaultRole."""
    stage_config = config["stages"][stage]
    for scope in (stage_config.get("lambda_functions", {}).get(function, {}), stage_config, config):
        if scope.get("iam_policy_file"):
            name = scope["iam_policy_file"].removeprefix("policy-")
            return [json.loads((ROOT / "infra" / "policies" / name).read_text())]
    return [r["Properties"]["PolicyDocument"] for r in resources.values()
            if r.get("Type") == "AWS::IAM::Policy" and {"Ref": "DefaultRole"} in r["Properties"].get("Roles", [])]


@pytest.mark.parametrize("stage", ["dev", "prod"])
@pytest.mark.parametrize("function", ["api_handler", "etl"])
def test_the_callers_roles_may_invoke_the_retrain_function(stage: str, function: str) -> None:
    """Without `lambda:InvokeFunction` on the retrain function the asynchronous Invoke fails with
    AccessDenied, which the ETL hook only logs: the grant must be in the role of the API handler
    (POST /models/retrain) and of the ETL function (post-load trigger), for the Retrain function's ARN."""
    resources = json.loads((ROOT / "infra" / "resources.json").read_text())["Resources"]
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    documents = _policy_of(config, resources, stage, function)
    assert any(_grants_invoke_on_retrain(d) for d in documents), (
        f"{function}'s role ({stage}) may not invoke the Retrain function: {documents}")
