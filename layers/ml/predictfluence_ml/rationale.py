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
from collections.abc import Callable

import numpy as np

from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.features import CATEGORICAL, FeatureMatrix

TOP_K = 3
RATIONALE_COLUMNS = 8
PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube", "twitter": "X", "x": "X"}
MIN_SHARE_OF_GAP = 0.1
MIN_ABSOLUTE = 2e-4


def _pct(v: float) -> str:
    return f"{v:.1%}" if v < 0.1 else f"{v:.0%}"


def _describe(name: str, value: float, content_type: str, followers: float) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    simple: dict[str, Callable[[float], str]] = {
        "er_30": lambda v: f"last-30-day ER of {_pct(v)}",
        "er_90": lambda v: f"last-90-day ER of {_pct(v)}",
        "er_ct_30": lambda v: f"last-30-day {content_type} ER of {_pct(v)}",
        "er_ct_90": lambda v: f"last-90-day {content_type} ER of {_pct(v)}",
        "posts_per_week": lambda v: f"{v:.1f} posts a week",
        "posts_ct_90": lambda v: f"{v:.0f} {content_type} posts in 90 days",
        "ct_share_90": lambda v: f"{v:.0%} of posts as {content_type}s",
        "likes_per_comment": lambda v: f"{v:.0f} likes per comment",
        "sponsored_share": lambda v: f"{v:.0%} sponsored posts",
        "days_since_last_post": lambda v: f"last post {v:.0f} days ago",
        "top_country_share": lambda v: f"{v:.0%} of the audience in one country",
        "follower_growth_90": lambda v: f"{v:+.0%} follower growth in 90 days",
        "log_followers": lambda v: f"{followers:,.0f} followers",
    }
    if name.startswith("age_"):
        return "no audience age data" if missing else f"{value:.0%} {name[4:]} audience"
    if name.startswith("gender_"):
        return "no audience gender data" if missing else f"{value:.0%} {name[7:]} audience"
    if missing:
        return {
            "er_30": "no posts in the last 30 days",
            "er_90": "no posts in the last 90 days",
            "er_ct_30": f"no {content_type} posts in the last 30 days",
            "er_ct_90": f"no {content_type} posts in the last 90 days",
            "likes_per_comment": "no comments to compare",
            "days_since_last_post": "no recent posts",
        }.get(name, f"no {name.replace('_', ' ')} data")
    return simple.get(name, lambda v: f"{name.replace('_', ' ')} of {v:.3g}")(value)


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


def contributions(
    bundle: ModelBundle, X: FeatureMatrix, point: np.ndarray, candidates: list[int] | None = None
) -> tuple[np.ndarray, list[int]]:
    """(n × candidates) contribution matrix and the candidates' numeric column indexes."""
    encode, model = bundle.regressor[:-1], bundle.regressor[-1]
    xt = np.asarray(encode.transform(bundle.inputs(X)), dtype=np.float64)
    peer = bundle.peers.feature_values(X.cat)
    offset = len(CATEGORICAL)
    if candidates is None:
        candidates = list(bundle.rationale_columns) or [
            j for j in range(X.num.shape[1]) if j not in bundle.blank_columns
        ]
    out = np.zeros((len(X), len(candidates)))
    for c, j in enumerate(candidates):
        col = xt[:, offset + j].copy()
        xt[:, offset + j] = peer[:, j]
        num = X.num.copy()
        num[:, j] = peer[:, j]
        out[:, c] = point - bundle.blended(X, np.exp(model.predict(xt)), num)
        xt[:, offset + j] = col
    return out, candidates


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
    bundle: ModelBundle, X: FeatureMatrix, point: np.ndarray, low: np.ndarray, high: np.ndarray
) -> list[str]:
    if len(X) == 0:
        return []
    contrib, candidates = contributions(bundle, X, point)
    groups = bundle.peers.groups(X.cat)
    names = X.spec.numeric
    texts: list[str] = []
    for i in range(len(X)):
        key = groups[i]
        peer_er = bundle.peers.target[key]
        content_type = str(X.cat[i, CATEGORICAL.index("content_type")])
        gap = abs(point[i] - peer_er)
        order = np.argsort(-np.abs(contrib[i]))[:TOP_K]
        threshold = max(MIN_ABSOLUTE, MIN_SHARE_OF_GAP * gap)
        ups, downs = [], []
        for c in order:
            value = contrib[i, c]
            if abs(value) < threshold:
                continue
            j = candidates[c]
            desc = _describe(names[j], float(X.num[i, j]), content_type, float(X.followers[i]))
            (ups if value > 0 else downs).append(desc)
        head = f"{peer_phrase(key)} have a median ER of {_pct(peer_er)}; "
        tail = f"{_pct(point[i])} per {content_type} post (80% range {_pct(low[i])}–{_pct(high[i])})"
        if ups and downs:
            verb_up = "raises" if len(ups) == 1 else "raise"
            verb_down = "lowers" if len(downs) == 1 else "lower"
            body = f"this creator's {_join(ups)} {verb_up} it and {_join(downs)} {verb_down} it, to {tail}."
        elif ups:
            body = f"this creator's {_join(ups)} {'raises' if len(ups) == 1 else 'raise'} it to {tail}."
        elif downs:
            body = f"this creator's {_join(downs)} {'lowers' if len(downs) == 1 else 'lower'} it to {tail}."
        else:
            body = f"this creator is close to them: {tail}."
        texts.append(head + body)
    return texts


def snapshot_text(
    as_of: object, source: str, snapshot_er: float, content_type: str, point: float, low: float, high: float
) -> str:
    """The rationale of a creator scored from an imported snapshot (predictfluence_ml.snapshots)."""
    return (
        f"Based on the imported snapshot of {as_of} (source: {source}): ER {snapshot_er * 100:.2f} %, no post "
        f"history; {_pct(point)} per {content_type} post (80% range {_pct(low)}–{_pct(high)}, wider than for "
        "creators with post history)."
    )
