"""Start the local product (`predictfluence run`) for a load or fuzz run, on free loopback ports.

The stack always gets its own embedded PostgreSQL (pgserver) in a temporary data folder — DATABASE_URL
is removed from its environment — so a load or fuzz run never writes into a shared server.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READY_LINE = "Press Ctrl-C to stop."


@dataclass(frozen=True)
class LocalApi:
    url: str
    key: str
    data_dir: Path
    startup_s: float
    aws_url: str  # the stack's S3/SQS endpoint (moto's server)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _drain(proc: subprocess.Popen) -> None:
    assert proc.stdout is not None
    for _ in proc.stdout:
        pass


@contextlib.contextmanager
def local_api(influencers: int, days: int, timeout_s: float = 900, log=print) -> Iterator[LocalApi]:
    """`predictfluence run` with `influencers` × `days` of demo data loaded through S3 → SQS → ETL
    (`influencers=0`: an empty warehouse, `--no-demo`)."""
    with tempfile.TemporaryDirectory(prefix="pf-bench-") as folder:
        data_dir = Path(folder) / "data"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "AWS_ENDPOINT_URL")}
        env.update(PF_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1", AWS_ACCESS_KEY_ID="testing",
                   AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
        api_port, aws_port = free_port(), free_port()
        demo = ["--demo-influencers", str(influencers), "--demo-days", str(days)] if influencers else ["--no-demo"]
        cmd = [sys.executable, "-m", "predictfluence_tools.cli", "run", "--host", "127.0.0.1", "--api-port", str(api_port),
               "--web-port", str(free_port()), "--aws-port", str(aws_port), *demo, "--retrain-every", "86400"]
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
        tail: list[str] = []
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                tail = (tail + [line.rstrip()])[-40:]
                if READY_LINE in line or time.monotonic() - t0 > timeout_s:
                    break
            if READY_LINE not in "\n".join(tail):
                raise RuntimeError("the local stack did not start:\n" + "\n".join(tail))
            threading.Thread(target=_drain, args=(proc,), daemon=True).start()  # a full pipe would block the stack
            startup = time.monotonic() - t0
            log(f"local stack up in {startup:.1f} s: http://127.0.0.1:{api_port} ({influencers} influencers, {days} days)")
            key = (data_dir / "dev-api-key").read_text().strip()
            yield LocalApi(f"http://127.0.0.1:{api_port}", key, data_dir, startup, f"http://127.0.0.1:{aws_port}")
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
