"""Plain-words rationale: which features moved the prediction away from the peer baseline.

Method (per row): the peer group is platform × follower tier × category (falling back to coarser groups
when small). For each candidate feature, the feature alone is set to its peers' median value and the
regressor predicts again; the contribution is `prediction − prediction with that feature at the peer
value`. The two or three features with the largest absolute contribution are named with their actual
values, e.g. "Instagram micro creators in Beauty have a median ER of 4.1%; this creator's last-90-day
ER of 6.3% and 71% 18-24 audience raise it to 5.6% per reel post". To keep batch scoring fast only the
eight features with the largest mean contribution on training data are candidates. Contributions are one-at-a-time
(interactions are not split), which is honest for what it says: "this value, alone, moves it by so much".
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.ensembles import Inputs
from predictfluence_ml.features import CATEGORICAL, FeatureMatrix
from predictfluence_ml.peers import persistence, segment_of
from predictfluence_ml.trees import TreeEnsemble

TOP_K = 3
RATIONALE_COLUMNS = 8
PLATFORM_NAMES = {
    "instagram": "Instagram",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "twitter": "X",
    "x": "X",
}
MIN_SHARE_OF_GAP = 0.1
MIN_ABSOLUTE = 2e-4


def _pct(v: float) -> str:
    return f"{v:.1%}" if v < 0.1 else f"{v:.0%}"


_SIMPLE: dict[str, Callable[[float, str, float], str]] = {
    "er_30": lambda v, ct, f: f"last-30-day ER of {_pct(v)}",
    "er_90": lambda v, ct, f: f"last-90-day ER of {_pct(v)}",
    "er_ct_30": lambda v, ct, f: f"last-30-day {ct} ER of {_pct(v)}",
    "er_ct_90": lambda v, ct, f: f"last-90-day {ct} ER of {_pct(v)}",
    "posts_per_week": lambda v, ct, f: f"{v:.1f} posts a week",
    "posts_ct_90": lambda v, ct, f: f"{v:.0f} {ct} posts in 90 days",
    "ct_share_90": lambda v, ct, f: f"{v:.0%} of posts as {ct}s",
    "likes_per_comment": lambda v, ct, f: f"{v:.0f} likes per comment",
    "sponsored_share": lambda v, ct, f: f"{v:.0%} sponsored posts",
    "days_since_last_post": lambda v, ct, f: f"last post {v:.0f} days ago",
    "top_country_share": lambda v, ct, f: f"{v:.0%} of the audience in one country",
    "follower_growth_90": lambda v, ct, f: f"{v:+.0%} follower growth in 90 days",
    "log_followers": lambda v, ct, f: f"{f:,.0f} followers",
}
_MISSING = {
    "er_30": "no posts in the last 30 days",
    "er_90": "no posts in the last 90 days",
    "er_ct_30": "no {ct} posts in the last 30 days",
    "er_ct_90": "no {ct} posts in the last 90 days",
    "likes_per_comment": "no comments to compare",
    "days_since_last_post": "no recent posts",
}


def _describe(name: str, value: float, content_type: str, followers: float) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if name.startswith("age_"):
        return "no audience age data" if missing else f"{value:.0%} {name[4:]} audience"
    if name.startswith("gender_"):
        return "no audience gender data" if missing else f"{value:.0%} {name[7:]} audience"
    if missing:
        text = _MISSING.get(name)
        return text.format(ct=content_type) if text else f"no {name.replace('_', ' ')} data"
    simple = _SIMPLE.get(name)
    return simple(value, content_type, followers) if simple else f"{name.replace('_', ' ')} of {value:.3g}"


def platform_name(platform: str) -> str:
    return PLATFORM_NAMES.get(platform.lower(), platform.capitalize())


def peer_phrase(key: tuple[str, ...]) -> str:
    if len(key) == 3:
        return f"{platform_name(key[0])} {key[1]} creators in {key[2]}"
    if len(key) == 2:
        return f"{platform_name(key[0])} {key[1]} creators"
    if len(key) == 1:
        return f"{platform_name(key[0])} creators"
    return "All creators"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class RegressorPass:
    """The regressor's trees run once over a matrix: its encoded inputs, every row's leaf and value in
    every tree, and the model's ER (`model_point`, the floats of `bundle.regressor.predict`), shared by
    the point prediction and the rationale's counterfactuals."""

    def __init__(self, trees: TreeEnsemble, xt: np.ndarray, binned: np.ndarray | None = None) -> None:
        self.trees, self.xt = trees, xt
        self.leaves = trees.leaves(xt, binned)
        self.values = trees.values(self.leaves)
        self.model_point = np.exp(trees.link(trees.raw(self.values, {})))

    @classmethod
    def of(cls, bundle: ModelBundle, X: FeatureMatrix, inputs: Inputs | None = None) -> RegressorPass | None:
        """None when the regressor is not a single-output HistGradientBoosting model. `inputs`
        (bundle.shared_inputs(X)): its rows, encoded and binned once for every model of the bundle."""
        trees = _ensemble(bundle.regressor[-1])
        if trees is None:
            return None
        prepared = None if inputs is None else inputs.prepared(bundle.regressor)
        if prepared is None:
            return cls(trees, np.asarray(bundle.regressor[:-1].transform(bundle.inputs(X)), dtype=np.float64))
        _model, xt, binned = prepared
        return cls(trees, xt, binned)


