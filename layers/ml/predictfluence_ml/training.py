"""Fit the model bundle: ER regressor + 10 % / 90 % quantile models, the calibrated performance-tier
classifier, the peer baseline and the lookalike clusters.

Each model is a scikit-learn Pipeline whose first step encodes the categoricals (OrdinalEncoder inside a
ColumnTransformer; unseen categories map to "missing") and whose last step is a
HistGradientBoosting model that treats those columns as categorical and the numeric NaNs (no history,
no audience data) natively. The regressors learn log ER (the target is heavy-tailed); predictions are
transformed back.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import platform as _platform
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

from predictfluence.config import get_settings
from predictfluence_ml.bundle import TIER_NAMES, ModelBundle
from predictfluence_ml.clusters import fit_clusters
from predictfluence_ml.dataset import Dataset
from predictfluence_ml.features import CATEGORICAL
from predictfluence_ml.peers import SEGMENTS, PeerBaseline, persistence, segment_of
from predictfluence_ml.rationale import select_columns

# ModelBundle and TIER_NAMES live in predictfluence_ml.bundle; re-exported here because artifacts pickled
# before the move name the class `predictfluence_ml.training.ModelBundle`.
__all__ = ["ER_FLOOR", "KIND", "TIER_NAMES", "ModelBundle", "TrainParams", "fit", "ml_threads", "tier_labels"]

ER_FLOOR = 1e-5
KIND = "engagement"
BLEND_GRID = np.round(np.linspace(0.0, 1.0, 21), 2)
BLEND_MIN_ROWS = 30


@dataclass
class TrainParams:
    max_iter: int = 150
    learning_rate: float = 0.08
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 20
    l2_regularization: float = 1.0
    classifier_iter: int = 80
    n_clusters: int = 8
    seed: int = 0


def _encoder() -> ColumnTransformer:
    n_cat = len(CATEGORICAL)
    return ColumnTransformer(
        [
            (
                "categorical",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=np.nan, encoded_missing_value=np.nan
                ),
                list(range(n_cat)),
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )


def _as_float() -> FunctionTransformer:
    """The encoder's output is an object array (mixed input): hand the booster plain float64."""
    return FunctionTransformer(np.asarray, kw_args={"dtype": np.float64}, check_inverse=False)


def _boosting_pipeline(estimator: Any) -> Pipeline:
    """Encoding + the booster, as one artifact: what the regressors and the tier classifier share."""
    return Pipeline([("encode", _encoder()), ("float", _as_float()), ("hgb", estimator)])


def _tree_params(params: TrainParams) -> dict[str, Any]:
    """Tree shape and reproducibility settings common to every booster here."""
    return {
        "max_leaf_nodes": params.max_leaf_nodes,
        "min_samples_leaf": params.min_samples_leaf,
        "l2_regularization": params.l2_regularization,
        "categorical_features": list(range(len(CATEGORICAL))),
        "early_stopping": False,
        "random_state": params.seed,
    }


def _regressor(params: TrainParams, **loss: Any) -> Pipeline:
    return _boosting_pipeline(
        HistGradientBoostingRegressor(
            max_iter=params.max_iter, learning_rate=params.learning_rate, **_tree_params(params), **loss
        )
    )


def tier_labels(cat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """0 / 1 / 2 = bottom / middle / top third of ER within the row's platform."""
    platform = cat[:, CATEGORICAL.index("platform")]
    labels = np.ones(y.size, dtype=np.int64)
    for p in np.unique(platform):
        sel = platform == p
        lo, hi = np.quantile(y[sel], [1 / 3, 2 / 3])
        labels[sel & (y <= lo)] = 0
        labels[sel & (y > hi)] = 2
    return labels


def library_versions() -> dict[str, str]:
    import joblib
    import scipy

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "python": _platform.python_version(),
    }


@contextlib.contextmanager
def ml_threads() -> Iterator[None]:
    """Cap OpenMP/BLAS threads at PF_ML_THREADS (default 1; 0 = the libraries' default).

    One thread by default because OpenMP's spinning threads slow boosting predictions down badly on a
    shared machine (figure: docs/benchmarks.md, "Figures behind code decisions"); a dedicated Lambda
    with 2 vCPUs may set 2."""
    n = get_settings().ml_threads
    if n <= 0:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n):
        yield


def fit(train: Dataset, params: TrainParams | None = None) -> ModelBundle:
    with ml_threads():
        return _fit(train, params or TrainParams())


