"""Creating S3 buckets (the local stack and `predictfluence ml train`; in AWS the stack creates them)."""

from __future__ import annotations

from predictfluence.config import get_settings
from predictfluence.storage import client


def ensure_bucket(name: str) -> None:
    s3 = client("s3")
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if name in existing:
        return
    region = get_settings().aws_region
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
