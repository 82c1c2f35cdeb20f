"""The bundle's boosting pipelines run together over one matrix (issue 16.3): encoded once, binned once,
trees on the bins.

Every model of a bundle is `encode → float64 → HistGradientBoosting` (training._boosting_pipeline), and a
scoring chunk runs four of them over the same rows: the regressor, the 10 % / 90 % quantile models and the
tier classifier. Their own `predict` builds an object array of the rows and encodes it once per model.
`Inputs` does that work once per distinct fitted encoder instead and hands the boosters what their
pipelines would have:

- **Encoding**: only the categorical columns go through the pipeline's fitted OrdinalEncoder; the numeric
  columns are copied as float64 (the pipeline's passthrough + `np.asarray(dtype=float64)` gives the same
  floats). Models whose encoders learnt the same categories share the result.
- **Binning**: each booster's rows are mapped to its bins (its own fitted `_BinMapper`, once per distinct
  set of thresholds: the quantile models and the classifier learnt on the same rows share theirs) and its
  trees run on the uint8 bins with scikit-learn's own binned predictor (what it uses during `fit`): an
  eighth of the bytes of the float rows per tree pass, ≈ 30 % less time per tree here.

Why the binned trees give the floats of the float ones: a numeric split sends x left iff x ≤ threshold,
and the threshold is the upper edge of its bin b, so x ≤ edge_b iff bin(x) ≤ b; a missing value is the
missing bin in both and follows `missing_go_to_left`; a categorical split reads the category's bit in
both — for a category the booster knows. The bins are used only when every numeric split's threshold is
its bin's edge (checked once per model) and every categorical input is a known category or missing
(checked per matrix); otherwise, and for any pipeline not shaped like training's, the model's own path.
The raw predictions are summed tree by tree in the iterations' order into scikit-learn's own array
(`_predict_iterations`), so every float is the one `predict` gives (tests/ml/test_ensembles.py).
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.frozen import FrozenEstimator
from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

from predictfluence_ml.features import CATEGORICAL, FeatureMatrix

N_CAT = len(CATEGORICAL)


def _parts(pipeline: Any) -> tuple[Any, Any] | None:
    """(fitted OrdinalEncoder of the categoricals, booster) of a pipeline shaped like
    training._boosting_pipeline (categoricals first, the rest passed through, then float64), else None."""
    steps = getattr(pipeline, "steps", None)
    if not steps or len(steps) != 3:
        return None
    encode, as_float, model = (step for _name, step in steps)
    if not isinstance(encode, ColumnTransformer) or not isinstance(as_float, FunctionTransformer):
        return None
    if as_float.func is not np.asarray or as_float.kw_args != {"dtype": np.float64}:
        return None
    fitted = getattr(encode, "transformers_", [])
    width = getattr(encode, "n_features_in_", 0)
    if encode.remainder != "passthrough" or len(fitted) != 2 or getattr(encode, "sparse_output_", True):
        return None
    (name, encoder, columns), (rest, _identity, others) = fitted
    shaped = (
        name == "categorical" and rest == "remainder" and isinstance(encoder, OrdinalEncoder)
        and list(columns) == list(range(N_CAT)) and list(others) == list(range(N_CAT, width))
    )  # fmt: skip
    if not shaped or not hasattr(model, "_predictors") or not hasattr(model, "_bin_mapper"):
        return None
    return encoder, model


class _Binning:
    """What the binned path needs of one fitted booster, and whether its splits allow it."""

    def __init__(self, model: Any) -> None:
        mapper = model._bin_mapper
        self.thresholds = mapper.bin_thresholds_
        self.categorical = np.flatnonzero(mapper.is_categorical_)
        self.key = (mapper.missing_values_bin_idx_, mapper.is_categorical_.tobytes(),
                    tuple(t.tobytes() for t in self.thresholds))  # fmt: skip
        self.exact = all(_edges_exact(p.nodes, self.thresholds) for it in model._predictors for p in it)


def _edges_exact(nodes: np.ndarray, thresholds: list[np.ndarray]) -> bool:
    """Every numeric split's threshold is the upper edge of its bin."""
    split = (nodes["is_leaf"] == 0) & (nodes["is_categorical"] == 0)
    for f, b, t in zip(nodes["feature_idx"][split].tolist(), nodes["bin_threshold"][split].tolist(),
                       nodes["num_threshold"][split].tolist(), strict=True):  # fmt: skip
        edges = thresholds[f]
        if b >= edges.size or edges[b] != t:
            return False
    return True


_BINNING: weakref.WeakKeyDictionary[Any, _Binning] = weakref.WeakKeyDictionary()


def _binning(model: Any) -> _Binning:
    if model not in _BINNING:
        _BINNING[model] = _Binning(model)
    return _BINNING[model]


