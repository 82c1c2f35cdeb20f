"""The local stack as a user runs it: `predictfluence run` in a subprocess, a CSV dropped into the S3
endpoint with boto3, the rows visible through the API, a clean stop with no process left.
Once against moto's server (started by the stack) and once against LocalStack.

How fast an upload reaches the API is a benchmark (bench/upload_latency.py), not an assertion here: on a
shared two-core machine a wall-clock bound only makes this test flaky; the 30 s wait is a deadline for
"never arrives", not a latency target."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request

import boto3
import pytest

from predictfluence_tools.devstack.ports import free_port
from tests._require import require
from tests.integration.stackproc import ROOT, process_group_alive, start_stack, wait_until

pytestmark = pytest.mark.slow

CSV = "platform,handle,name,category,country,language,followers\ninstagram,stack_probe,Stack Probe,food,FR,fr,12345\n"


def _drop_csv_and_see_it(stack, key: str) -> None:
    s3 = boto3.client("s3", endpoint_url=stack.aws_url, region_name="us-east-1",
                      aws_access_key_id="local", aws_secret_access_key="local")
    s3.put_object(Bucket="predictfluence-raw", Key=key, Body=CSV.encode(), ContentType="text/csv")

    def visible():
        items = stack.get("/influencers?q=stack_probe")["items"]
        return items if items and items[0]["followers"] == 12345 else None

    items, _ = wait_until(visible, timeout=30)
    assert items, "the uploaded row never reached the API within 30 s:\n" + "\n".join(stack.output[-40:])
    assert items[0]["handle"] == "stack_probe" and items[0]["follower_tier"] == "micro"


def _stop_and_check(stack) -> None:
    assert stack.stop() == 0
    assert not process_group_alive(stack.proc.pid), "a process of the stack outlived it"


def test_run_loads_demo_then_a_dropped_csv_reaches_the_api(db, tmp_path):
    stack = start_stack(tmp_path / "data", {}, ["--demo-influencers", "200", "--demo-days", "120"])
    try:
        text = "\n".join(stack.output)
        assert "Demo data" in text and "loaded through S3 → SQS → ETL" in text
        # ~69k metric rows ≥ PF_RETRAIN_MIN_NEW_ROWS (50k): the ETL handler itself started the first training
        assert "First model      trained and scored after the metrics load" in text
        assert stack.get("/analytics/kpis")["total_influencers"] == 200
        assert stack.get("/recommendations?limit=5")["items"], "the first model scored nobody"
        with urllib.request.urlopen(stack.web_url + "/config.js", timeout=10) as response:
            assert json.dumps({"apiUrl": stack.api_url}) in response.read().decode()
        with urllib.request.urlopen(stack.web_url, timeout=10) as response:
            assert b"Predictfluence" in response.read()
        _drop_csv_and_see_it(stack, "raw/influencers/new upload.csv")  # a key that needs URL-encoding
    finally:
        _stop_and_check(stack)


def test_port_in_use_gives_a_clear_message(db, tmp_path):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "predictfluence"), "run", "--no-demo", "--api-port", str(port)],
            cwd=ROOT, env={**os.environ, "PF_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=120,
        )
    assert result.returncode != 0
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "PF_API_PORT" in result.stderr
    assert "Traceback" not in result.stderr


LOCALSTACK_PY = ROOT / ".venv-localstack" / "bin" / "python"


@pytest.fixture()
def localstack(tmp_path):
    require(LOCALSTACK_PY.exists(), "LocalStack is not installed: run `make localstack-env` (make test does)")
    port = free_port()
    fs_root = tmp_path / "localstack"
    fs_root.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "OVERRIDE_IN_DOCKER": "0", "FILESYSTEM_ROOT": str(fs_root), "GATEWAY_LISTEN": f"127.0.0.1:{port}",
        "SERVICES": "s3,sqs,events", "DNS_ADDRESS": "0", "SKIP_SSL_CERT_DOWNLOAD": "1", "DISABLE_EVENTS": "1",
        "EAGER_SERVICE_LOADING": "1",
    }
    log = open(tmp_path / "localstack.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(LOCALSTACK_PY), "-m", "localstack.runtime.main"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    import urllib.request

    def healthy():
        with urllib.request.urlopen(url + "/_localstack/health", timeout=2) as response:
            return b'"s3": "running"' in response.read() or b'"s3": "available"' in response.read()

    ok, _ = wait_until(lambda: proc.poll() is None and healthy(), timeout=90, interval=0.5)
    if not ok:
        proc.kill()
        raise AssertionError("LocalStack did not start:\n" + (tmp_path / "localstack.log").read_text()[-3000:])
    yield url
    os.killpg(proc.pid, 15)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
    log.close()
    shutil.rmtree(fs_root, ignore_errors=True)


def test_csv_to_s3_to_sqs_to_etl_against_localstack(db, tmp_path, localstack):
    env = {"AWS_ENDPOINT_URL": localstack, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}
    t0 = time.monotonic()
    stack = start_stack(tmp_path / "data", env, ["--no-demo"])
    try:
        assert f"AWS endpoint     {localstack} (existing endpoint)" in "\n".join(stack.output)
        assert time.monotonic() - t0 < 300
        _drop_csv_and_see_it(stack, "raw/influencers/localstack.csv")
    finally:
        _stop_and_check(stack)
