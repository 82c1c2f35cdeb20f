"""S3 / SQS clients. boto3 is imported lazily: only uploads, ETL and the model registry need it, and
importing it would add to every API cold start (figure: docs/benchmarks.md, "Figures behind code decisions").

boto3 honours AWS_ENDPOINT_URL itself (LocalStack, moto's server); it is passed explicitly as well so that
an endpoint set after start-up (tests, the dev stack) is used.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from predictfluence.config import get_settings


def client(service: str) -> Any:
    settings = get_settings()
    return _client(service, settings.aws_endpoint_url, settings.aws_region)


@lru_cache(maxsize=16)
def _client(service: str, endpoint_url: str | None, region: str) -> Any:
    import boto3

    return boto3.session.Session().client(service, endpoint_url=endpoint_url, region_name=region)


def reset_clients() -> None:
    """Forget cached clients (tests switch between moto instances)."""
    _client.cache_clear()

