"""A fitted single-output HistGradientBoostingRegressor seen tree by tree, for the rationale's counterfactual
predictions (issue 16.3): which leaf every row reaches in every tree, and the trees' values with one
feature set to another value — re-evaluating only the rows whose leaf can change.

Why that is exact: a tree reads a row's features only at the nodes on its path, so setting feature f to
a value v changes the row's leaf only if some node on the path splits on f and v goes the other way
there. The nodes on f along a leaf's path bound f to an interval (lo, hi] (`x <= threshold` goes left,
as in scikit-learn's predictor) and say whether a missing value follows the path (each node's
`missing_go_to_left`). A row keeps its leaf, hence its tree value, iff v lies in its leaf's interval (or
v is missing and the leaf admits missing values); only the other rows are evaluated again, by the
tree's own predictor. The raw prediction is then re-summed in the trees' order for the rows where any
tree changed, so every float is the one a full prediction would give.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Box = tuple[np.ndarray, np.ndarray, np.ndarray]  # per node: lo (exclusive), hi (inclusive), missing allowed


class TreeEnsemble:
    """The trees of a fitted single-output HistGradientBoosting model (its `_predictors`)."""

    def __init__(self, model: Any) -> None:
        from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

        # no reference to the model itself: rationale caches one ensemble per model, weakly keyed
        self._inverse = model._loss.link.inverse
        self.trees = [iteration[0] for iteration in model._predictors]
        self.baseline = model._baseline_prediction
        self.known, self.f_idx_map = model._bin_mapper.make_known_categories_bitsets()
        self.n_threads = _openmp_effective_n_threads()
        self.missing_bin = model._bin_mapper.missing_values_bin_idx_
        # the same trees with each node's value replaced by its index: their "prediction" is the leaf
        self._leaf_trees = []
        for tree in self.trees:
            nodes = tree.nodes.copy()
            nodes["value"] = np.arange(len(nodes), dtype=np.float64)
            self._leaf_trees.append(
                TreePredictor(nodes, tree.binned_left_cat_bitsets, tree.raw_left_cat_bitsets)
            )
        self._node_values = [np.ascontiguousarray(tree.nodes["value"]) for tree in self.trees]
        self._using: dict[int, list[int]] = {}
        self._boxes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]] = {}
        self.n_features = int(model.n_features_in_)

    @classmethod
    def of(cls, model: Any) -> TreeEnsemble | None:
        """None when `model` is not a fitted single-output HistGradientBoosting model."""
        predictors = getattr(model, "_predictors", None)
        if not predictors or getattr(model, "n_trees_per_iteration_", 1) != 1 or not hasattr(model, "_loss"):
            return None
        return cls(model)

    def predict_one(self, t: int, xt: np.ndarray) -> np.ndarray:
        return self.trees[t].predict(xt, self.known, self.f_idx_map, self.n_threads)

    def leaves(self, xt: np.ndarray, binned: np.ndarray | None = None) -> np.ndarray:
        """(rows × trees) index of the leaf node each row reaches in each tree; from `binned` (xt in
        the model's bins, predictfluence_ml.ensembles.Inputs.binned: the same leaves) when given."""
        out = np.empty((len(xt), len(self.trees)), dtype=np.intp, order="F")
        for t, tree in enumerate(self._leaf_trees):
            if binned is None:
                out[:, t] = tree.predict(xt, self.known, self.f_idx_map, self.n_threads)
            else:
                out[:, t] = tree.predict_binned(binned, self.missing_bin, self.n_threads)
        return out

    def values(self, leaves: np.ndarray) -> np.ndarray:
        """(rows × trees) tree values of those leaves (the floats each tree's predictor returns)."""
        out = np.empty(leaves.shape, dtype=np.float64, order="F")
        for t, node_values in enumerate(self._node_values):
            np.take(node_values, leaves[:, t], out=out[:, t])
        return out

    def using(self, feature: int) -> list[int]:
        """The trees with a split on `feature` (an encoded column index)."""
        if feature not in self._using:
            self._using[feature] = [
                t for t, tree in enumerate(self.trees)
                if np.any((tree.nodes["feature_idx"] == feature) & (tree.nodes["is_leaf"] == 0))
            ]  # fmt: skip
        return self._using[feature]

    def box(self, t: int, feature: int) -> Box | None:
        """Per node of tree t: the interval (lo, hi] of `feature` its path allows and whether a missing
        value follows it; None if the tree splits on `feature` as a categorical (evaluated in full)."""
        if t not in self._boxes:
            self._boxes[t] = _boxes(self.trees[t].nodes, self.n_features)
        lo, hi, ok, categorical = self._boxes[t]
        return None if feature in categorical else (lo[:, feature], hi[:, feature], ok[:, feature])

    def changed(
        self, feature: int, values: np.ndarray, keys: np.ndarray, xt: np.ndarray
    ) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """{tree: (rows, their new values)} with `feature` set to one of `values` per row, for the trees
        where some row's leaf changes. `keys` = leaf × len(values) + the row's index into `values`
        (rows × trees, see `keys`); `xt` must already hold each row's value in that column."""
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        missing = np.isnan(values)[None, :]
        for t in self.using(feature):
            box = self.box(t, feature)
            if box is None:
                rows = np.arange(len(xt))
            else:
                lo, hi, ok = (a[:, None] for a in box)
                with np.errstate(invalid="ignore"):
                    moves = ~np.where(missing, ok, (lo < values) & (values <= hi))  # (nodes × values)
                rows = np.flatnonzero(moves.ravel().take(keys[:, t]))
            if len(rows):
                out[t] = (rows, self.predict_one(t, xt.take(rows, axis=0)))
        return out

    @staticmethod
    def keys(leaves: np.ndarray, index: np.ndarray, n_values: int) -> np.ndarray:
        """leaf × n_values + index: a row's cell in a (nodes × values) table, per tree."""
        keys = leaves * n_values  # keeps the leaves' column-major layout: a tree's column is contiguous
        keys += index[:, None]
        return keys

    def raw(self, values: np.ndarray, changed: dict[int, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """baseline + Σ tree values in the trees' order (scikit-learn's _raw_predict), with the values of
        the rows in `changed` replaced."""
        raw = np.zeros((values.shape[0], 1), order="F")
        raw += self.baseline
        acc = raw[:, 0]
        for t in range(values.shape[1]):
            if t in changed:
                rows, new = changed[t]
                column = values[:, t].copy()
                column[rows] = new
                acc += column
            else:
                acc += values[:, t]
        return raw.ravel()

    def link(self, raw: np.ndarray) -> np.ndarray:
        return self._inverse(raw)


def _boxes(nodes: np.ndarray, n_features: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, set[int]]:
    """(lo, hi, missing allowed) of every node × feature (the conditions on the node's path), and the
    features split on as categoricals."""
    lo = np.full((len(nodes), n_features), -np.inf)
    hi = np.full((len(nodes), n_features), np.inf)
    ok = np.ones((len(nodes), n_features), dtype=bool)
    categorical: set[int] = set()
    stack = [0]
    while stack:
        k = stack.pop()
        node = nodes[k]
        if node["is_leaf"]:
            continue
        left, right, f = int(node["left"]), int(node["right"]), int(node["feature_idx"])
        stack += [left, right]
        for child in (left, right):
            lo[child], hi[child], ok[child] = lo[k], hi[k], ok[k]
        if node["is_categorical"]:
            categorical.add(f)
            continue
        threshold, missing_left = float(node["num_threshold"]), bool(node["missing_go_to_left"])
        hi[left, f] = min(hi[k, f], threshold)
        ok[left, f] = ok[k, f] and missing_left
        lo[right, f] = max(lo[k, f], threshold)
        ok[right, f] = ok[k, f] and not missing_left
    return lo, hi, ok, categorical
