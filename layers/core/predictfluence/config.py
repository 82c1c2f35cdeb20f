"""Runtime configuration: the one place the runtime reads the environment (`get_settings()`).

Every setting has a local default so that `make run` works with nothing set; in AWS the values come
from `.chalice/config.json` environment variables. The settings object is rebuilt only when one of the
variables it reads changes (a lookup of each is all a call costs), so a variable set later, by a test or
by the local stack, is seen at once, as the modules that used to read their own variable saw it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    aws_endpoint_url: str | None
    aws_region: str
    raw_bucket: str
    models_bucket: str
    raw_prefix: str
    reports_prefix: str
    cors_origin: str
    retrain_min_new_rows: int
    # In AWS (infra/resources.json): credentials from the Secrets Manager secret, host = the RDS Proxy.
    db_secret_arn: str | None = None
    db_host: str | None = None
    # A reader for the API's GET requests (predictfluence.db): a URL locally, the RDS Proxy's read-only
    # endpoint host in AWS (same secret); unset → every request reads the writer.
    database_read_url: str | None = None
    db_read_host: str | None = None
    db_name: str | None = None
    db_tls: bool = False
    # Retraining: the function to invoke (else derived from this Lambda's own name; neither: run locally).
    retrain_function: str | None = None
    lambda_function_name: str | None = None
    retrain_schedule: str = "rate(1 day)"  # read when Chalice loads app.py (packaging, deployment)
    # The ETL queue: its URL in AWS, else looked up by name (local stack); the ETL handler's time reserve.
    etl_queue_url: str | None = None
    etl_queue: str = "predictfluence-etl"  # functions/events/etl.py reads it when Chalice loads the app
    etl_min_remaining_ms: int = 180_000
    # Scoring runs (predictfluence_ml.scoring): the scoring queue's URL (a run's chunks go there; unset →
    # scored in-process), its name (functions/events/score.py reads it when Chalice loads the app) and the
    # influencers per chunk (a chunk stays well under a minute in Lambda).
    score_queue_url: str | None = None
    score_queue: str = "predictfluence-score"
    score_chunk_size: int = 10_000
    # ML: OpenMP/BLAS threads (0 = the libraries' default) and the local cache of model artifacts.
    ml_threads: int = 1
    model_cache_dir: Path = Path("/tmp/predictfluence-models")  # noqa: S108 - Lambda's only writable dir
    # The campaign planner: the function the API invokes (else derived from this Lambda's own name;
    # neither: run in-process by the local runner app.py installs) and the solver's time limit (seconds).
    planner_function: str | None = None
    planner_time_limit: float = 5.0
    # Rows every ordering of a plan's pool cut keeps at least (docs/ml.md, "Campaign planner").
    planner_pool_rows: int = 2_000
    # Cognito (team sign-in): the user pool and the site's app client; none configured → API keys only.
    # The endpoint is set locally (moto's or LocalStack's URL); in AWS it is derived from the region.
    cognito_user_pool_id: str | None = None
    cognito_client_id: str | None = None
    cognito_region: str = "us-east-1"
    cognito_endpoint_override: str | None = None

    @property
    def cognito_endpoint(self) -> str:
        """Where Cognito's API and the pool's JWKS are: the override, else AWS's regional endpoint."""
        if self.cognito_endpoint_override:
            return self.cognito_endpoint_override.rstrip("/")
        return f"https://cognito-idp.{self.cognito_region}.amazonaws.com"

    @property
    def cognito_issuer(self) -> str:
        """The `iss` of the pool's tokens: always AWS's form (moto signs with it too)."""
        return f"https://cognito-idp.{self.cognito_region}.amazonaws.com/{self.cognito_user_pool_id}"

    @property
    def cognito_configured(self) -> bool:
        return bool(self.cognito_user_pool_id and self.cognito_client_id)

    @property
    def embedded_pg_dir(self) -> Path:
        return self.data_dir / "pg"


