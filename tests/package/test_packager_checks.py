"""infra/package.py's template checks catch what `chalice package --merge-template` lets through silently."""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packager():
    spec = importlib.util.spec_from_file_location("pf_package_checks", ROOT / "infra" / "package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BASE = {
    "Globals": {"Function": {"Environment": {"Variables": {"PF_RAW_BUCKET": {"Ref": "RawBucket"}}}}},
    "Resources": {
        "Etl": {"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.etl", "CodeUri": "./deployment.zip", "Timeout": 900,
            "Role": {"Fn::GetAtt": ["EtlRole", "Arn"]},
            "Events": {"EtlSqsEventSource": {"Type": "SQS", "Properties": {
                "Queue": {"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:predictfluence-etl"}}}}}},
        "EtlQueue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "predictfluence-etl", "VisibilityTimeout": 5400}},
    },
}


def test_a_sound_template_passes(packager, tmp_path):
    packager.check_template(copy.deepcopy(BASE), tmp_path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["Resources"].update(Renamed={"Properties": {"Layers": []}}), "did not create"),
        (lambda t: t["Resources"]["Etl"]["Properties"].update(Runtime="python3.11"), "python3.11"),
        (lambda t: t["Resources"]["EtlQueue"]["Properties"].update(QueueName="other"), "creates none"),
        (lambda t: t["Resources"]["EtlQueue"]["Properties"].update(VisibilityTimeout=900), "VisibilityTimeout"),
        (lambda t: t["Resources"]["Etl"]["Properties"].update(
            Environment={"Variables": {"PF_RAW_BUCKET": "predictfluence-raw"}}), "PF_RAW_BUCKET"),
        (lambda t: t["Resources"]["Etl"]["Properties"].update(Layers=[{"Ref": "Missing"}]), "not a LayerVersion"),
        (lambda t: t["Resources"].update(Api={"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.app", "CodeUri": "./deployment.zip", "Timeout": 30,
            "Role": {"Fn::GetAtt": ["EtlRole", "Arn"]}}}), "share an IAM role"),
    ],
    ids=["merged-into-nothing", "old-runtime", "queue-name", "visibility", "env-clash", "unknown-layer",
         "shared-role"],
)
def test_mistakes_are_named(packager, tmp_path, change, message):
    template = copy.deepcopy(BASE)
    change(template)
    with pytest.raises(packager.BuildError, match=message):
        packager.check_template(template, tmp_path)
