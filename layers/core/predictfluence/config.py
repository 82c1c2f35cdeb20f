"""Runtime configuration, read once from the environment.

Every setting has a local default so that `make run` works with nothing set; in AWS the values come
from `.chalice/config.json` environment variables.
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
    db_name: str | None = None
    db_tls: bool = False

    @property
    def embedded_pg_dir(self) -> Path:
        return self.data_dir / "pg"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or None,
        data_dir=Path(_env("PF_DATA_DIR", str(PROJECT_ROOT / ".data"))),
        aws_endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
        aws_region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "us-east-1")),
        raw_bucket=_env("PF_RAW_BUCKET", "predictfluence-raw"),
        models_bucket=_env("PF_MODELS_BUCKET", "predictfluence-models"),
        raw_prefix=_env("PF_RAW_PREFIX", "raw/"),
        reports_prefix=_env("PF_REPORTS_PREFIX", "reports/"),
        cors_origin=_env("PF_CORS_ORIGIN", "http://127.0.0.1:8080"),
        retrain_min_new_rows=int(_env("PF_RETRAIN_MIN_NEW_ROWS", "50000")),
        db_secret_arn=os.environ.get("PF_DB_SECRET_ARN") or None,
        db_host=os.environ.get("PF_DB_HOST") or None,
        db_name=os.environ.get("PF_DB_NAME") or None,
        db_tls=_env("PF_DB_TLS", "0").lower() in ("1", "true", "yes"),
    )


def reset_settings() -> None:
    """Forget cached settings (tests change the environment)."""
    get_settings.cache_clear()