class Inputs:
    """One matrix's inputs to a bundle's boosting pipelines, encoded and binned once per distinct fitted
    encoder and bin mapper (`blank` = the bundle's all-missing training columns, zeroed as in
    ModelBundle.inputs)."""

    def __init__(self, X: FeatureMatrix, blank: tuple[int, ...] = ()) -> None:
        self.X = X
        self.num = X.num.copy() if blank else X.num
        for j in blank:
            self.num[:, j] = 0.0
        self._objects: np.ndarray | None = None
        self._encoded: dict[tuple, np.ndarray] = {}
        self._binned: dict[tuple, np.ndarray | None] = {}

    def __len__(self) -> int:
        return len(self.X)

    def objects(self) -> np.ndarray:
        """The pipelines' own input (ModelBundle.inputs): for the models' own path."""
        if self._objects is None:
            self._objects = self.X.X()
            self._objects[:, N_CAT:] = self.num
        return self._objects

    def encoded(self, encoder: Any) -> np.ndarray:
        """float64 rows as the pipeline of `encoder` hands them to its booster."""
        key = (
            tuple(tuple(c.tolist()) for c in encoder.categories_),
            repr(sorted(encoder.get_params().items())),
        )
        if key not in self._encoded:
            xt = np.empty((len(self.X), N_CAT + self.num.shape[1]), dtype=np.float64)
            xt[:, :N_CAT] = encoder.transform(self.X.cat)
            xt[:, N_CAT:] = self.num
            self._encoded[key] = xt
        return self._encoded[key]

    def binned(self, model: Any, xt: np.ndarray) -> np.ndarray | None:
        """`xt` in the booster's bins (C order: a row's bins side by side), or None when the binned
        trees would not give the float path's values (see the module's docstring)."""
        binning = _binning(model)
        key = (binning.key, id(xt))  # xt: one of self._encoded's arrays, alive as long as self
        if key not in self._binned:
            known = binning.exact and all(
                bool(np.all(np.isin(xt[:, f], binning.thresholds[f]) | np.isnan(xt[:, f])))
                for f in binning.categorical.tolist()
            )
            self._binned[key] = np.ascontiguousarray(model._bin_mapper.transform(xt)) if known else None
        return self._binned[key]

    def prepared(self, pipeline: Any) -> tuple[Any, np.ndarray, np.ndarray | None] | None:
        """(booster, its float rows, their bins or None) for a pipeline shaped like training's, else None."""
        parts = _parts(pipeline)
        if parts is None:
            return None
        encoder, model = parts
        xt = self.encoded(encoder)
        return model, xt, self.binned(model, xt)

    def raw(self, pipeline: Any) -> np.ndarray | None:
        """The booster's raw predictions (rows × trees per iteration, `_raw_predict`'s floats), or None
        for a pipeline not shaped like training's."""
        prepared = self.prepared(pipeline)
        if prepared is None:
            return None
        model, xt, binned = prepared
        if binned is None:
            return model._raw_predict(xt)
        raw = np.zeros(
            (len(xt), model.n_trees_per_iteration_), dtype=model._baseline_prediction.dtype, order="F"
        )
        raw += model._baseline_prediction
        model._predict_iterations(binned, model._predictors, raw, True, _openmp_effective_n_threads())
        return raw


def regression(pipeline: Any, inputs: Inputs) -> np.ndarray:
    """`pipeline.predict` of the inputs (a HistGradientBoostingRegressor: the link's inverse of the raw)."""
    raw = inputs.raw(pipeline)
    if raw is None or raw.shape[1] != 1:
        return pipeline.predict(inputs.objects())
    return pipeline[-1]._loss.link.inverse(raw.ravel())


class _Decided(ClassifierMixin, BaseEstimator):
    """A fitted classifier whose decision function is already computed: its input is its output."""

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return X


def probabilities(classifier: Any, inputs: Inputs) -> np.ndarray:
    """`classifier.predict_proba` of the inputs for the bundle's tier classifier (a
    CalibratedClassifierCV over boosting pipelines): each calibrated member's booster runs here and its
    calibrators map the decision function as they would; anything else runs the classifier itself."""
    members = getattr(classifier, "calibrated_classifiers_", None)
    if not isinstance(classifier, CalibratedClassifierCV) or not members:
        return classifier.predict_proba(inputs.objects())
    decisions = []
    for member in members:
        estimator = member.estimator
        pipeline = estimator.estimator if isinstance(estimator, FrozenEstimator) else estimator
        raw = inputs.raw(pipeline) if member.method in ("isotonic", "sigmoid") else None
        if raw is None:
            return classifier.predict_proba(inputs.objects())
        decided = copy.copy(member)
        decided.estimator = _Decided()
        decided.estimator.classes_ = pipeline.classes_
        decisions.append((decided, raw.ravel() if raw.shape[1] == 1 else raw))
    mean = np.zeros((len(inputs), classifier.classes_.shape[0]))
    for decided, decision in decisions:
        mean += decided.predict_proba(decision)
    mean /= len(members)
    return mean
