"""Run `predictfluence run` in a subprocess the way a user does, and talk to it over its ports."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from predictfluence_tools.devstack.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = "Press Ctrl-C to stop."


@dataclass
class StackProcess:
    proc: subprocess.Popen
    api_url: str
    web_url: str
    aws_url: str
    data_dir: Path
    output: list[str]

    @property
    def api_key(self) -> str:
        return (self.data_dir / "dev-api-key").read_text().strip()

    def get(self, path: str) -> dict:
        request = urllib.request.Request(
            self.api_url + path, headers={"Authorization": f"Bearer {self.api_key}", "Connection": "close"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
                raise
        return self.proc.returncode


def start_stack(data_dir: Path, env_extra: dict[str, str], args: list[str], timeout: float = 300) -> StackProcess:
    api_port, web_port, aws_port = free_port(), free_port(), free_port()
    env = {**os.environ, "PF_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **env_extra}
    cmd = [
        sys.executable, "-m", "predictfluence_tools.cli", "run", "--api-port", str(api_port), "--web-port", str(web_port),
        "--aws-port", str(aws_port), *args,
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    output: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    for line in proc.stdout:
        output.append(line.rstrip("\n"))
        if READY_LINE in line:
            break
        if time.monotonic() > deadline:
            break
    if READY_LINE not in "\n".join(output):
        proc.kill()
        raise AssertionError("stack did not start:\n" + "\n".join(output[-60:]))
    aws_url = env_extra.get("AWS_ENDPOINT_URL", f"http://127.0.0.1:{aws_port}")
    return StackProcess(proc, f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{web_port}", aws_url, data_dir,
                        output)


def wait_until(predicate, timeout: float, interval: float = 0.1):
    """Poll `predicate` until it returns a truthy value; returns (value, seconds waited)."""
    t0 = time.monotonic()
    while True:
        try:
            value = predicate()
        except (urllib.error.URLError, ConnectionError):
            value = None
        if value:
            return value, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            return None, time.monotonic() - t0
        time.sleep(interval)


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
