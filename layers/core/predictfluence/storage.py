"""S3 / SQS clients. boto3 is imported lazily: only uploads, ETL and the model registry need it, and
importing it would add to every API cold start (figure: docs/benchmarks.md, "Figures behind code decisions").

boto3 honours AWS_ENDPOINT_URL itself (LocalStack, moto's server); it is passed explicitly as well so that
an endpoint set after start-up (tests, the dev stack) is used.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
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



PART_BYTES = 8 * 1024 * 1024  # a multipart part (S3's least part: 5 MiB); one part is in memory at a time


class _ChunkReader(io.RawIOBase):
    """A read-only, non-seekable file over an iterator of byte chunks (what upload_fileobj reads)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        self.size += n
        return n


def upload_stream(bucket: str, key: str, chunks: Iterable[bytes], content_type: str) -> int:
    """Write the byte chunks to s3://bucket/key as they come and return the object's size: boto3's
    upload_fileobj over a non-seekable file, one PUT when small, else a multipart upload in parts of
    PART_BYTES read one at a time (no threads), so memory holds one part, not the object."""
    from boto3.s3.transfer import TransferConfig

    reader = _ChunkReader(chunks)
    config = TransferConfig(multipart_threshold=PART_BYTES, multipart_chunksize=PART_BYTES, use_threads=False)
    client("s3").upload_fileobj(
        io.BufferedReader(reader), bucket, key, ExtraArgs={"ContentType": content_type}, Config=config
    )
    return reader.size


def presigned_get(bucket: str, key: str, filename: str, expires_in: int) -> str:
    """A GET URL of the object valid for `expires_in` seconds that downloads as `filename`."""
    return client("s3").generate_presigned_url(
        "get_object",
        Params={
            "Bucket": bucket,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        ExpiresIn=expires_in,
    )
