"""Batch scoring: every influencer × content type of its platform → `influencer_score`.

Besides the ER forecast, each row carries the cost forecast of one post (predictfluence_ml.costs) and
the ranking objectives derived from both (predictfluence_ml.objectives). Features are read once (two
set-based queries), predictions run in chunks, and the table is replaced in one transaction
(DELETE + COPY), so the API reads either the old scores or the new ones, never a mix.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from predictfluence_ml._sql import copy_rows
from predictfluence_ml.anomaly import flag
from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.clusters import assign_clusters
from predictfluence_ml.costs import CostModel, scoring_cost_model
from predictfluence_ml.costs_data import COST_CATEGORICAL
from predictfluence_ml.dataset import data_bounds
from predictfluence_ml.features import CATEGORICAL, FeatureMatrix, scoring_matrix
from predictfluence_ml.objectives import objectives
from predictfluence_ml.rationale import explain, snapshot_text
from predictfluence_ml.snapshots import SnapshotFacts, latest_snapshots, widen, with_snapshots
from predictfluence_ml.training import ml_threads

Progress = Callable[[str], None]
COLUMNS = (
    "influencer_id",
    "content_type",
    "model_version_id",
    "predicted_er",
    "er_low",
    "er_high",
    "performance_tier",
    "tier_probability",
    "cluster",
    "anomaly_score",
    "anomaly_reasons",
    "rationale",
    "cost_per_post",
    "cost_low",
    "cost_high",
    "engagements",
    "engagements_low",
    "engagements_high",
    "engagements_per_dollar",
    "per_dollar_low",
    "per_dollar_high",
)
# the cost model's categorical inputs (costs_data.COST_CATEGORICAL) as columns of the feature matrix
COST_COLUMNS = [CATEGORICAL.index(c) for c in COST_CATEGORICAL]


@dataclass
class ScoreResult:
    rows: int
    influencers: int
    as_of: dt.date
    flagged: int


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), 8)


def _column(values: np.ndarray) -> list[float | None]:
    """_num of every value, vectorised."""
    rounded = np.round(values.astype(np.float64), 8)
    return [None if v != v else v for v in rounded.tolist()]


def _objective_columns(
    cost_model: CostModel, part: FeatureMatrix, er: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, ...]:
    """cost_per_post … per_dollar_high (COLUMNS' order) for the rows of `part`."""
    trailing_er = part.num[:, part.spec.numeric.index("er_90")]
    cost = cost_model.predict(part.cat[:, COST_COLUMNS], part.followers, trailing_er)
    o = objectives(er, part.followers, cost)
    return (*cost, o.engagements, o.engagements_low, o.engagements_high, o.per_dollar, o.per_dollar_low,
            o.per_dollar_high)  # fmt: skip


def _predict(
    bundle: ModelBundle, part: FeatureMatrix, snapshot: np.ndarray, snaps: dict[int, SnapshotFacts]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """(point, low, high, rationale) per row; rows scored from a snapshot (mask `snapshot`) get the wider
    interval and a rationale naming the snapshot."""
    point, low, high = bundle.predict(part)
    if snapshot.any():
        low, high = low.copy(), high.copy()
        low[snapshot], high[snapshot] = widen(point[snapshot], low[snapshot], high[snapshot])
    texts = explain(bundle, part, point, low, high)
    for k in np.flatnonzero(snapshot).tolist():
        f = snaps[int(part.ids[k])]
        texts[k] = snapshot_text(
            f.as_of, f.source, f.engagement_rate, str(part.cat[k, 4]), point[k], low[k], high[k]
        )
    return point, low, high, texts


def score_all(
    engine: sa.Engine,
    bundle: ModelBundle,
    model_version_id: int,
    as_of: dt.date | None = None,
    batch_size: int = 50_000,
    progress: Progress | None = None,
) -> ScoreResult:
    with ml_threads():
        return _score_all(engine, bundle, model_version_id, as_of, batch_size, progress)


def _score_all(
    engine: sa.Engine,
    bundle: ModelBundle,
    model_version_id: int,
    as_of: dt.date | None,
    batch_size: int,
    progress: Progress | None,
) -> ScoreResult:
    say = progress or (lambda _msg: None)
    with engine.connect() as conn:
        as_of = as_of or data_bounds(conn)[1] or dt.datetime.now(dt.UTC).date()
        matrix = scoring_matrix(conn, bundle.spec, as_of)
        snaps = latest_snapshots(conn)
        cost_model = scoring_cost_model(conn, bundle.cost)
    say(f"features for {len(matrix):,} influencer × content-type rows as of {as_of}")
    anomalies = flag(matrix)  # on post features only: a snapshot's ER says nothing about bought likes
    matrix, from_snapshot = with_snapshots(matrix, snaps)
    anomaly_of = {
        int(i): (_num(s), r)
        for i, s, r in zip(anomalies.ids, anomalies.score, anomalies.reasons, strict=True)
    }
    clusters = assign_clusters(bundle.clusters, matrix)
    say(f"anomaly flags and clusters for {len(anomaly_of):,} influencers")
    rows: list[tuple[object, ...]] = []
    for start in range(0, len(matrix), batch_size):
        part = matrix.subset(np.arange(start, min(start + batch_size, len(matrix))))
        point, low, high, texts = _predict(bundle, part, from_snapshot[start : start + len(part)], snaps)
        tier, probability = bundle.predict_tier(part)
        extra = list(
            zip(*(_column(c) for c in _objective_columns(cost_model, part, (point, low, high))), strict=True)
        )
        for k in range(len(part)):
            iid = int(part.ids[k])
            score, reasons = anomaly_of.get(iid, (None, []))
            rows.append(
                (
                    iid,
                    part.cat[k, 4],
                    model_version_id,
                    _num(point[k]),
                    _num(low[k]),
                    _num(high[k]),
                    tier[k],
                    _num(probability[k]),
                    clusters.get(iid),
                    score,
                    json.dumps(reasons),
                    texts[k],
                )
                + extra[k]
            )
        say(f"scored {min(start + batch_size, len(matrix)):,} / {len(matrix):,}")
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM influencer_score"))
        copy_rows(conn, "influencer_score", COLUMNS, rows)
    flagged = sum(1 for _s, r in anomaly_of.values() if r)
    say(f"wrote {len(rows):,} rows to influencer_score")
    return ScoreResult(len(rows), len(anomaly_of), as_of, flagged)
