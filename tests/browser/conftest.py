"""Browser tests: the real static site in Debian's Chromium (Python Playwright, no `playwright install`)
against the real API (Chalice's local server, in-process, on a free port) on the test database, with
moto's server as S3 + SQS and the dev stack's dispatcher invoking app.py's ETL handler exactly as `make run` does (S3 ObjectCreated → SQS → handler; the uploads test goes that whole way).

Signing in: the stack has a Cognito user pool on moto's server (the dev stack's
`predictfluence_tools.devstack.cognito.provision`, as `make run` creates it), and the signed-in page fixtures
sign in with an e-mail and a password — one user per role, created in the pool once per package — through
Cognito's USER_PASSWORD_AUTH, then hand the tokens to the site as its sign-in form leaves them (sessionStorage
`pf.session`, frontend_static/js/session.js). The form itself, the first-password change, refresh, sign-out and
the API-key link are tested in test_team_sign_in.py.

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
from dataclasses import dataclass, field
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
TEST_PASSWORD = "Browser-Test-Passw0rd!"  # meets the pool's policy (12+, upper, lower, digit, symbol)
COGNITO_ENV = ("PF_COGNITO_ENDPOINT", "PF_COGNITO_REGION", "PF_COGNITO_USER_POOL_ID", "PF_COGNITO_CLIENT_ID")


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
    pool: Any = None  # predictfluence_tools.devstack.cognito.LocalPool: the local user pool
    users: dict[str, tuple[str, str]] = field(default_factory=dict)  # role → (e-mail, password)

    def cognito(self) -> Any:
        import boto3

        return boto3.client("cognito-idp", endpoint_url=self.pool.endpoint, region_name="us-east-1",
                            aws_access_key_id="local", aws_secret_access_key="local")

    def create_user(self, email: str, role: str, password: str = TEST_PASSWORD) -> tuple[str, str]:
        """A confirmed user in the pool's group `role`, with a permanent password."""
        idp, pool_id = self.cognito(), self.pool.user_pool_id
        idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
        idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=role)
        return email, password

    def user(self, role: str) -> tuple[str, str]:
        """The package's user for `role` (created on first use)."""
        if role not in self.users:
            self.users[role] = self.create_user(f"{role}-{uuid.uuid4().hex[:6]}@browser.test", role)
        return self.users[role]

    def password_sign_in(self, email: str, password: str) -> dict[str, Any]:
        """Cognito's AuthenticationResult for a USER_PASSWORD_AUTH sign-in (IdToken, RefreshToken …)."""
        answer = self.cognito().initiate_auth(ClientId=self.pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                                              AuthParameters={"USERNAME": email, "PASSWORD": password})
        return answer["AuthenticationResult"]

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
    from predictfluence_tools.devstack import cognito as local_cognito

    web_port, api_port, aws_port = _free_port(), _free_port(), _free_port()
    origin = f"http://{HOST}:{web_port}"
    suffix = uuid.uuid4().hex[:8]
    env = {
        "PF_RAW_BUCKET": f"pf-browser-raw-{suffix}",
        "PF_MODELS_BUCKET": f"pf-browser-models-{suffix}",
        "PF_ETL_QUEUE": f"pf-browser-etl-{suffix}",
        "PF_CORS_ORIGIN": origin,
    }
    saved = {k: os.environ.get(k) for k in [*env, "AWS_ENDPOINT_URL", *COGNITO_ENV]}
    os.environ.update(env)
    os.environ.pop("AWS_ENDPOINT_URL", None)  # our own moto server, never a developer's endpoint
    reset_settings()
    storage.reset_clients()
    stoppers: list[Any] = []
    try:
        aws = local_aws.start(HOST, aws_port)
        stoppers.append(aws.stop)
        queue_url = local_aws.provision()
        pool = local_cognito.provision(aws.endpoint_url)  # sets PF_COGNITO_*: GET /auth/config names it

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
        yield Stack(api_url=api_url, web_url=origin + "/", etl_wired=etl_wired, raw_bucket=env["PF_RAW_BUCKET"],
                    pool=pool)
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


def session_script(stack: Stack, email: str, tokens: dict[str, Any]) -> str:
    """An init script that leaves a signed-in session in sessionStorage as session.js stores it, once per tab
    (a reload or a sign-out later is the site's business, not the script's)."""
    record = {"endpoint": stack.pool.endpoint, "clientId": stack.pool.client_id, "email": email,
              "idToken": tokens["IdToken"], "accessToken": tokens["AccessToken"],
              "refreshToken": tokens["RefreshToken"]}
    return (f"if (!sessionStorage.getItem('pf.test-signed-in')) {{ sessionStorage.setItem('pf.test-signed-in', '1'); "
            f"sessionStorage.setItem('pf.session', JSON.stringify({{...{json.dumps(record)}, "
            f"expiresAt: Date.now() + {int(tokens['ExpiresIn'])} * 1000}})); }}")


def _new_page(browser: Any, problems: PageProblems, key: str | None, viewport: dict[str, int],
              init_script: str | None = None) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport=viewport)
    if key:
        ctx.add_init_script(f"sessionStorage.setItem('pf.apiKey', {json.dumps(key)});")
    if init_script:
        ctx.add_init_script(init_script)
    pg = ctx.new_page()
    pg.set_default_timeout(15_000)
    pg.on("console", lambda m: m.type == "error" and problems.add(f"console error: {m.text} @ {m.location}"))
    pg.on("pageerror", lambda e: problems.add(f"page error: {e}"))
    pg.on("requestfailed", lambda r: problems.add(f"request failed: {r.method} {r.url} ({r.failure})"))
    pg.on("response", lambda r: r.status >= 400 and problems.add(f"HTTP {r.status}: {r.request.method} {r.url}"))
    return ctx, pg


@pytest.fixture()
def signed_in(browser, stack: Stack, db, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    """open(role, width=1440) → a page signed in as the package's user for `role` (e-mail + password), or as
    `user=(email, password)`."""
    contexts: list[Any] = []

    def open_as(role: str, width: int = 1440, height: int = 900, user: tuple[str, str] | None = None) -> Any:
        email, password = user or stack.user(role)
        script = session_script(stack, email, stack.password_sign_in(email, password))
        ctx, pg = _new_page(browser, problems, None, {"width": width, "height": height}, script)
        contexts.append(ctx)
        return pg

    yield open_as
    for ctx in contexts:
        ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


@pytest.fixture()
def page(signed_in) -> Any:  # noqa: ANN001
    """A page signed in as a manager (e-mail and password)."""
    return signed_in("manager")


@pytest.fixture()
def admin_page(signed_in) -> Any:  # noqa: ANN001
    """A page signed in as an admin (e-mail and password)."""
    return signed_in("admin")


@pytest.fixture()
def signed_out_page(browser, stack: Stack, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    ctx, pg = _new_page(browser, problems, None, {"width": 1440, "height": 900})
    yield pg
    ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


@pytest.fixture()
def phone_page(signed_in) -> Any:  # noqa: ANN001
    """A manager's signed-in page at phone width (375 px)."""
    return signed_in("manager", 375, 812)


def shoot(pg: Any, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=full_page)
    return path


@pytest.fixture(scope="session", autouse=True)
def _clean_shots() -> None:
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