_ENSEMBLES: weakref.WeakKeyDictionary[Any, TreeEnsemble | None] = weakref.WeakKeyDictionary()


def _ensemble(model: Any) -> TreeEnsemble | None:
    """TreeEnsemble.of(model), built once per fitted model (its leaf trees and boxes are reused)."""
    if model not in _ENSEMBLES:
        _ENSEMBLES[model] = TreeEnsemble.of(model)
    return _ENSEMBLES[model]


def contributions(
    bundle: ModelBundle,
    X: FeatureMatrix,
    point: np.ndarray,
    candidates: list[int] | None = None,
    groups: list[tuple[str, ...]] | None = None,
    model_pass: RegressorPass | None = None,
) -> tuple[np.ndarray, list[int]]:
    """(n × candidates) contribution matrix and the candidates' numeric column indexes.

    Same numbers as `contributions_per_candidate` (one full prediction per candidate), computed from one
    pass of per-tree leaves (`model_pass`, made here if not given): a candidate's counterfactual
    re-evaluates only the rows whose leaf can change in a tree that splits on its feature
    (predictfluence_ml.trees says why that is exact), and the raw prediction is re-summed in the trees'
    order, so every float is the one the full prediction would give."""
    if candidates is None:
        candidates = _default_candidates(bundle, X)
    model_pass = model_pass or RegressorPass.of(bundle, X)
    if model_pass is None:  # not a single-output HistGradientBoosting model: the reference path
        return contributions_per_candidate(bundle, X, point, candidates)
    trees, xt, leaves, values = model_pass.trees, model_pass.xt.copy(), model_pass.leaves, model_pass.values
    groups = bundle.peers.groups(X.cat) if groups is None else groups
    table, index = _peer_table(bundle, groups)
    peer = table[index]
    keys = trees.keys(leaves, index, len(table))
    blend = _Blend(bundle, X, groups)
    offset = len(CATEGORICAL)
    out = np.zeros((len(X), len(candidates)))
    for c, j in enumerate(candidates):
        col = xt[:, offset + j].copy()
        xt[:, offset + j] = peer[:, j]
        changed = trees.changed(offset + j, table[:, j], keys, xt)
        xt[:, offset + j] = col
        num = X.num.copy()
        num[:, j] = peer[:, j]
        out[:, c] = point - blend(np.exp(trees.link(trees.raw(values, changed))), num)
    return out, candidates


def _peer_table(bundle: ModelBundle, groups: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray]:
    """(the peers' median features of each distinct group, each row's index into that table)."""
    keys = list(dict.fromkeys(groups))
    position = {key: k for k, key in enumerate(keys)}
    width = len(bundle.spec.numeric)
    table = np.vstack([bundle.peers.features[key] for key in keys]) if keys else np.empty((0, width))
    return table, np.fromiter((position[g] for g in groups), dtype=np.intp, count=len(groups))


def contributions_per_candidate(
    bundle: ModelBundle, X: FeatureMatrix, point: np.ndarray, candidates: list[int] | None = None
) -> tuple[np.ndarray, list[int]]:
    """The reference computation of `contributions`: each candidate alone set to its peers' value and
    the whole regressor run again (the scorer's path before issue 16.3; the benchmark's baseline)."""
    encode, model = bundle.regressor[:-1], bundle.regressor[-1]
    xt = np.asarray(encode.transform(bundle.inputs(X)), dtype=np.float64)
    peer = bundle.peers.feature_values(X.cat)
    offset = len(CATEGORICAL)
    if candidates is None:
        candidates = _default_candidates(bundle, X)
    out = np.zeros((len(X), len(candidates)))
    for c, j in enumerate(candidates):
        col = xt[:, offset + j].copy()
        xt[:, offset + j] = peer[:, j]
        num = X.num.copy()
        num[:, j] = peer[:, j]
        out[:, c] = point - bundle.blended(X, np.exp(model.predict(xt)), num)
        xt[:, offset + j] = col
    return out, candidates


