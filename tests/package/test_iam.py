"""Least privilege, read from the merged template (build/sam/sam.json): every function has its own IAM role
(Chalice's per-function `autogen_policy: false` + `iam_policy_file`, documents in infra/policies/), and each
role allows exactly the actions on exactly the resources its code calls:

- API: the users API's Cognito admin calls on the stack's user pool only; sign upload tickets (s3:PutObject on raw/*), read load reports (reports/*), start retraining,
  re-run a load (sqs:SendMessage on the ETL queue, encrypted with the stack key), write large CSV exports
  and sign links to them (exports/* of the models bucket);
- ETL: consume the ETL queue, read uploads (raw/*, any version), write reports (reports/*), start
  retraining; s3:ListBucket on the raw bucket so that a missing `<file>.mapping.json` is NoSuchKey (404),
  not AccessDenied (403), for functions/events/etl.py;
- retrain: model artifacts (models/* of the models bucket), its own dead-letter queue, the scoring queue
  (it sends a run's chunks);
- score: reads model artifacts, receives/deletes the scoring queue's messages;
- planner: the database only (the API invokes it: lambda:InvokeFunction on it, in the API's role);
- authorizer: nothing in S3 at all.

All four: their own log group, the database secret (and the stack key through Secrets Manager only), the
VPC network interfaces Lambda creates for them.
"""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow

