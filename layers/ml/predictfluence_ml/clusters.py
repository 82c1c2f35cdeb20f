"""KMeans lookalike clusters on scaled influencer-level features (used by /influencers/{id}/similar)."""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from predictfluence_ml.features import FeatureMatrix

LOG_FEATURES = ("er_30", "er_90", "likes_per_comment")
DROP = ("days_since_last_post", "follower_growth_90")


def cluster_inputs(matrix: FeatureMatrix) -> tuple[np.ndarray, np.ndarray]:
    """One row per influencer (first row of each id): its influencer-level numeric features, ER and
    likes-per-comment on a log scale. Returns (ids, inputs)."""
    ids, first = np.unique(matrix.ids, return_index=True)
    names = matrix.spec.influencer_numeric
    cols = [i for i, n in enumerate(names) if n not in DROP]
    x = matrix.num[first][:, cols].copy()
    for j, i in enumerate(cols):
        if names[i] in LOG_FEATURES:
            with np.errstate(divide="ignore", invalid="ignore"):
                x[:, j] = np.log(np.where(x[:, j] > 0, x[:, j], np.nan))
    # a column never observed would make the imputer drop it: keep the width stable
    x[:, np.isnan(x).all(axis=0)] = 0.0
    return ids, x


def fit_clusters(matrix: FeatureMatrix, n_clusters: int = 8, seed: int = 0) -> Pipeline:
    _, x = cluster_inputs(matrix)
    k = max(1, min(n_clusters, x.shape[0] // 10))
    model = Pipeline(
        [
            ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
            ("scale", StandardScaler()),
            ("kmeans", KMeans(n_clusters=k, n_init=4, random_state=seed)),
        ]
    )
    model.fit(x)
    return model


def assign_clusters(model: Pipeline, matrix: FeatureMatrix) -> dict[int, int]:
    ids, x = cluster_inputs(matrix)
    if ids.size == 0:
        return {}
    labels = model.predict(x)
    return dict(zip(ids.tolist(), labels.tolist(), strict=True))