def _blend_weights(
    params: TrainParams, train: Dataset, x: np.ndarray, peers: PeerBaseline, proper: np.ndarray
) -> tuple[tuple[str, float], ...]:
    """Per history segment, the weight w of the regressor against persistence (the creator's own
    last-90-day ER), from the calibration influencers and a regressor fitted on the other 75 % only:
    where that regressor's MAE is above persistence's, w minimises the MAE of w × model + (1 − w) ×
    persistence (credibility weighting of the creator's own history, learned out of sample); elsewhere,
    and in segments with fewer than BLEND_MIN_ROWS calibration rows, the regressor alone (w = 1)."""
    held = ~proper
    log_y = np.log(np.maximum(train.y, ER_FLOOR))
    model = np.exp(_regressor(params).fit(x[proper], log_y[proper]).predict(x[held]))
    names = train.X.spec.numeric
    own = persistence(train.X.num[held], names, peers.predict(train.X.cat[held]))
    segments, y = segment_of(train.X.num[held], names), train.y[held]
    weights = []
    for name, _lo, _hi in SEGMENTS:
        sel = segments == name
        if sel.sum() < BLEND_MIN_ROWS:
            weights.append((name, 1.0))
            continue
        errors = [float(np.mean(np.abs(y[sel] - (w * model[sel] + (1 - w) * own[sel])))) for w in BLEND_GRID]
        # only where the regressor loses to persistence out of sample (errors[-1]: w = 1, errors[0]: w = 0)
        best = BLEND_GRID[int(np.argmin(errors))] if errors[-1] > errors[0] else 1.0
        weights.append((name, float(best)))
    return tuple(weights)


def _fit(train: Dataset, params: TrainParams) -> ModelBundle:
    blank = tuple(int(j) for j in np.flatnonzero(np.isnan(train.X.num).all(axis=0)))
    x = train.X.X()
    for j in blank:
        x[:, len(CATEGORICAL) + j] = 0.0
    log_y = np.log(np.maximum(train.y, ER_FLOOR))
    regressor = _regressor(params).fit(x, log_y)
    # Conformalised quantile regression: the 10 % / 90 % models learn on 75 % of the influencers, and
    # the interval is widened (or narrowed) by the conformity score that covers 80 % of the other 25 %.
    rng = np.random.default_rng(params.seed)
    ids = np.unique(train.X.ids)
    calibration = np.isin(train.X.ids, rng.choice(ids, size=max(1, ids.size // 4), replace=False))
    if calibration.all() or not calibration.any():
        calibration = np.zeros(log_y.size, dtype=bool)
    proper = ~calibration
    peers = PeerBaseline.fit(train.X.cat, train.X.num, train.y)
    blend = _blend_weights(params, train, x, peers, proper) if calibration.any() else ()
    lower = _regressor(params, loss="quantile", quantile=0.1).fit(x[proper], log_y[proper])
    upper = _regressor(params, loss="quantile", quantile=0.9).fit(x[proper], log_y[proper])
    interval_adjust = 0.0
    if calibration.any():
        lo, hi = lower.predict(x[calibration]), upper.predict(x[calibration])
        scores = np.maximum(lo - log_y[calibration], log_y[calibration] - hi)
        n = scores.size
        interval_adjust = float(np.quantile(scores, min(1.0, np.ceil((n + 1) * 0.8) / n), method="higher"))
    labels = tier_labels(train.X.cat, train.y)
    classifier_pipeline = _boosting_pipeline(
        HistGradientBoostingClassifier(max_iter=params.classifier_iter, learning_rate=0.1, **_tree_params(params))
    )
    # The classifier learns on the same 75 % and its probabilities are calibrated (isotonic) on the
    # held-out 25 %: one boosting fit instead of the 3 + 1 of cross-validated calibration.
    if calibration.any() and np.unique(labels[calibration]).size == np.unique(labels).size:
        fitted = classifier_pipeline.fit(x[proper], labels[proper])
        classifier = CalibratedClassifierCV(FrozenEstimator(fitted), method="isotonic").fit(
            x[calibration], labels[calibration]
        )
    else:
        classifier = CalibratedClassifierCV(classifier_pipeline, method="isotonic", cv=3, ensemble=False).fit(
            x, labels
        )
    clusters = fit_clusters(train.X, n_clusters=params.n_clusters, seed=params.seed)
    bundle = ModelBundle(
        spec=train.X.spec,
        regressor=regressor,
        lower=lower,
        upper=upper,
        classifier=classifier,
        peers=peers,
        clusters=clusters,
        trained_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        params=params.__dict__.copy(),
        library_versions=library_versions(),
        blank_columns=blank,
        interval_adjust=interval_adjust,
        blend=blend,
    )
    bundle.rationale_columns = select_columns(bundle, train.X, seed=params.seed)
    return bundle
