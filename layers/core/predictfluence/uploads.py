"""Pre-signed CSV uploads into the raw bucket.

A presigned POST (not PUT) is issued, because its policy lets S3 itself enforce what we promise:
- the exact key `raw/<kind>/<date>/<random>-<filename>` (the ETL reads the kind from the prefix),
- `Content-Type: text/csv`,
- a size range (`content-length-range`: 1 … the declared length), which a presigned PUT cannot express
  (a PUT can only sign one exact Content-Length header, and browsers do not let scripts set it),
- an expiry.
boto3 is imported lazily (via predictfluence.storage) so the API's cold start does not pay for it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from predictfluence import storage
from predictfluence.config import get_settings

CONTENT_TYPE = "text/csv"
EXPIRES_IN = 900


def upload_key(kind: str, filename: str) -> str:
    prefix = get_settings().raw_prefix.rstrip("/") + "/"
    day = dt.datetime.now(dt.UTC).strftime("%Y%m%d")
    safe = filename.replace(" ", "_")
    return f"{prefix}{kind}/{day}/{secrets.token_hex(4)}-{safe}"


def presigned_post(kind: str, filename: str, content_length: int) -> dict[str, Any]:
    bucket = get_settings().raw_bucket
    key = upload_key(kind, filename)
    post = storage.client("s3").generate_presigned_post(
        Bucket=bucket,
        Key=key,
        Fields={"Content-Type": CONTENT_TYPE},
        Conditions=[{"Content-Type": CONTENT_TYPE}, ["content-length-range", 1, content_length]],
        ExpiresIn=EXPIRES_IN,
    )
    return {"url": post["url"], "fields": post["fields"], "key": key, "bucket": bucket,
            "content_type": CONTENT_TYPE, "max_bytes": content_length, "expires_in": EXPIRES_IN}


def read_report(report_key: str) -> Any:
    """A load report: `s3://bucket/key`, a key in the raw bucket, or a local file path (the dev stack)."""
    import json
    from pathlib import Path

    if report_key.startswith("s3://"):
        bucket, _, key = report_key[5:].partition("/")
    elif report_key.startswith("/") or report_key.startswith("file://"):
        return json.loads(Path(report_key.removeprefix("file://")).read_text(encoding="utf-8"))
    else:
        bucket, key = get_settings().raw_bucket, report_key
    body = storage.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    return json.loads(body)
