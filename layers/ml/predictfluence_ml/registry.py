"""The model registry: versioned artifacts in the models bucket, one `model_version` row per run.

Layout: `s3://<models bucket>/models/<kind>/<version>/model.joblib` + `metadata.json` (features,
metrics, data window, sha256, library versions). The row carries the same sha256 and versions; the
loader refuses an artifact whose bytes do not hash to it, or that was built with another scikit-learn
major.minor (pickled estimators are not portable across those), and caches verified bundles in memory
and under /tmp (`PF_MODEL_CACHE_DIR`) so warm Lambda invocations skip the download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn
import sqlalchemy as sa

from predictfluence.config import get_settings
from predictfluence.storage import client
from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.training import KIND


class ArtifactError(RuntimeError):
    """A model artifact cannot be used."""


class ChecksumMismatch(ArtifactError):
    pass


class IncompatibleModel(ArtifactError):
    pass


@dataclass(frozen=True)
class ModelRecord:
    id: int
    kind: str
    version: str
    status: str
    metrics: dict[str, Any]
    artifact_uri: str
    sha256: str
    details: dict[str, Any]
    trained_at: dt.datetime | None = None

    @property
    def sklearn_version(self) -> str | None:
        return (self.details.get("library_versions") or {}).get("scikit-learn")


_COLUMNS = "id, kind, version, status, metrics, artifact_uri, sha256, details, trained_at"
_memory: dict[str, ModelBundle] = {}


def cache_dir() -> Path:
    return get_settings().model_cache_dir  # PF_MODEL_CACHE_DIR


def clear_cache(disk: bool = True) -> None:
    _memory.clear()
    if disk and cache_dir().exists():
        for path in cache_dir().glob("*.joblib"):
            path.unlink()


def new_version(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def _split_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ArtifactError(f"not an s3:// URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    return bucket, key


def _record(row: Any) -> ModelRecord:
    return ModelRecord(
        id=int(row[0]), kind=row[1], version=row[2], status=row[3], metrics=dict(row[4] or {}),
        artifact_uri=row[5], sha256=row[6], details=dict(row[7] or {}), trained_at=row[8],
    )


def major_minor(version: str | None) -> tuple[int, ...]:
    if not version:
        return ()
    parts = version.split(".")[:2]
    try:
        return tuple(int("".join(ch for ch in p if ch.isdigit()) or "0") for p in parts)
    except ValueError:
        return ()


def check_compatible(built_with: str | None) -> None:
    if major_minor(built_with) != major_minor(sklearn.__version__):
        raise IncompatibleModel(
            f"artifact built with scikit-learn {built_with}, this runtime has {sklearn.__version__} "
            "(major.minor must match)"
        )


def register(
    engine: sa.Engine,
    bundle: ModelBundle,
    metrics: dict[str, Any],
    details: dict[str, Any],
    kind: str = KIND,
    version: str | None = None,
) -> ModelRecord:
    """Upload the artifact + metadata and insert the row as a challenger."""
    version = version or new_version()
    buf = io.BytesIO()
    joblib.dump(bundle, buf, compress=3)
    data = buf.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    bucket = get_settings().models_bucket
    prefix = f"models/{kind}/{version}/"
    metadata = {
        "kind": kind,
        "version": version,
        "sha256": sha,
        "size_bytes": len(data),
        "features": {
            "categorical": list(details.get("categorical", [])),
            "numeric": list(details.get("numeric", [])),
            **bundle.spec.to_json(),
        },
        "metrics": metrics,
        "data_window": details.get("data_window"),
        "library_versions": bundle.library_versions,
        "params": bundle.params,
        "trained_at": bundle.trained_at,
    }
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=prefix + "model.joblib", Body=data)
    s3.put_object(
        Bucket=bucket, Key=prefix + "metadata.json", Body=json.dumps(metadata, indent=2).encode(),
        ContentType="application/json",
    )
    uri = f"s3://{bucket}/{prefix}model.joblib"
    row_details = {**details, "library_versions": bundle.library_versions, "metadata_uri": f"s3://{bucket}/{prefix}metadata.json"}
    with engine.begin() as conn:
        row = conn.execute(
            sa.text(
                "INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256, details) "
                "VALUES (:kind, :version, 'challenger', CAST(:metrics AS jsonb), :uri, :sha, CAST(:details AS jsonb)) "
                "RETURNING id, kind, version, status, metrics, artifact_uri, sha256, details, trained_at"
            ),
            {"kind": kind, "version": version, "metrics": json.dumps(metrics), "uri": uri, "sha": sha,
             "details": json.dumps(row_details, default=str)},
        ).one()
    _memory[sha] = bundle
    return _record(row)


def champion(engine: sa.Engine, kind: str = KIND) -> ModelRecord | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(f"SELECT {_COLUMNS} FROM model_version WHERE kind = :kind AND status = 'champion'"),  # noqa: S608
            {"kind": kind},
        ).first()
    return _record(row) if row else None


def get(engine: sa.Engine, version_id: int) -> ModelRecord | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(f"SELECT {_COLUMNS} FROM model_version WHERE id = :id"), {"id": version_id}  # noqa: S608
        ).first()
    return _record(row) if row else None


def versions(engine: sa.Engine, kind: str | None = None) -> list[ModelRecord]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                f"SELECT {_COLUMNS} FROM model_version WHERE (CAST(:kind AS text) IS NULL OR kind = :kind) "  # noqa: S608
                "ORDER BY trained_at DESC, id DESC"
            ),
            {"kind": kind},
        ).all()
    return [_record(r) for r in rows]


def set_status(
    engine: sa.Engine, record: ModelRecord, status: str, metrics: dict[str, Any], reason: str
) -> ModelRecord:
    """Finish a run: `champion` retires the current champion in the same transaction."""
    with engine.begin() as conn:
        if status == "champion":
            conn.execute(
                sa.text("UPDATE model_version SET status = 'retired' WHERE kind = :kind AND status = 'champion'"),
                {"kind": record.kind},
            )
        row = conn.execute(
            sa.text(
                "UPDATE model_version SET status = :status, metrics = CAST(:metrics AS jsonb), "
                "details = details || jsonb_build_object('decision', CAST(:reason AS text)) "
                "WHERE id = :id RETURNING id, kind, version, status, metrics, artifact_uri, sha256, details, trained_at"
            ),
            {"status": status, "metrics": json.dumps(metrics), "reason": reason, "id": record.id},
        ).one()
    return _record(row)


def _read_verified(path: Path, sha: str) -> bytes | None:
    if not path.exists():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == sha else None


def load(record: ModelRecord) -> ModelBundle:
    """The verified bundle of `record` (memory → /tmp → S3)."""
    check_compatible(record.sklearn_version)
    cached = _memory.get(record.sha256)
    if cached is not None:
        return cached
    path = cache_dir() / f"{record.sha256}.joblib"
    data = _read_verified(path, record.sha256)
    if data is None:
        bucket, key = _split_uri(record.artifact_uri)
        data = client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != record.sha256:
            raise ChecksumMismatch(
                f"{record.artifact_uri}: sha256 {actual} does not match the registered {record.sha256}"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    bundle = joblib.load(io.BytesIO(data))
    if not isinstance(bundle, ModelBundle):
        raise ArtifactError(f"{record.artifact_uri} does not hold a ModelBundle")
    check_compatible(bundle.library_versions.get("scikit-learn"))
    _memory[record.sha256] = bundle
    return bundle