# Every environment variable the runtime reads.
ENV_NAMES: tuple[str, ...] = (
    "DATABASE_URL", "PF_DATA_DIR", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION", "AWS_REGION", "PF_RAW_BUCKET",
    "PF_MODELS_BUCKET", "PF_RAW_PREFIX", "PF_REPORTS_PREFIX", "PF_CORS_ORIGIN", "PF_RETRAIN_MIN_NEW_ROWS",
    "PF_DB_SECRET_ARN", "PF_DB_HOST", "PF_DB_NAME", "PF_DB_TLS", "PF_RETRAIN_FUNCTION", "AWS_LAMBDA_FUNCTION_NAME",
    "PF_RETRAIN_SCHEDULE", "PF_ETL_QUEUE_URL", "PF_ETL_QUEUE", "PF_ETL_MIN_REMAINING_MS", "PF_ML_THREADS",
    "PF_SCORE_QUEUE_URL", "PF_SCORE_QUEUE", "PF_SCORE_CHUNK_SIZE",
    "PF_MODEL_CACHE_DIR", "PF_PLANNER_FUNCTION", "PF_PLANNER_TIME_LIMIT", "PF_PLANNER_POOL_ROWS",
    "PF_COGNITO_USER_POOL_ID",
    "PF_COGNITO_CLIENT_ID", "PF_COGNITO_REGION", "PF_COGNITO_ENDPOINT", "DATABASE_READ_URL", "PF_DB_READ_HOST",
)


def get_settings() -> Settings:
    return _settings_for(tuple(os.environ.get(name) for name in ENV_NAMES))


@lru_cache(maxsize=16)
def _settings_for(values: tuple[str | None, ...]) -> Settings:
    env = dict(zip(ENV_NAMES, values, strict=True))

    def _env(name: str, default: str) -> str:
        value = env[name]
        return value if value not in (None, "") else default

    return Settings(
        database_url=env["DATABASE_URL"] or None,
        data_dir=Path(_env("PF_DATA_DIR", str(PROJECT_ROOT / ".data"))),
        aws_endpoint_url=env["AWS_ENDPOINT_URL"] or None,
        aws_region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "us-east-1")),
        raw_bucket=_env("PF_RAW_BUCKET", "predictfluence-raw"),
        models_bucket=_env("PF_MODELS_BUCKET", "predictfluence-models"),
        raw_prefix=_env("PF_RAW_PREFIX", "raw/"),
        reports_prefix=_env("PF_REPORTS_PREFIX", "reports/"),
        cors_origin=_env("PF_CORS_ORIGIN", "http://127.0.0.1:8080"),
        retrain_min_new_rows=int(_env("PF_RETRAIN_MIN_NEW_ROWS", "50000")),
        db_secret_arn=env["PF_DB_SECRET_ARN"] or None,
        db_host=env["PF_DB_HOST"] or None,
        database_read_url=env["DATABASE_READ_URL"] or None,
        db_read_host=env["PF_DB_READ_HOST"] or None,
        db_name=env["PF_DB_NAME"] or None,
        db_tls=_env("PF_DB_TLS", "0").lower() in ("1", "true", "yes"),
        retrain_function=env["PF_RETRAIN_FUNCTION"] or None,
        lambda_function_name=env["AWS_LAMBDA_FUNCTION_NAME"] or None,
        retrain_schedule=_env("PF_RETRAIN_SCHEDULE", Settings.retrain_schedule),
        etl_queue_url=env["PF_ETL_QUEUE_URL"] or None,
        etl_queue=_env("PF_ETL_QUEUE", Settings.etl_queue),
        etl_min_remaining_ms=int(_env("PF_ETL_MIN_REMAINING_MS", str(Settings.etl_min_remaining_ms))),
        score_queue_url=env["PF_SCORE_QUEUE_URL"] or None,
        score_queue=_env("PF_SCORE_QUEUE", Settings.score_queue),
        score_chunk_size=max(1, int(_env("PF_SCORE_CHUNK_SIZE", str(Settings.score_chunk_size)))),
        ml_threads=int(_env("PF_ML_THREADS", str(Settings.ml_threads))),
        model_cache_dir=Path(_env("PF_MODEL_CACHE_DIR", str(Settings.model_cache_dir))),
        planner_function=env["PF_PLANNER_FUNCTION"] or None,
        planner_time_limit=float(_env("PF_PLANNER_TIME_LIMIT", str(Settings.planner_time_limit))),
        planner_pool_rows=max(1, int(_env("PF_PLANNER_POOL_ROWS", str(Settings.planner_pool_rows)))),
        cognito_user_pool_id=env["PF_COGNITO_USER_POOL_ID"] or None,
        cognito_client_id=env["PF_COGNITO_CLIENT_ID"] or None,
        cognito_region=_env("PF_COGNITO_REGION", _env("AWS_DEFAULT_REGION", _env("AWS_REGION", "us-east-1"))),
        cognito_endpoint_override=env["PF_COGNITO_ENDPOINT"] or None,
    )


def reset_settings() -> None:
    """Forget cached settings (a changed variable is seen without it; kept for callers that reset)."""
    _settings_for.cache_clear()
