"""Runs INSIDE a clean Python 3.12 (`python -I -S`): no site-packages, nothing from the venv. sys.path gets
exactly what Lambda would give the function: its unzipped package, its layers' python/ folders, and the
runtime's boto3. Then it imports the handler, checks where every loaded module came from, invokes the
handler with a real-shaped event and prints one JSON line with what it saw.

Argument: one JSON object {"paths", "runtime_paths", "handler", "kind", "forbidden", "import_all",
"dev_only", "requests"}. Standard library only.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import time
import traceback
import uuid


class Context:
    """The attributes of Lambda's context object that handlers and Chalice read."""

    function_name = "packaged-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:packaged-test"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/packaged-test"
    log_stream_name = "test"
    aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def api_event(method: str, path: str, query: dict | None = None, headers: dict | None = None) -> dict:
    headers = {"Accept": "application/json", "Host": "example.execute-api.us-east-1.amazonaws.com", **(headers or {})}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "path": "/api" + path,
            "stage": "api",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "example",
            "identity": {"sourceIp": "127.0.0.1", "userAgent": "packaged-test"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


S3_TEST_EVENT = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Time": "2026-11-28T00:00:00.000Z",
                 "Bucket": "predictfluence-raw", "RequestId": "R", "HostId": "H"}


def sqs_event(body: dict) -> dict:
    return {"Records": [{
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1764288000000",
                       "SenderId": "S3", "ApproximateFirstReceiveTimestamp": "1764288000000"},
        "messageAttributes": {},
        "md5OfBody": "0",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:predictfluence-etl",
        "awsRegion": "us-east-1",
    }]}


def scheduled_event() -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": "2026-11-28T00:00:00Z", "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/retrain"], "detail": {}}


def origin_report(allowed: list[str]) -> list[str]:
    """Modules loaded from anywhere but the package, the layers, the runtime and the standard library."""
    stdlib = os.path.dirname(os.__file__)
    bad = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file or name in ("__main__", "__mp_main__"):
            continue
        file = os.path.realpath(file)
        if not (file.startswith(stdlib) or any(file.startswith(os.path.realpath(p)) for p in allowed)):
            bad.append(f"{name}: {file}")
    return bad


def import_everything(packages: list[str], dev_only: list[str]) -> dict:
    """Import every module of the packaged code: a module Chalice's packaging dropped shows up here. Modules
    that need a dev-only library (click, alembic, moto, ...) are reported apart: Lambda never loads them."""
    failures, dev_skipped, count = [], [], 0
    for top in packages:
        try:
            package = importlib.import_module(top)
        except Exception as exc:  # noqa: BLE001
            failures.append(f"{top}: {type(exc).__name__}: {exc}")
            continue
        names = [top]
        if hasattr(package, "__path__"):
            names += [m.name for m in pkgutil.walk_packages(package.__path__, top + ".", onerror=lambda _n: None)]
        for name in names:
            try:
                importlib.import_module(name)
                count += 1
            except ModuleNotFoundError as exc:
                root = (exc.name or "").split(".")[0]
                (dev_skipped if root in dev_only else failures).append(f"{name}: missing {exc.name}")
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
    return {"imported": count, "failures": failures, "dev_only": dev_skipped}


def main() -> None:
    spec = json.loads(sys.argv[1])
    sys.path[:0] = spec["paths"] + spec["runtime_paths"]
    out: dict = {"python": sys.version.split()[0], "sys_path": sys.path}
    t0 = time.perf_counter()
    module_name, _, attr = spec["handler"].rpartition(".")
    module = importlib.import_module(module_name)
    handler = getattr(module, attr)
    out["import_s"] = round(time.perf_counter() - t0, 3)
    out["handler_file"] = getattr(module, "__file__", None)
    heavy = lambda: sorted({m.split(".")[0] for m in sys.modules} & set(spec["forbidden"]))  # noqa: E731
    out["heavy_after_import"] = heavy()
    context = Context()
    kind = spec["kind"]
    if kind == "api":
        responses = []
        for method, path, query, *headers in spec["requests"]:
            if path not in handler.routes:
                responses.append({"path": path, "status": None, "body": "no such route in app.py"})
                continue
            response = handler(api_event(method, path, query, headers[0] if headers else None), context)
            responses.append({"path": path, "status": response["statusCode"], "body": response.get("body", "")[:5000]})
        out["responses"] = responses
    elif kind == "sqs":
        # first the s3:TestEvent S3 sends when the notification is created, then real S3 notifications
        out["results"] = [handler(sqs_event(body), context) for body in [S3_TEST_EVENT, *spec["sqs_bodies"]]]
        out["result"] = out["results"][0]
    elif kind == "authorizer":
        # API Gateway TOKEN authorizer events: the result is the policy + context API Gateway caches
        out["results"] = [handler({"type": "TOKEN", "authorizationToken": token,
                                   "methodArn": "arn:aws:execute-api:us-east-1:123456789012:example/api/GET/influencers"},
                                  context) for token in spec["tokens"]]
    elif kind == "schedule":
        try:
            out["result"] = handler(scheduled_event(), context)
        except Exception as exc:  # noqa: BLE001 - reported: the test decides
            out["error"] = f"{type(exc).__name__}: {exc}"
            out["traceback"] = traceback.format_exc()[-3000:]
    out["heavy_after_invoke"] = heavy()
    out["extra_imports"] = {}
    for name in spec["extra_imports"]:
        module = importlib.import_module(name)
        out["extra_imports"][name] = os.path.realpath(module.__file__ or list(module.__path__)[0])
    if spec["import_all"]:
        out["import_all"] = import_everything(spec["import_all"], spec["dev_only"])
    out["foreign_modules"] = origin_report(spec["paths"] + spec["runtime_paths"])
    print("RESULT " + json.dumps(out, default=str))


if __name__ == "__main__":
    main()
