"""The bundle's models run on shared inputs (predictfluence_ml.ensembles, issue 16.3): encoded once, binned
once, trees on the bins — every float equals the pipeline's own predict / predict_proba, with unknown
categories, missing and infinite values and values exactly at split thresholds; a model whose splits are
not at its bin edges, or an input category the booster never saw, takes the float path (still exact)."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from predictfluence_ml import ensembles
from predictfluence_ml.features import CATEGORICAL, scoring_matrix


@pytest.fixture()
def fitted(db, warehouse, fast_params):
    from predictfluence_ml.dataset import build_split, data_bounds
    from predictfluence_ml.training import fit

    split = build_split(db)
    bundle = fit(split.train, fast_params)
    with db.connect() as conn:
        matrix = scoring_matrix(conn, bundle.spec, data_bounds(conn)[1])
    return bundle, matrix


def _awkward(bundle, matrix):
    """The matrix with unknown categories, missing and infinite values and split thresholds as values."""
    rng = np.random.default_rng(5)
    X = matrix.subset(np.arange(len(matrix)))
    X.cat, X.num = X.cat.copy(), X.num.copy()
    X.cat[rng.random(len(X)) < 0.1, CATEGORICAL.index("country")] = "Atlantis"
    X.cat[rng.random(len(X)) < 0.05, CATEGORICAL.index("category")] = "Unheard-of"
    X.num[rng.random(X.num.shape) < 0.1] = np.nan
    X.num[rng.random(X.num.shape) < 0.02] = np.inf
    X.num[rng.random(X.num.shape) < 0.02] = -np.inf
    nodes = bundle.lower[-1]._predictors[0][0].nodes
    for node in nodes[(nodes["is_leaf"] == 0) & (nodes["is_categorical"] == 0)]:
        j = int(node["feature_idx"]) - len(CATEGORICAL)
        if j >= 0:  # values exactly at the split: x <= threshold goes left
            X.num[rng.random(len(X)) < 0.1, j] = float(node["num_threshold"])
    return X


def _assert_exact(bundle, X, binned_expected: bool) -> None:
    x = bundle.inputs(X)
    inputs = bundle.shared_inputs(X)
    for model in (bundle.regressor, bundle.lower, bundle.upper):
        assert np.array_equal(ensembles.regression(model, inputs), model.predict(x))
        assert (inputs.prepared(model)[2] is not None) == binned_expected
    assert np.array_equal(
        ensembles.probabilities(bundle.classifier, inputs), bundle.classifier.predict_proba(x)
    )
    assert np.array_equal(bundle.predict(X, inputs=inputs)[1], bundle.predict(X)[1])
    tier, p = bundle.predict_tier(X, inputs)
    ref_tier, ref_p = bundle.predict_tier(X)
    assert tier.tolist() == ref_tier.tolist() and np.array_equal(p, ref_p)


def test_shared_inputs_give_the_pipelines_floats(fitted) -> None:
    from predictfluence_ml.rationale import RegressorPass

    bundle, matrix = fitted
    assert len(matrix) > 300
    _assert_exact(bundle, matrix, binned_expected=True)
    X = _awkward(bundle, matrix)
    _assert_exact(bundle, X, binned_expected=True)  # unknown categories encode as missing: still binned
    # the regressor's leaves from the bins are the leaves from the floats
    shared = RegressorPass.of(bundle, X, bundle.shared_inputs(X))
    own = RegressorPass.of(bundle, X)
    assert np.array_equal(shared.leaves, own.leaves) and np.array_equal(shared.xt, own.xt, equal_nan=True)
    assert np.array_equal(shared.model_point, np.exp(bundle.regressor.predict(bundle.inputs(X))))
    # one encoding for models whose encoders learnt the same categories, one binning per bin mapper
    inputs = bundle.shared_inputs(X)
    ensembles.probabilities(bundle.classifier, inputs)
    ensembles.regression(bundle.lower, inputs)
    ensembles.regression(bundle.upper, inputs)
    assert len(inputs._encoded) == 1 and len(inputs._binned) == 1


def test_the_float_path_when_bins_would_differ(fitted) -> None:
    bundle, matrix = fitted
    # a split threshold moved off its bin edge: the bins would send some rows elsewhere
    lower = copy.deepcopy(bundle.lower)
    nodes = lower[-1]._predictors[0][0].nodes
    split = np.flatnonzero((nodes["is_leaf"] == 0) & (nodes["is_categorical"] == 0))[0]
    nodes["num_threshold"][split] = np.nextafter(nodes["num_threshold"][split], np.inf)
    inputs = bundle.shared_inputs(matrix)
    assert inputs.prepared(lower)[2] is None
    assert np.array_equal(ensembles.regression(lower, inputs), lower.predict(bundle.inputs(matrix)))
    # a category code the booster never saw (an encoder that knows more than its booster)
    model = bundle.upper[-1]
    f = int(np.flatnonzero(model._bin_mapper.is_categorical_)[0])
    xt = inputs.encoded(bundle.upper[0].named_transformers_["categorical"]).copy()
    xt[0, f] = float(model._bin_mapper.bin_thresholds_[f].max() + 1)
    assert inputs.binned(model, xt) is None


def test_a_classifier_of_several_calibrated_members(fitted) -> None:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    from predictfluence_ml.training import _boosting_pipeline, tier_labels

    bundle, matrix = fitted
    x = bundle.inputs(matrix)
    labels = tier_labels(
        matrix.cat, matrix.num[:, matrix.spec.numeric.index("er_90")] + 1e-3 * np.arange(len(x))
    )
    pipeline = _boosting_pipeline(
        HistGradientBoostingClassifier(max_iter=10, categorical_features=list(range(len(CATEGORICAL))))
    )
    for method in ("isotonic", "sigmoid"):
        classifier = CalibratedClassifierCV(pipeline, method=method, cv=3).fit(x, labels)
        assert len(classifier.calibrated_classifiers_) == 3
        expected = classifier.predict_proba(x)
        assert np.array_equal(ensembles.probabilities(classifier, bundle.shared_inputs(matrix)), expected)


def test_peer_groups_by_column_equal_the_row_by_row_lookup() -> None:
    from predictfluence_ml.peers import PeerBaseline

    rng = np.random.default_rng(2)
    n = 3000
    cat = np.empty((n, len(CATEGORICAL)), dtype=object)
    cat[:, 0] = rng.choice(["instagram", "tiktok", "youtube"], n)
    cat[:, 1] = rng.choice(["Beauty", "Food", "Tech", "Travel"], n)
    cat[:, 2] = rng.choice(["US", "BR"], n)
    cat[:, 3] = rng.choice(["nano", "micro", "mid", "macro"], n)
    cat[:, 4] = "reel"
    sparse = rng.random(n) < 0.05  # small groups: fall back to platform × tier, platform, everyone
    cat[sparse, 1] = [f"rare{k}" for k in range(int(sparse.sum()))]
    peers = PeerBaseline.fit(cat, rng.random((n, 4)), rng.random(n))
    probe = cat.copy()
    probe[:50, 0] = "myspace"  # an unseen platform: everyone's group
    probe[50:60, 3] = None  # str(None) as before
    probe[60:70, 1] = "rare0"
    assert peers.groups(probe) == [peers.group(row) for row in probe]
    assert {len(g) for g in peers.groups(probe)} == {0, 1, 2, 3}
