"""The model bundle: everything the scorer needs, saved as one joblib artifact.

Its own module so that the trainer (which builds it), the rationale (which reads it) and the scorer,
evaluation and registry (which load and use it) all import it from here and not from each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from predictfluence_ml import ensembles
from predictfluence_ml.costs import CostModel
from predictfluence_ml.features import CATEGORICAL, FeatureMatrix, FeatureSpec
from predictfluence_ml.peers import PeerBaseline, persistence, segment_of

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

TIER_NAMES = ("bottom", "middle", "top")


@dataclass
class ModelBundle:
    """Everything the scorer needs, saved as one joblib artifact."""

    spec: FeatureSpec
    regressor: Pipeline
    lower: Pipeline
    upper: Pipeline
    classifier: Any
    peers: PeerBaseline
    clusters: Pipeline
    trained_at: str
    params: dict[str, Any]
    library_versions: dict[str, str] = field(default_factory=dict)
    # numeric columns with no value at all in training (e.g. follower growth without snapshots): HGB
    # cannot bin an all-missing column, so they are zeroed for fitting and predicting alike
    blank_columns: tuple[int, ...] = ()
    interval_adjust: float = 0.0  # conformal correction of the quantile models, in log ER
    # numeric columns the rationale may name: the ones that move predictions most on training data
    rationale_columns: tuple[int, ...] = ()
    # per history segment (peers.SEGMENTS): the regressor's weight against persistence in the point
    # prediction, fitted on the calibration influencers; () = the regressor alone (older bundles)
    blend: tuple[tuple[str, float], ...] = ()
    # the cost-per-post forecast (predictfluence_ml.costs); None in bundles trained before it existed:
    # the scorer then uses the rate card of the hires history
    cost: CostModel | None = None

    def blended(self, X: FeatureMatrix, model_point: np.ndarray, num: np.ndarray | None = None) -> np.ndarray:
        """w × the regressor's ER + (1 − w) × persistence, w by the row's history segment. `num` replaces
        X.num for persistence (the rationale's counterfactuals); the segment always comes from X."""
        if not self.blend:
            return model_point
        weights = dict(self.blend)
        w = np.array([weights.get(s, 1.0) for s in segment_of(X.num, X.spec.numeric)], dtype=np.float64)
        own = persistence(X.num if num is None else num, X.spec.numeric, self.peers.predict(X.cat))
        return w * model_point + (1.0 - w) * own

    def inputs(self, X: FeatureMatrix, rows: slice | np.ndarray | None = None) -> np.ndarray:
        x = X.X(rows)
        for j in self.blank_columns:
            x[:, len(CATEGORICAL) + j] = 0.0
        return x

    def shared_inputs(self, X: FeatureMatrix) -> ensembles.Inputs:
        """X's inputs to every model here, encoded and binned once (predictfluence_ml.ensembles)."""
        return ensembles.Inputs(X, self.blank_columns)

    def predict(
        self, X: FeatureMatrix, model_point: np.ndarray | None = None, inputs: ensembles.Inputs | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(point, low, high) ER; the interval is ordered and contains the point. `model_point`: the
        regressor's ER of X when already computed (rationale.RegressorPass: the same floats). `inputs`
        (shared_inputs(X)): the models run on them, same floats; without, each pipeline's own predict."""
        x = self.inputs(X) if inputs is None else None

        def regress(model: Pipeline) -> np.ndarray:
            return model.predict(x) if inputs is None else ensembles.regression(model, inputs)

        if model_point is None:
            model_point = np.exp(regress(self.regressor))
        point = self.blended(X, model_point)
        low = np.exp(regress(self.lower) - self.interval_adjust)
        high = np.exp(regress(self.upper) + self.interval_adjust)
        return point, np.minimum(low, point), np.maximum(high, point)

    def predict_tier(
        self, X: FeatureMatrix, inputs: ensembles.Inputs | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        if inputs is None:
            proba = self.classifier.predict_proba(self.inputs(X))
        else:
            proba = ensembles.probabilities(self.classifier, inputs)
        best = proba.argmax(axis=1)
        return np.array(TIER_NAMES, dtype=object)[self.classifier.classes_[best]], proba.max(axis=1)
