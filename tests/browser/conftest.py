"""Browser tests: the real static site in Debian's Chromium (Python Playwright, no `playwright install`)
against the real API (Chalice's local server, in-process, on a free port) on the test database, with
moto's server as S3 + SQS and the dev stack's dispatcher invoking app.py's ETL handler exactly as `make run` does (S3 ObjectCreated → SQS → handler; the uploads test goes that whole way).

The stack and the browser live for this package only (environment, CORS origin and moto are restored
when its last test ends). The site is served as `make run` serves it (predictfluence_tools.devstack.web), under the Content-Security-Policy
CloudFront sends in AWS: a violation is a console error. Every test gets a fresh browser context that records console errors, page errors and failed requests
(network failures and HTTP responses >= 400); any of them fails the test. Screenshots go to
artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests._require import require

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "frontend_static"
SHOTS = ROOT / "artifacts" / "screenshots"
HOST = "127.0.0.1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _chromium() -> str | None:
    # /usr/lib/chromium/chromium is the binary behind Debian's /usr/bin/chromium wrapper script.
    for candidate in ("/usr/lib/chromium/chromium", "/usr/bin/chromium"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


# --- the static site --------------------------------------------------------------------------------


def _ensure_vendor() -> None:
    if not (SITE / "vendor" / "chart.umd.min.js").exists():
        subprocess.run(["make", "-C", str(ROOT), "frontend"], check=True)


@dataclass
class Stack:
    api_url: str
    web_url: str
    etl_wired: bool  # app.py has the ETL's SQS handler: uploads flow S3 → SQS → handler
    raw_bucket: str

    def api(self, method: str, path: str, key: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.api_url + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                                              "Connection": "close"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None


@pytest.fixture(scope="package")
def stack(engine) -> Iterator[Stack]:  # noqa: ANN001 - tests/conftest.py's migrated test database
    _ensure_vendor()
    from predictfluence import storage
    from predictfluence.config import reset_settings
    from predictfluence_tools.devstack import aws as local_aws

    web_port, api_port, aws_port = _free_port(), _free_port(), _free_port()
    origin = f"http://{HOST}:{web_port}"
    suffix = uuid.uuid4().hex[:8]
    env = {
        "PF_RAW_BUCKET": f"pf-browser-raw-{suffix}",
        "PF_MODELS_BUCKET": f"pf-browser-models-{suffix}",
        "PF_ETL_QUEUE": f"pf-browser-etl-{suffix}",
        "PF_CORS_ORIGIN": origin,
    }
    saved = {k: os.environ.get(k) for k in [*env, "AWS_ENDPOINT_URL"]}
    os.environ.update(env)
    os.environ.pop("AWS_ENDPOINT_URL", None)  # our own moto server, never a developer's endpoint
    reset_settings()
    storage.reset_clients()
    stoppers: list[Any] = []
    try:
        aws = local_aws.start(HOST, aws_port)
        stoppers.append(aws.stop)
        queue_url = local_aws.provision()

        from app import app
        from predictfluence.api.routing import cors_config

        # Routes captured the CORS config when app.py was first imported (maybe by another test):
        # point the shared config object at this run's site origin.
        cors = cors_config()
        old_origin = cors.allow_origin
        cors.allow_origin = origin
        stoppers.append(lambda: setattr(cors, "allow_origin", old_origin))

        etl_wired = _start_etl(app, queue_url, stoppers)

        from chalice.config import Config
        from chalice.local import HTTPServerThread, create_local_server

        config = Config.create(chalice_stage="local", app_name=app.app_name, project_dir=str(ROOT))
        api_thread = HTTPServerThread(lambda: create_local_server(app, config, HOST, api_port))
        api_thread.start()
        stoppers.append(api_thread.shutdown)
        api_url = f"http://{HOST}:{api_port}"

        from predictfluence_tools.devstack.web import StaticSite

        site = StaticSite(SITE, HOST, web_port, api_url, aws.endpoint_url)  # under the site's CSP, as in AWS
        site.start()
        stoppers.append(site.stop)
        _wait_http(api_url + "/health")
        yield Stack(api_url=api_url, web_url=origin + "/", etl_wired=etl_wired, raw_bucket=env["PF_RAW_BUCKET"])
    finally:
        for stop in reversed(stoppers):
            try:
                stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                pass
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_settings()
        storage.reset_clients()


def _start_etl(app: Any, queue_url: str, stoppers: list[Any]) -> bool:
    """The dev stack's dispatcher: long-polls the ETL queue and invokes app.py's SQS handler with real SQS
    events, exactly as `make run` does (and as Lambda's event source mapping does in AWS)."""
    from chalice.app import SQSEventConfig

    from predictfluence.config import get_settings
    from predictfluence_tools.devstack import aws as local_aws
    from predictfluence_tools.devstack.dispatcher import SqsDispatcher

    sources = [s for s in app.event_sources if isinstance(s, SQSEventConfig)]
    if not sources:
        return False
    source = next((s for s in sources if s.queue == local_aws.etl_queue_name()), sources[0])
    dispatcher = SqsDispatcher(queue_url, app.handler_map[source.name], get_settings().aws_region, source.batch_size)
    dispatcher.start()
    stoppers.append(dispatcher.stop)
    return True


def _wait_http(url: str) -> None:
    import time

    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:  # noqa: BLE001
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# --- data -------------------------------------------------------------------------------------------


@pytest.fixture()
def api_key(db) -> str:  # noqa: ANN001
    """A manager key (the `db` fixture empties api_key after each test)."""
    from predictfluence.api.auth import create_key

    key, _ = create_key("manager", "browser tests")
    return key


# --- the browser ------------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    executable = _chromium()
    require(executable, "Chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageProblems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.allowed: list[str] = []

    def allow(self, fragment: str) -> None:
        """Accept problems containing `fragment` (a test that provokes an error on purpose)."""
        self.allowed.append(fragment)

    def add(self, text: str) -> None:
        if not any(a in text for a in self.allowed):
            self.items.append(text)


@pytest.fixture()
def problems() -> PageProblems:
    return PageProblems()


def _new_page(browser: Any, problems: PageProblems, key: str | None, viewport: dict[str, int]) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport=viewport)
    if key:
        ctx.add_init_script(f"sessionStorage.setItem('pf.apiKey', {json.dumps(key)});")
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    pg.on("console", lambda m: m.type == "error" and problems.add(f"console error: {m.text} @ {m.location}"))
    pg.on("pageerror", lambda e: problems.add(f"page error: {e}"))
    pg.on("requestfailed", lambda r: problems.add(f"request failed: {r.method} {r.url} ({r.failure})"))
    pg.on("response", lambda r: r.status >= 400 and problems.add(f"HTTP {r.status}: {r.request.method} {r.url}"))
    return ctx, pg


@pytest.fixture()
def page(browser, stack: Stack, api_key: str, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    """A signed-in page (the key is in sessionStorage, where the sign-in form leaves it)."""
    ctx, pg = _new_page(browser, problems, api_key, {"width": 1440, "height": 900})
    yield pg
    ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


@pytest.fixture()
def signed_out_page(browser, stack: Stack, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    ctx, pg = _new_page(browser, problems, None, {"width": 1440, "height": 900})
    yield pg
    ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


@pytest.fixture()
def phone_page(browser, stack: Stack, api_key: str, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    """A signed-in page at phone width (375 px)."""
    ctx, pg = _new_page(browser, problems, api_key, {"width": 375, "height": 812})
    yield pg
    ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


def shoot(pg: Any, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session", autouse=True)
def _clean_shots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