ENI = frozenset({"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                 "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"})
LOGS = frozenset({"logs:CreateLogStream", "logs:PutLogEvents"})


def _res(value) -> str:
    """A resource as one comparable string: '*', 'Ref:X', 'Arn:X', or the Fn::Sub text."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"Ref:{value['Ref']}"
    if "Fn::GetAtt" in value:
        return f"{value['Fn::GetAtt'][1]}:{value['Fn::GetAtt'][0]}"
    if "Fn::Sub" in value:
        return value["Fn::Sub"]
    raise AssertionError(f"unexpected resource form {value!r}")


def _grants(role: dict) -> set[tuple[str, str, str]]:
    """(action, resource, condition JSON) for every Allow statement of the role's inline policies."""
    props = role["Properties"]
    assert "ManagedPolicyArns" not in props, "a managed policy would grant more than the role's own documents"
    grants = set()
    for policy in props["Policies"]:
        for st in policy["PolicyDocument"]["Statement"]:
            assert st["Effect"] == "Allow"
            assert "NotAction" not in st and "NotResource" not in st
            actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
            resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
            cond = json.dumps(st.get("Condition"), sort_keys=True)
            grants |= {(a, _res(r), cond) for a in actions for r in resources}
    return grants


def _via(*services: str) -> str:
    return json.dumps({"StringEquals": {"kms:ViaService": [
        {"Fn::Sub": f"{s}.${{AWS::Region}}.amazonaws.com"} for s in services]}}, sort_keys=True)


NONE = json.dumps(None)


def _common(log_group: str, kms_services: tuple[str, ...], kms_actions=("kms:Decrypt",)) -> set:
    return ({(a, f"Arn:{log_group}", NONE) for a in LOGS}
            | {(a, "*", NONE) for a in ENI}
            | {("secretsmanager:GetSecretValue", "Ref:DatabaseSecret", NONE)}
            | {(a, "Arn:DataKey", _via(*kms_services)) for a in kms_actions})


START_RETRAINING = {("lambda:InvokeFunction", "Arn:Retrain", NONE)}
PLAN_CAMPAIGNS = {("lambda:InvokeFunction", "Arn:Planner", NONE)}  # the API calls the planner synchronously
# the users API (predictfluence.identity): invite, list, change a group, disable / enable + sign out — the pool only
TEAM_USERS = {(f"cognito-idp:{action}", "Arn:UserPool", NONE) for action in (
    "AdminCreateUser", "AdminGetUser", "ListUsers", "AdminListGroupsForUser", "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup", "AdminDisableUser", "AdminEnableUser", "AdminUserGlobalSignOut")}
EXPECTED = {
    "APIHandler": _common("ApiHandlerLogGroup", ("secretsmanager", "sqs"), ("kms:Decrypt", "kms:GenerateDataKey"))
    | START_RETRAINING | PLAN_CAMPAIGNS | TEAM_USERS | {
        ("s3:PutObject", "${RawBucket.Arn}/raw/*", NONE),
        ("s3:GetObject", "${RawBucket.Arn}/reports/*", NONE),
        ("sqs:SendMessage", "Arn:EtlQueue", NONE),  # re-run a load (predictfluence.api.etl_queue)
        # large CSV exports: a streamed multipart upload, then a presigned GET (predictfluence.api.csv_export)
        ("s3:PutObject", "${ModelsBucket.Arn}/exports/*", NONE),
        ("s3:AbortMultipartUpload", "${ModelsBucket.Arn}/exports/*", NONE),
        ("s3:GetObject", "${ModelsBucket.Arn}/exports/*", NONE),
    },
    "ApiKeyAuthorizer": _common("ApiKeyAuthorizerLogGroup", ("secretsmanager",)),
    "Etl": _common("EtlLogGroup", ("secretsmanager", "sqs")) | START_RETRAINING | {
        ("sqs:ReceiveMessage", "Arn:EtlQueue", NONE),
        ("sqs:DeleteMessage", "Arn:EtlQueue", NONE),
        ("sqs:GetQueueAttributes", "Arn:EtlQueue", NONE),
        ("s3:GetObject", "${RawBucket.Arn}/raw/*", NONE),
        ("s3:GetObjectVersion", "${RawBucket.Arn}/raw/*", NONE),
        ("s3:ListBucket", "Arn:RawBucket", NONE),
        ("s3:PutObject", "${RawBucket.Arn}/reports/*", NONE),
    },
    "Retrain": _common("RetrainLogGroup", ("secretsmanager", "sqs"), ("kms:Decrypt", "kms:GenerateDataKey")) | {
        ("s3:GetObject", "${ModelsBucket.Arn}/models/*", NONE),
        ("s3:PutObject", "${ModelsBucket.Arn}/models/*", NONE),
        ("sqs:SendMessage", "Arn:RetrainDeadLetterQueue", NONE),
        ("sqs:SendMessage", "Arn:ScoreQueue", NONE),  # a scoring run's chunks (predictfluence_ml.scoring)
    },
    # a scoring chunk: the champion's artifact (read only), its queue, the database
    "Score": _common("ScoreLogGroup", ("secretsmanager", "sqs")) | {
        ("s3:GetObject", "${ModelsBucket.Arn}/models/*", NONE),
        ("sqs:ReceiveMessage", "Arn:ScoreQueue", NONE),
        ("sqs:DeleteMessage", "Arn:ScoreQueue", NONE),
        ("sqs:GetQueueAttributes", "Arn:ScoreQueue", NONE),
    },
    # the planner reads the candidates (the database) and nothing else
    "Planner": _common("PlannerLogGroup", ("secretsmanager",)),
}


def _role_of(template: dict, function: str) -> tuple[str, dict]:
    role_ref = template["Resources"][function]["Properties"]["Role"]
    assert isinstance(role_ref, dict) and "Fn::GetAtt" in role_ref, role_ref
    name = role_ref["Fn::GetAtt"][0]
    return name, template["Resources"][name]


def test_every_function_has_its_own_role(built):
    resources = built["template"]["Resources"]
    functions = sorted(n for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function")
    assert functions == sorted(EXPECTED)
    roles = {f: _role_of(built["template"], f)[0] for f in functions}
    assert len(set(roles.values())) == len(roles), roles
    assert "DefaultRole" not in resources
    for name, role in (_role_of(built["template"], f) for f in functions):
        trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert [(s["Principal"], s["Action"]) for s in trust] == [({"Service": "lambda.amazonaws.com"}, "sts:AssumeRole")], name


@pytest.mark.parametrize("function", sorted(EXPECTED))
def test_role_allows_exactly_what_the_function_calls(built, function):
    _name, role = _role_of(built["template"], function)
    grants = _grants(role)
    assert grants == EXPECTED[function], (
        f"{function}: unexpected {sorted(grants - EXPECTED[function])}; missing {sorted(EXPECTED[function] - grants)}")


def test_authorizer_has_no_s3_and_only_the_etl_reads_uploads(built):
    template = built["template"]
    by_function = {f: _grants(_role_of(template, f)[1]) for f in EXPECTED}
    assert not [g for g in by_function["ApiKeyAuthorizer"] if g[0].startswith(("s3:", "sqs:", "lambda:"))]
    readers = sorted(f for f, gs in by_function.items() if ("s3:GetObject", "${RawBucket.Arn}/raw/*", NONE) in gs)
    assert readers == ["Etl"]
    writers = sorted(f for f, gs in by_function.items() if any(g[0] == "s3:PutObject" and "ModelsBucket" in g[1] for g in gs))
    assert writers == ["APIHandler", "Retrain"]
    # only retraining writes model artifacts; the API writes CSV exports and nothing else there
    assert {g[1] for g in by_function["APIHandler"] if "ModelsBucket" in g[1]} == {"${ModelsBucket.Arn}/exports/*"}
    # nothing deletes anything, and no wildcard action anywhere
    assert not [g for gs in by_function.values() for g in gs if "Delete" in g[0] and not g[0].startswith(("ec2:", "sqs:"))]
    assert not [g for gs in by_function.values() for g in gs if "*" in g[0]]


def test_only_the_documented_roles_exist(built):
    """Service roles besides the functions': RDS Proxy (reads the secret), RDS enhanced monitoring and API
    Gateway's CloudWatch role (both AWS managed policies made for exactly that)."""
    resources = built["template"]["Resources"]
    roles = sorted(n for n, r in resources.items() if r["Type"] == "AWS::IAM::Role")
    assert roles == sorted(["ApiHandlerRole", "ApiKeyAuthorizerRole", "EtlRole", "RetrainRole", "PlannerRole", "ScoreRole",
                            "DatabaseProxyRole",
                            "DatabaseMonitoringRole", "ApiGatewayCloudWatchRole"])
    assert [n for n, r in resources.items() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")] == []
    proxy = _grants(resources["DatabaseProxyRole"])
    assert proxy == {("secretsmanager:GetSecretValue", "Ref:DatabaseSecret", NONE),
                     ("kms:Decrypt", "Arn:DataKey",
                      json.dumps({"StringEquals": {"kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}}},
                                 sort_keys=True))}
