"""Start, report and stop the whole local product (what `make run` runs)."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from predictfluence.config import PROJECT_ROOT, get_settings
from predictfluence.vocab import CSV_KINDS
from predictfluence_tools.devstack import aws as local_aws
from predictfluence_tools.devstack import cognito as local_cognito
from predictfluence_tools.devstack.ports import ensure_free

log = logging.getLogger(__name__)

API_LISTEN_BACKLOG = 128
# Demo CSV kinds in dependency order (each load must land before the next one references it): vocab's
# CSV kinds are in load order; the demo writes all of them but the profile snapshots.
DEMO_KIND_ORDER: tuple[str, ...] = tuple(kind for kind in CSV_KINDS if kind != "profiles")


@dataclass
class StackOptions:
    host: str = "127.0.0.1"
    api_port: int = 8000
    web_port: int = 8080
    aws_port: int = 5000
    demo: bool = True
    demo_influencers: int = 2000
    demo_days: int = 120
    seed: int = 42
    retrain_every_s: float = 3600.0
    load_timeout_s: float = 600.0


@dataclass
class Stack:
    options: StackOptions
    started: list[str] = field(default_factory=list)
    _stoppers: list[Any] = field(default_factory=list)
    api_url: str = ""
    web_url: str = ""
    pool: local_cognito.LocalPool | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        opts = self.options
        ensure_free(opts.host, opts.api_port, "API server", "PF_API_PORT")
        ensure_free(opts.host, opts.web_port, "web site", "PF_WEB_PORT")
        if not os.environ.get("AWS_ENDPOINT_URL"):
            ensure_free(opts.host, opts.aws_port, "local AWS endpoint (moto)", "PF_AWS_PORT")

        t0 = time.perf_counter()
        engine = self._start_database()
        aws = local_aws.start(opts.host, opts.aws_port)
        self._stoppers.append(aws.stop)
        queue_url = local_aws.provision()
        score_url = local_aws.provision_score_queue()
        who = "moto server" if aws.server is not None else "existing endpoint"
        self.started.append(f"AWS endpoint     {aws.endpoint_url} ({who}); buckets, ETL and scoring queues ready")
        self._start_cognito(aws.endpoint_url, own_server=aws.server is not None)

        app = chalice_app()  # imported after the environment points at the local endpoints
        self._start_dispatcher(app, queue_url, local_aws.etl_queue_name(), "ETL")
        self._start_dispatcher(app, score_url, local_aws.score_queue_name(), "Scoring")
        self._start_scheduler(app)
        self._start_api(app)
        self._start_site(aws.endpoint_url)
        log.info("stack up in %.1f s", time.perf_counter() - t0)
        if opts.demo and self._warehouse_is_empty(engine):
            self.seed_demo()

    def stop(self) -> None:
        for stop in reversed(self._stoppers):
            try:
                stop()
            except Exception:  # noqa: BLE001 - keep stopping the rest
                log.exception("error while stopping")
        self._stoppers.clear()
        from predictfluence.db import get_engine

        get_engine().dispose()

    # --- components --------------------------------------------------------------------------------

    def _start_database(self) -> sa.Engine:
        from predictfluence.db import get_engine
        from predictfluence_tools import migrate
        from predictfluence_tools.localdb import embedded_dir, use_embedded_unless_configured

        use_embedded_unless_configured()
        engine = get_engine()
        migrate.upgrade(engine)
        where = f"embedded, {embedded_dir()}" if embedded_dir() is not None else "DATABASE_URL"
        self.started.append(f"PostgreSQL       {engine.url.render_as_string()} ({where}); migrated")
        return engine

    def _start_cognito(self, endpoint: str, *, own_server: bool) -> None:
        """The user pool on moto's server; an endpoint we did not start may not serve Cognito (LocalStack's
        community edition does not): then the stack runs with API keys only, and says so."""
        try:
            self.pool = local_cognito.provision(endpoint)
        except Exception as exc:
            if own_server:
                raise
            local_cognito.forget_pool()
            log.warning("no Cognito at %s (%s): sign-in with API keys only", endpoint, type(exc).__name__)
            self.started.append(f"Cognito          not served by {endpoint} ({type(exc).__name__}): API keys only")
            return
        self.started.append(f"Cognito pool     {self.pool.user_pool_id}, app client {self.pool.client_id} "
                            f"(groups viewer/manager/admin)")

    def _start_dispatcher(self, app: Any, queue_url: str, queue: str, label: str) -> None:
        from chalice.app import SQSEventConfig

        from predictfluence_tools.devstack.dispatcher import SqsDispatcher

        sources = [s for s in event_sources(app, SQSEventConfig) if s.queue == queue]
        if not sources:
            raise RuntimeError(f"app.py has no @app.on_sqs_message handler for queue {queue!r}")
        handler = app.handler_map[sources[0].name]
        dispatcher = SqsDispatcher(queue_url, handler, get_settings().aws_region, sources[0].batch_size, label=label)
        dispatcher.start()
        self._stoppers.append(dispatcher.stop)
        self.started.append(f"{label + ' dispatcher':<17s}SQS {queue} -> {sources[0].name} (same handler as Lambda)")

    def _start_scheduler(self, app: Any) -> None:
        from chalice.app import ScheduledEventConfig

        from predictfluence_tools.devstack.scheduler import Scheduler

        for source in event_sources(app, ScheduledEventConfig):
            scheduler = Scheduler(
                source.name, app.handler_map[source.name], self.options.retrain_every_s, get_settings().aws_region
            )
            scheduler.start()
            self._stoppers.append(scheduler.stop)
            self.started.append(
                f"Scheduler        {source.name} every {self.options.retrain_every_s:.0f} s "
                f"(AWS: {source.schedule_expression})"
            )

    def _start_api(self, app: Any) -> None:
        import json

        from chalice.config import Config
        from chalice.local import HTTPServerThread, create_local_server

        config_from_disk = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text())
        config = Config.create(
            chalice_stage="local", app_name=app.app_name, project_dir=str(PROJECT_ROOT),
            config_from_disk=config_from_disk,
        )
        opts = self.options
        def server():
            local = create_local_server(app, config, opts.host, opts.api_port)
            # socketserver listens with a backlog of 5: under 20 concurrent clients the kernel drops SYNs
            # and clients wait to retransmit (docs/benchmarks.md). Re-listening raises the backlog.
            local.server.socket.listen(API_LISTEN_BACKLOG)
            return local

        thread = HTTPServerThread(server)
        thread.start()
        self._stoppers.append(thread.shutdown)
        self.api_url = f"http://{opts.host}:{opts.api_port}"
        self.started.append(f"API              {self.api_url}  (OpenAPI: {self.api_url}/openapi.json)")

    def _start_site(self, s3_url: str) -> None:
        from predictfluence_tools.devstack.web import StaticSite

        site = StaticSite(PROJECT_ROOT / "frontend_static", self.options.host, self.options.web_port, self.api_url,
                          s3_url)
        site.start()
        self._stoppers.append(site.stop)
        self.web_url = f"http://{self.options.host}:{self.options.web_port}/"
        self.started.append(f"Web site         {self.web_url}")

    # --- demo data ---------------------------------------------------------------------------------

    @staticmethod
    def _warehouse_is_empty(engine: sa.Engine) -> bool:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT NOT EXISTS (SELECT 1 FROM influencer)")).scalar_one()

    def seed_demo(self) -> None:
        """Generate demo CSVs and drop them into the raw bucket: they reach the warehouse through
        S3 → SQS → the ETL handler, exactly like a manager's upload. Then train the first model through
        the retrain handler."""
        from predictfluence import storage
        from predictfluence_tools.demo.generator import DemoConfig, generate

        opts = self.options
        out_dir = data_dir() / "demo" / f"seed-{opts.seed}-n{opts.demo_influencers}-d{opts.demo_days}"
        t0 = time.perf_counter()
        result = generate(DemoConfig(influencers=opts.demo_influencers, days=opts.demo_days, seed=opts.seed), out_dir)
        log.info("demo data generated in %.1f s: %s", time.perf_counter() - t0, result.rows)
        s3 = storage.client("s3")
        bucket = get_settings().raw_bucket
        for kind in DEMO_KIND_ORDER:
            key = f"{get_settings().raw_prefix}{kind}/demo-seed{opts.seed}.csv"
            t1 = time.perf_counter()
            s3.upload_file(str(result.files[kind]), bucket, key, ExtraArgs={"ContentType": "text/csv"})
            load = wait_for_load(key, opts.load_timeout_s)
            log.info("loaded %s: %s (%s rows, %s rejected) in %.1f s", key, load["status"], load["rows_loaded"],
                     load["rows_rejected"], time.perf_counter() - t1)
        self.started.append(f"Demo data        {sum(result.rows.values()):,} CSV rows loaded through S3 → SQS → ETL")
        self._train_first_model()

    def _train_first_model(self) -> None:
        from chalice.app import ScheduledEventConfig

        from predictfluence import retraining

        t0 = time.perf_counter()
        retraining.wait_for_background()  # the metrics load may have started one (PF_RETRAIN_MIN_NEW_ROWS)
        if self._has_champion():
            self._wait_for_scores(self.options.load_timeout_s)
            self.started.append(f"First model      trained and scored after the metrics load "
                                f"({time.perf_counter() - t0:.1f} s)")
            return
        app = chalice_app()
        for source in event_sources(app, ScheduledEventConfig):
            t0 = time.perf_counter()
            app.handler_map[source.name](
                retraining.scheduled_event(resources=[f"arn:aws:events:local:0:rule/{source.name}"]), None)
            self._wait_for_scores(self.options.load_timeout_s)
            self.started.append(f"First model      trained and scored by {source.name} in "
                                f"{time.perf_counter() - t0:.1f} s")

    @staticmethod
    def _wait_for_scores(timeout_s: float) -> None:
        """The retrain sent its scoring run's chunks to the scoring queue: wait until the dispatcher has
        scored them all (the latest run is complete), so the stack reports a model whose scores are served."""
        from predictfluence.db import get_engine

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with get_engine().connect() as conn:
                status = conn.execute(sa.text("SELECT status FROM score_run ORDER BY id DESC LIMIT 1")).scalar()
            if status in (None, "complete"):
                return
            time.sleep(0.5)
        log.warning("the scoring run is not complete after %.0f s", timeout_s)

    @staticmethod
    def _has_champion() -> bool:
        from predictfluence.db import get_engine

        with get_engine().connect() as conn:
            return conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM model_version WHERE status = 'champion')")
                                ).scalar_one()

    def summary(self) -> list[str]:
        from predictfluence.db import get_engine
        from predictfluence_tools.stats import table_counts

        key = dev_api_key()
        lines = [""]
        if self.pool is not None:
            lines += [f"Sign in at {self.web_url} as {self.pool.admin_email} with password {self.pool.admin_password}",
                      f"  (admin; kept in {data_dir() / 'dev-admin-password'}; invite teammates on the Team page or "
                      f"with `predictfluence users invite EMAIL --role manager`)"]
        lines += [f"API key (admin, for API clients and the site's 'Use an API key' sign-in): {key}"]
        lines += [f"  e.g. curl -H 'Authorization: Bearer {key}' {self.api_url}/influencers", ""]
        lines += ["Warehouse rows:"]
        lines += [f"  {table:22s} {count:>12,d}" for table, count in table_counts(get_engine()).items()]
        return lines


def wait_for_load(key: str, timeout_s: float) -> dict[str, Any]:
    """Wait until the ETL has recorded a finished load of `key` (polls etl_load)."""
    from predictfluence.db import get_engine

    deadline = time.monotonic() + timeout_s
    query = sa.text(
        "SELECT status, rows_loaded, rows_rejected, error FROM etl_load "
        "WHERE file_key = :key AND status <> 'processing' ORDER BY id DESC LIMIT 1"
    )
    while time.monotonic() < deadline:
        with get_engine().connect() as conn:
            row = conn.execute(query, {"key": key}).mappings().first()
        if row is not None:
            if row["status"] != "loaded":
                raise RuntimeError(f"demo load of {key} ended {row['status']}: {row['error']}")
            return dict(row)
        time.sleep(0.2)
    raise TimeoutError(f"the ETL did not load {key} within {timeout_s:.0f} s (is the dispatcher running?)")


def dev_api_key() -> str:
    """An admin key for local use, kept in the data folder and reused while it is valid."""
    from predictfluence.api.auth import authenticate, create_key

    path = data_dir() / "dev-api-key"
    if path.exists():
        key = path.read_text().strip()
        if authenticate(f"Bearer {key}") is not None:
            return key
    key, _ = create_key("admin", "make run (local development)")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def event_sources(app: Any, config_type: type) -> list[Any]:
    """The app's event handlers of one kind (SQS, schedule), as Chalice registered them."""
    return [source for source in app.event_sources if isinstance(source, config_type)]


def chalice_app() -> Any:
    """The project's Chalice app object (app.py at the project root, as Lambda imports it)."""
    import importlib
    import sys

    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))
    return importlib.import_module("app").app


def wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass


def data_dir() -> Path:
    return get_settings().data_dir
