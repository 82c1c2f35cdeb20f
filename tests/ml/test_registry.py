"""Training → S3 artifacts + model_version; champion/challenger on the same holdout; verified loading."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import sklearn
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_ml import registry
from predictfluence_ml.dataset import build_split
from predictfluence_ml.features import CATEGORICAL
from predictfluence_ml.retrain import decide, run
from predictfluence_ml.training import TrainParams, fit


def _statuses(db: Engine) -> dict[str, str]:
    with db.connect() as conn:
        return dict(conn.execute(sa.text("SELECT version, status FROM model_version")).all())


def _s3_object(aws: dict[str, str], uri: str) -> bytes:
    from predictfluence.storage import client

    bucket, key = uri[5:].split("/", 1)
    assert bucket == aws["models_bucket"]
    return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def test_training_writes_artifacts_metadata_and_a_champion_row(db, aws, warehouse, fast_params) -> None:
    result = run(db, score=False, params=fast_params)

    assert result.status == "champion"
    record = registry.champion(db)
    assert record is not None and record.version == result.version and record.id == result.model_version_id
    assert record.kind == "engagement"
    assert record.artifact_uri == f"s3://pf-test-models/models/engagement/{record.version}/model.joblib"
    artifact = _s3_object(aws, record.artifact_uri)
    assert hashlib.sha256(artifact).hexdigest() == record.sha256
    metadata = json.loads(_s3_object(aws, record.artifact_uri.replace("model.joblib", "metadata.json")))
    assert metadata["sha256"] == record.sha256
    assert metadata["version"] == record.version
    assert metadata["library_versions"]["scikit-learn"] == sklearn.__version__
    assert metadata["features"]["categorical"] == list(CATEGORICAL)
    assert "er_90" in metadata["features"]["numeric"] and "age_18-24" in metadata["features"]["numeric"]
    assert metadata["data_window"]["holdout_window"] == [["2026-09-25", "2026-10-25"]]
    assert metadata["data_window"]["train_rows"] == record.details["data_window"]["train_rows"] > 0
    m = record.metrics
    assert set(m) >= {"mae", "r2", "interval_coverage", "baseline_mae", "tier_accuracy", "tier_macro_f1"}
    assert m["mae"] < m["baseline_mae"]
    # persistence (the creator's own last-90-day ER) is measured on the same holdout, overall and per segment
    assert m["mae"] < m["persistence_mae"] and m["mae_vs_persistence"] < 1
    assert sum(m[f"segment_{s}_rows"] for s in ("none", "lt5", "5to14", "ge15")) == m["holdout_rows"]
    assert metadata["metrics"]["mae"] == m["mae"]
    assert record.details["decision"].startswith("first version: MAE")


def test_challenger_trained_on_shuffled_labels_is_rejected(db, aws, warehouse, fast_params) -> None:
    first = run(db, score=False, params=fast_params)
    split = build_split(db)
    split.train.y = np.random.default_rng(0).permutation(split.train.y)  # corrupted labels
    decision = decide(db, fit(split.train, fast_params), split)

    assert decision.status == "rejected"
    assert decision.metrics["champion_version"] == first.version
    # the champion was re-evaluated on the challenger's holdout: the very rows it was judged on
    assert decision.metrics["champion_mae_same_holdout"] == pytest.approx(first.metrics["mae"], rel=1e-12)
    assert decision.metrics["mae"] > decision.metrics["champion_mae_same_holdout"]
    assert _statuses(db) == {first.version: "champion", decision.record.version: "rejected"}
    assert "kept the champion" in decision.record.details["decision"]


def test_better_challenger_is_promoted_and_the_old_champion_retired(db, aws, warehouse, fast_params) -> None:
    split = build_split(db)
    weak = registry.register(db, fit(split.train, TrainParams(max_iter=3, classifier_iter=3, n_clusters=2)),
                             {"mae": 1.0}, {"data_window": split.describe()})
    registry.set_status(db, weak, "champion", {"mae": 1.0}, "seeded for the test")
    result = run(db, score=False, params=fast_params)

    assert result.status == "champion"
    assert result.metrics["mae"] < result.metrics["champion_mae_same_holdout"]
    assert _statuses(db) == {weak.version: "retired", result.version: "champion"}


def test_tampered_artifact_is_refused(db, aws, warehouse, fast_params, _ml_env) -> None:
    run(db, score=False, params=fast_params)
    record = registry.champion(db)
    from predictfluence.storage import client

    bucket, key = record.artifact_uri[5:].split("/", 1)
    client("s3").put_object(Bucket=bucket, Key=key, Body=_s3_object(aws, record.artifact_uri) + b"\x00")
    registry.clear_cache()
    with pytest.raises(registry.ChecksumMismatch):
        registry.load(record)
    assert not list(_ml_env.glob("*.joblib"))  # nothing unverified reaches the /tmp cache


def test_corrupted_tmp_cache_is_ignored_and_memory_cache_is_used(db, aws, warehouse, fast_params, _ml_env) -> None:
    run(db, score=False, params=fast_params)
    record = registry.champion(db)
    registry.clear_cache()
    bundle = registry.load(record)  # S3 → verified → /tmp
    assert registry.load(record) is bundle  # memory
    cached = _ml_env / f"{record.sha256}.joblib"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == record.sha256
    registry.clear_cache(disk=False)
    from predictfluence.storage import client

    bucket, key = record.artifact_uri[5:].split("/", 1)
    client("s3").delete_object(Bucket=bucket, Key=key)
    assert isinstance(registry.load(record), type(bundle))  # warm start from /tmp without S3
    registry.clear_cache(disk=False)
    cached.write_bytes(b"corrupt")
    with pytest.raises(Exception, match="NoSuchKey"):  # the bad file is not trusted; S3 is asked again
        registry.load(record)


def test_artifact_from_another_scikit_learn_is_refused_and_replaced(db, aws, warehouse, fast_params) -> None:
    first = run(db, score=False, params=fast_params)
    with db.begin() as conn:
        conn.execute(sa.text(
            "UPDATE model_version SET details = jsonb_set(details, '{library_versions,scikit-learn}', '\"0.24.2\"')"
        ))
    record = registry.champion(db)
    registry.clear_cache()
    with pytest.raises(registry.IncompatibleModel, match="0.24.2"):
        registry.load(record)
    second = run(db, score=False, params=fast_params)
    assert second.status == "champion"
    assert "unusable" in second.reason
    assert _statuses(db) == {first.version: "retired", second.version: "champion"}


def test_major_minor_parsing() -> None:
    assert registry.major_minor("1.9.1") == (1, 9)
    assert registry.major_minor("1.10.0rc1") == (1, 10)
    assert registry.major_minor(None) == ()
    registry.check_compatible(sklearn.__version__)
    with pytest.raises(registry.IncompatibleModel):
        registry.check_compatible(None)


def test_a_first_version_needs_the_peer_baseline_later_ones_also_persistence(db, aws, warehouse, fast_params,
                                                                            monkeypatch) -> None:
    """Without a champion there are no predictions at all: a first version that beats the peer median but
    not persistence (a small young warehouse) is promoted, saying so; a challenger like it is not."""
    from predictfluence_ml import retrain

    between = {"mae": 0.0160, "baseline_mae": 0.0200, "persistence_mae": 0.0150}
    monkeypatch.setattr(retrain, "evaluate", lambda *args, **kwargs: dict(between))
    split = build_split(db)
    first = decide(db, fit(split.train, fast_params), split)
    assert first.status == "champion"
    assert first.reason == ("first version: MAE 0.01600 does not beat both baselines (peer 0.02000, "
                            "persistence 0.01500); promoted (a first version needs the peer baseline)")
    challenger = fit(split.train, fast_params)
    monkeypatch.setattr(retrain, "evaluate", lambda bundle, *args, **kwargs: dict(
        between, mae=0.0159 if bundle is challenger else 0.0160))
    second = decide(db, challenger, split)
    assert second.metrics["mae"] < second.metrics["champion_mae_same_holdout"]  # it beats the champion …
    assert second.status == "rejected"  # … but not persistence
    assert "does not beat both baselines" in second.reason and "kept the champion" in second.reason
