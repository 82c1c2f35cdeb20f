"""Scoring creators known only from an imported profile snapshot (issue 12.5).

A creator with no posts before the scoring cutoff but with a snapshot (`influencer_snapshot`, e.g. a
"60 day engagement rate" column of a platform export) is scored from what the snapshot says: its
trailing ERs (er_30, er_90) are the snapshot's engagement rate; every other post-derived feature is
missing, as for any creator without post history (`snapshot_features`). The point prediction is the
regular model's on those inputs (so the history-segment blend leans on persistence = the snapshot ER).

Its 80 % interval is wider: the quantile models learnt their widths on creators whose history they saw.
`SNAPSHOT_INTERVAL_SCALE` widens the interval in log space around the point (low = point × (low/point)^k,
high likewise); k was measured on the synthetic demo world by hiding the post history of the holdout
creators, giving each one snapshot (its last-90-day ER as of the cutoff) and finding the smallest k with
80 % coverage of the holdout target (docs/ml.md, "Snapshot-only creators"; tests/ml/test_snapshot_scoring.py
repeats the measurement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from predictfluence_ml.features import FeatureMatrix

SNAPSHOT_INTERVAL_SCALE = 2.6
# post-derived numeric features: blanked for a snapshot-only row (then er_30/er_90 ← the snapshot's ER)
POST_FEATURES: tuple[str, ...] = (
    "er_30", "er_90", "likes_per_comment", "sponsored_share", "days_since_last_post",
    "er_ct_30", "er_ct_90", "ct_share_90",
)  # fmt: skip
ZERO_FEATURES: tuple[str, ...] = ("posts_per_week", "posts_ct_90")


@dataclass(frozen=True)
class SnapshotFacts:
    as_of: dt.date
    source: str
    engagement_rate: float


def latest_snapshots(conn: sa.Connection, ids: tuple[int, int] | None = None) -> dict[int, SnapshotFacts]:
    """Each influencer's (of the inclusive id range `ids`, default all) latest snapshot that reports an
    engagement rate."""
    in_range = "" if ids is None else "AND influencer_id BETWEEN :lo AND :hi "
    head = "SELECT DISTINCT ON (influencer_id) influencer_id, as_of, source, engagement_rate FROM influencer_snapshot "
    sql = f"{head}WHERE engagement_rate IS NOT NULL AND engagement_rate > 0 {in_range}ORDER BY influencer_id, as_of DESC, id DESC"  # noqa: S608, E501 - a constant fragment
    rows = conn.execute(
        sa.text(sql),
        {} if ids is None else {"lo": int(ids[0]), "hi": int(ids[1])},
    ).all()
    return {int(r[0]): SnapshotFacts(r[1], str(r[2]), float(r[3])) for r in rows}


def without_history(X: FeatureMatrix) -> np.ndarray:
    """Rows with no post before the cutoff (no trailing ER, no posts in the last 90 days)."""
    names = X.spec.numeric
    posts = np.nan_to_num(X.num[:, names.index("posts_per_week")], nan=0.0)
    return (posts == 0) & np.isnan(X.num[:, names.index("er_90")]) & np.isnan(X.num[:, names.index("er_30")])


def snapshot_rows(X: FeatureMatrix, snaps: dict[int, SnapshotFacts]) -> np.ndarray:
    """The rows to score from a snapshot: no post history, and a snapshot with an ER."""
    has = np.fromiter((int(i) in snaps for i in X.ids.tolist()), dtype=bool, count=len(X))
    return has & without_history(X)


def snapshot_features(X: FeatureMatrix, rows: np.ndarray, er: np.ndarray) -> FeatureMatrix:
    """A copy of X where `rows` (a boolean mask) carry snapshot-only inputs with trailing ER `er`."""
    names = X.spec.numeric
    num = X.num.copy()
    for name in POST_FEATURES:
        num[rows, names.index(name)] = np.nan
    for name in ZERO_FEATURES:
        num[rows, names.index(name)] = 0.0
    num[rows, names.index("er_30")] = er
    num[rows, names.index("er_90")] = er
    return FeatureMatrix(X.ids, X.cat, num, X.followers, X.spec)


def with_snapshots(X: FeatureMatrix, snaps: dict[int, SnapshotFacts]) -> tuple[FeatureMatrix, np.ndarray]:
    """(X with the snapshot-only rows filled from their snapshots, the mask of those rows)."""
    rows = snapshot_rows(X, snaps)
    er = np.array([snaps[int(i)].engagement_rate for i in X.ids[rows].tolist()], dtype=np.float64)
    return snapshot_features(X, rows, er), rows


def widen(
    point: np.ndarray, low: np.ndarray, high: np.ndarray, scale: float = SNAPSHOT_INTERVAL_SCALE
) -> tuple[np.ndarray, np.ndarray]:
    """The interval scaled by `scale` in log space around the point (still ordered around it)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = point * np.power(np.clip(low / point, 1e-12, 1.0), scale)
        hi = point * np.power(np.maximum(high / point, 1.0), scale)
    return np.minimum(lo, point), np.maximum(hi, point)


def _coverage(y: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    return float(np.mean((y >= low) & (y <= high))) if y.size else float("nan")


def measure(
    bundle: object, X: FeatureMatrix, y: np.ndarray, scale: float = SNAPSHOT_INTERVAL_SCALE
) -> dict[str, float]:
    """The snapshot-only path against the full-history path on the same holdout rows (those whose creator
    has a last-90-day ER, which becomes the one snapshot each keeps): MAE, 80 % interval coverage, and the
    smallest interval scale k (steps of 0.1) that reaches 80 % coverage on the snapshot path."""
    names = X.spec.numeric
    er = X.num[:, names.index("er_90")]
    rows = np.isfinite(er) & (er > 0)
    full = X.subset(np.flatnonzero(rows))
    point, low, high = bundle.predict(full)  # type: ignore[attr-defined]
    hidden = snapshot_features(full, np.ones(len(full), dtype=bool), er[rows])
    s_point, s_low, s_high = bundle.predict(hidden)  # type: ignore[attr-defined]
    target = y[rows]
    w_low, w_high = widen(s_point, s_low, s_high, scale)
    needed = next((k / 10 for k in range(10, 61) if _coverage(target, *widen(s_point, s_low, s_high, k / 10)) >= 0.8),
                  float("nan"))  # fmt: skip
    return {
        "rows": float(target.size),
        "full_mae": float(np.mean(np.abs(point - target))),
        "full_coverage": _coverage(target, low, high),
        "snapshot_mae": float(np.mean(np.abs(s_point - target))),
        "snapshot_coverage_unscaled": _coverage(target, s_low, s_high),
        "snapshot_coverage": _coverage(target, w_low, w_high),
        "scale_for_80": needed,
    }