def _default_candidates(bundle: ModelBundle, X: FeatureMatrix) -> list[int]:
    return list(bundle.rationale_columns) or [
        j for j in range(X.num.shape[1]) if j not in bundle.blank_columns
    ]


class _Blend:
    """bundle.blended(X, model_point, num) with the row weights and peer medians computed once."""

    def __init__(self, bundle: ModelBundle, X: FeatureMatrix, groups: list[tuple[str, ...]]) -> None:
        self.names = X.spec.numeric
        self.weights: np.ndarray | None = None
        if bundle.blend:
            weights = dict(bundle.blend)
            self.weights = np.array(
                [weights.get(s, 1.0) for s in segment_of(X.num, self.names)], dtype=np.float64
            )
            self.fallback = np.array([bundle.peers.target[g] for g in groups], dtype=np.float64)

    def __call__(self, model_point: np.ndarray, num: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return model_point
        own = persistence(num, self.names, self.fallback)
        return self.weights * model_point + (1.0 - self.weights) * own


def select_columns(bundle: ModelBundle, X: FeatureMatrix, size: int = 2000, seed: int = 0) -> tuple[int, ...]:
    """The RATIONALE_COLUMNS features with the largest mean |contribution| on a sample of training rows
    (scoring then only re-predicts for those: each candidate costs one full prediction)."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(size, len(X)), replace=False)
    sample = X.subset(np.sort(rows))
    point = bundle.blended(sample, np.exp(bundle.regressor.predict(bundle.inputs(sample))))
    candidates = [j for j in range(X.num.shape[1]) if j not in bundle.blank_columns]
    contrib, _ = contributions(bundle, sample, point, candidates)
    strength = np.abs(contrib).mean(axis=0)
    order = np.argsort(-strength)[:RATIONALE_COLUMNS]
    return tuple(sorted(int(candidates[c]) for c in order))


def explain(
    bundle: ModelBundle,
    X: FeatureMatrix,
    point: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    per_candidate: bool = False,
    model_pass: RegressorPass | None = None,
) -> list[str]:
    """The rationale of every row. `per_candidate` is the reference: the contributions with one full
    prediction per candidate and the texts written row by row — same texts, slower; the benchmark's
    baseline."""
    if len(X) == 0:
        return []
    groups = bundle.peers.groups(X.cat)
    if per_candidate:
        contrib, candidates = contributions_per_candidate(bundle, X, point)
    else:
        contrib, candidates = contributions(bundle, X, point, groups=groups, model_pass=model_pass)
    peer_ers = {key: bundle.peers.target[key] for key in set(groups)}
    heads = {key: f"{peer_phrase(key)} have a median ER of {_pct(er)}; " for key, er in peer_ers.items()}
    write = _texts_per_row if per_candidate else _texts
    return write(X, contrib, candidates, groups, peer_ers, heads, (point, low, high))


Forecast = tuple[np.ndarray, np.ndarray, np.ndarray]  # point, low, high


def _body(ups: list[str], downs: list[str], tail: str) -> str:
    if ups and downs:
        verb_up = "raises" if len(ups) == 1 else "raise"
        verb_down = "lowers" if len(downs) == 1 else "lower"
        return f"this creator's {_join(ups)} {verb_up} it and {_join(downs)} {verb_down} it, to {tail}."
    if ups:
        return f"this creator's {_join(ups)} {'raises' if len(ups) == 1 else 'raise'} it to {tail}."
    if downs:
        return f"this creator's {_join(downs)} {'lowers' if len(downs) == 1 else 'lower'} it to {tail}."
    return f"this creator is close to them: {tail}."


def _texts_per_row(
    X: FeatureMatrix,
    contrib: np.ndarray,
    candidates: list[int],
    groups: list[tuple[str, ...]],
    peer_ers: dict[tuple[str, ...], float],
    heads: dict[tuple[str, ...], str],
    forecast: Forecast,
) -> list[str]:
    """The texts, one row at a time (the reference of `_texts`)."""
    names = X.spec.numeric
    content_types = X.cat[:, CATEGORICAL.index("content_type")].tolist()
    orders = np.argsort(-np.abs(contrib), axis=1)[:, :TOP_K].tolist()
    contrib_rows = contrib.tolist()
    points, lows, highs = (a.tolist() for a in forecast)
    num, followers = X.num.tolist(), X.followers.tolist()
    texts: list[str] = []
    for i in range(len(X)):
        key = groups[i]
        content_type = str(content_types[i])
        threshold = max(MIN_ABSOLUTE, MIN_SHARE_OF_GAP * abs(points[i] - peer_ers[key]))
        ups, downs = [], []
        row = contrib_rows[i]
        for c in orders[i]:
            value = row[c]
            if abs(value) < threshold:
                continue
            j = candidates[c]
            desc = _describe(names[j], float(num[i][j]), content_type, float(followers[i]))
            (ups if value > 0 else downs).append(desc)
        tail = f"{_pct(points[i])} per {content_type} post (80% range {_pct(lows[i])}–{_pct(highs[i])})"
        texts.append(heads[key] + _body(ups, downs, tail))
    return texts


def _texts(
    X: FeatureMatrix,
    contrib: np.ndarray,
    candidates: list[int],
    groups: list[tuple[str, ...]],
    peer_ers: dict[tuple[str, ...], float],
    heads: dict[tuple[str, ...], str],
    forecast: Forecast,
) -> list[str]:
    """The texts of `_texts_per_row`, assembled by column: which of a row's top contributions are named
    (thresholds in numpy, Python's max and comparisons float for float), each candidate's phrases
    formatted for just its named rows, the percentages per column; only the sentence is put together
    per row."""
    point = forecast[0]
    content_types = [str(t) for t in X.cat[:, CATEGORICAL.index("content_type")].tolist()]
    share = MIN_SHARE_OF_GAP * np.abs(point - np.array([peer_ers[g] for g in groups], dtype=np.float64))
    threshold = np.where(share > MIN_ABSOLUTE, share, MIN_ABSOLUTE)  # max(MIN_ABSOLUTE, share), as Python's
    orders = np.argsort(-np.abs(contrib), axis=1)[:, :TOP_K]
    values = np.take_along_axis(contrib, orders, axis=1)
    named = ~(np.abs(values) < threshold[:, None])
    phrases = np.empty(orders.shape, dtype=object)
    for c, j in enumerate(candidates):
        rows, slots = np.nonzero(named & (orders == c))
        cts = [content_types[i] for i in rows.tolist()]
        phrases[rows, slots] = _describe_column(X.spec.numeric[j], X.num[rows, j].tolist(), cts,
                                                X.followers[rows].tolist())  # fmt: skip
    pcts = [[f"{v:.1%}" if v < 0.1 else f"{v:.0%}" for v in a.tolist()] for a in forecast]
    texts = []
    for key, ct, p, lo, hi, use, up, said in zip(groups, content_types, *pcts, named.tolist(), (values > 0).tolist(),
                                                 phrases.tolist(), strict=True):  # fmt: skip
        ups = [t for t, n, u in zip(said, use, up, strict=True) if n and u]
        downs = [t for t, n, u in zip(said, use, up, strict=True) if n and not u]
        texts.append(heads[key] + _body(ups, downs, f"{p} per {ct} post (80% range {lo}–{hi})"))
    return texts


def _describe_column(
    name: str, values: list[float], content_types: list[str], followers: list[float]
) -> list[str]:
    """_describe of one feature for many rows."""
    for prefix, dimension in (("age_", "age"), ("gender_", "gender")):
        if name.startswith(prefix):
            bucket = name[len(prefix) :]
            return [
                f"no audience {dimension} data" if v != v else f"{v:.0%} {bucket} audience" for v in values
            ]
    if name not in _SIMPLE:
        return [_describe(name, v, ct, f) for v, ct, f in zip(values, content_types, followers, strict=True)]
    simple, missing = _SIMPLE[name], _MISSING.get(name)
    blank = f"no {name.replace('_', ' ')} data"
    return [
        (missing.format(ct=ct) if missing else blank) if v != v else simple(v, ct, f)
        for v, ct, f in zip(values, content_types, followers, strict=True)
    ]


def snapshot_text(
    as_of: object, source: str, snapshot_er: float, content_type: str, point: float, low: float, high: float
) -> str:
    """The rationale of a creator scored from an imported snapshot (predictfluence_ml.snapshots)."""
    return (
        f"Based on the imported snapshot of {as_of} (source: {source}): ER {snapshot_er * 100:.2f} %, no post "
        f"history; {_pct(point)} per {content_type} post (80% range {_pct(low)}–{_pct(high)}, wider than for "
        "creators with post history)."
    )
