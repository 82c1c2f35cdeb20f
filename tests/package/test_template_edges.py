"""The edges of the deployed system, read from the merged template (build/sam/sam.json): API Gateway
throttling and usage plan, ETL concurrency sized to the database's connections, ETL ephemeral storage sized
to the largest upload, raw bucket versioning, dead-letter alarms, the site's response headers (CSP)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

MIB = 1024 * 1024
# Aurora PostgreSQL's default max_connections is LEAST(DBInstanceClassMemory / 9,531,392, 5000); Aurora
# Serverless v2 sizes it from the maximum capacity, and one ACU is 2 GiB (docs/deployment.md).
ACU_BYTES = 2 * 1024 ** 3
AURORA_BYTES_PER_CONNECTION = 9_531_392


def _param(template: dict, name: str):
    return template["Parameters"][name]["Default"]


def _value(template: dict, value):
    """A number given directly or as a Ref to a parameter (its default)."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return _param(template, value["Ref"])
    return value


def test_etl_ephemeral_storage_holds_three_copies_of_the_largest_upload(built):
    """The ETL keeps up to three copies of an upload in /tmp at once (the download and what it writes from
    it, issue 10 point 6): 3 x the upload limit, plus Lambda's default 512 MiB for everything else."""
    from predictfluence.api.schemas.uploads import MAX_UPLOAD_BYTES

    size_mb = built["template"]["Resources"]["Etl"]["Properties"]["EphemeralStorage"]["Size"]
    assert size_mb * MIB >= 3 * MAX_UPLOAD_BYTES + 512 * MIB, (size_mb, MAX_UPLOAD_BYTES)
    assert size_mb <= 10240  # Lambda's maximum


def test_etl_concurrency_fits_the_database_connections(built):
    from predictfluence.db import create_engine

    template = built["template"]
    resources = template["Resources"]
    etl = resources["Etl"]["Properties"]
    maximum = etl["Events"]["EtlSqsEventSource"]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    # the poller never starts more ETL invocations than the function may run (no throttled retries that
    # end in the dead-letter queue), and the two are one parameter
    assert maximum == etl["ReservedConcurrentExecutions"] == {"Ref": "EtlMaxConcurrency"}
    assert 2 <= _value(template, maximum) <= 1000
    engine = create_engine("postgresql+pg8000://user@localhost/db")
    per_instance = engine.pool.size() + engine.pool._max_overflow  # the most one warm Lambda can hold
    engine.dispose()
    reserved = {name: _value(template, res["Properties"]["ReservedConcurrentExecutions"])
                for name, res in resources.items() if res["Type"] == "AWS::Serverless::Function"}
    assert all(isinstance(n, int) and n >= 1 for n in reserved.values()), reserved
    assert reserved["Retrain"] == 1  # one training run at a time
    max_connections = min(_param(template, "AuroraMaxCapacity") * ACU_BYTES // AURORA_BYTES_PER_CONNECTION, 5000)
    proxy_share = resources["DatabaseProxyTargetGroup"]["Properties"]["ConnectionPoolConfigurationInfo"][
        "MaxConnectionsPercent"]
    budget = max_connections * proxy_share // 100
    worst_case = sum(reserved.values()) * per_instance
    print(f"\nconnections: {reserved} x {per_instance} = {worst_case} <= {budget} "
          f"({proxy_share}% of max_connections {max_connections} at {_param(template, 'AuroraMaxCapacity')} ACUs)")
    assert worst_case <= budget


def test_api_stage_throttling_and_usage_plan(built):
    template = built["template"]
    api = template["Resources"]["RestAPI"]["Properties"]
    settings = api["MethodSettings"]
    assert [(s["ResourcePath"], s["HttpMethod"]) for s in settings] == [("/*", "*")]
    assert settings[0]["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert settings[0]["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    assert 0 < _param(template, "ApiThrottleRate") <= _param(template, "ApiThrottleBurst")
    assert api["TracingEnabled"] is True and "DestinationArn" in api["AccessLogSetting"]
    plan = template["Resources"]["ApiUsagePlan"]
    assert plan["Type"] == "AWS::ApiGateway::UsagePlan"
    assert plan["Properties"]["ApiStages"] == [{"ApiId": {"Ref": "RestAPI"}, "Stage": {"Ref": "RestAPI.Stage"}}]
    assert plan["Properties"]["Throttle"] == {"RateLimit": {"Ref": "ApiThrottleRate"},
                                              "BurstLimit": {"Ref": "ApiThrottleBurst"}}


def test_raw_bucket_is_versioned(built):
    raw = built["template"]["Resources"]["RawBucket"]["Properties"]
    assert raw["VersioningConfiguration"] == {"Status": "Enabled"}
    # old versions do not pile up for ever
    assert any(r.get("NoncurrentVersionExpiration") for r in raw["LifecycleConfiguration"]["Rules"])


@pytest.mark.parametrize("queue", ["DeadLetterQueue", "RetrainDeadLetterQueue", "ScoreDeadLetterQueue"])
def test_dead_letter_queue_depth_alarms(built, queue):
    resources = built["template"]["Resources"]
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"
              and {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}} in r["Properties"]["Dimensions"]]
    assert len(alarms) == 1, alarms
    alarm = alarms[0]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_retrain_failures_reach_a_dead_letter_queue(built):
    retrain = built["template"]["Resources"]["Retrain"]["Properties"]
    assert retrain["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["RetrainDeadLetterQueue", "Arn"]}}


def _csp(built) -> dict[str, list[str]]:
    resources = built["template"]["Resources"]
    behaviour = resources["SiteDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    policy = resources[behaviour["ResponseHeadersPolicyId"]["Ref"]]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    assert security["ContentTypeOptions"] == {"Override": True}
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    hsts = security["StrictTransportSecurity"]
    assert hsts["AccessControlMaxAgeSec"] >= 31536000 and hsts["Override"] is True
    text = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = {}
    for part in text.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_site_csp(built):
    csp = _csp(built)
    assert csp["default-src"] == ["'none'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval, no CDN
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    # the API (API Gateway in the stack's region), the raw bucket's endpoints (presigned POST) and Cognito, nothing else
    assert csp["connect-src"] == [
        "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix}",
        "https://${BucketPrefix}-raw-${AWS::AccountId}.s3.${AWS::URLSuffix}",
        "https://${BucketPrefix}-raw-${AWS::AccountId}.s3.${AWS::Region}.${AWS::URLSuffix}",
        "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}",  # the site's sign-in calls the user pool directly
    ]
    raw_name = built["template"]["Resources"]["RawBucket"]["Properties"]["BucketName"]["Fn::Sub"]
    assert raw_name == "${BucketPrefix}-raw-${AWS::AccountId}"  # the name the connect-src hosts are built from
    assert not [v for values in csp.values() for v in values if v in ("*", "'unsafe-eval'", "https:", "http:")]
    assert "'unsafe-inline'" not in csp["script-src"]
