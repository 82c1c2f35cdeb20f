"""The peer baseline: medians of the same platform × follower tier × category, learned on training data;
and persistence, the baseline a manager uses by eye (the creator's own last-90-day ER).

It is both the simple model every version must beat (median target ER of the peers) and the reference
point of the rationale (the peers' median value of each feature). Groups too small fall back to
platform × tier, then platform, then everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predictfluence_ml.features import CATEGORICAL

PLATFORM, CATEGORY, TIER = (
    CATEGORICAL.index("platform"),
    CATEGORICAL.index("category"),
    CATEGORICAL.index("follower_tier"),
)
MIN_GROUP = 5
# (name, lowest posts_ct_90, highest): history segments, by posts of this content type in the last 90 days
SEGMENTS: tuple[tuple[str, float, float], ...] = (
    ("none", 0, 0),
    ("lt5", 1, 4),
    ("5to14", 5, 14),
    ("ge15", 15, float("inf")),
)


def persistence(num: np.ndarray, names: tuple[str, ...], fallback: np.ndarray) -> np.ndarray:
    """The creator's last-90-day ER for this content type, else the creator's overall last-90-day ER,
    else *fallback* (the peer median). `num` holds the numeric features named by `names`."""
    own, overall = num[:, names.index("er_ct_90")], num[:, names.index("er_90")]
    return np.where(np.isfinite(own), own, np.where(np.isfinite(overall), overall, fallback))


def segment_of(num: np.ndarray, names: tuple[str, ...]) -> np.ndarray:
    """The SEGMENTS name of each row."""
    posts = np.nan_to_num(num[:, names.index("posts_ct_90")], nan=0.0)
    out = np.empty(posts.size, dtype=object)
    for name, lo, hi in SEGMENTS:
        out[(posts >= lo) & (posts <= hi)] = name
    return out


def _key(row: np.ndarray, level: int) -> tuple[str, ...]:
    if level == 0:
        return (str(row[PLATFORM]), str(row[TIER]), str(row[CATEGORY]))
    if level == 1:
        return (str(row[PLATFORM]), str(row[TIER]))
    if level == 2:
        return (str(row[PLATFORM]),)
    return ()


@dataclass
class PeerBaseline:
    target: dict[tuple[str, ...], float]
    features: dict[tuple[str, ...], np.ndarray]
    sizes: dict[tuple[str, ...], int]

    @classmethod
    def fit(cls, cat: np.ndarray, num: np.ndarray, y: np.ndarray) -> PeerBaseline:
        target: dict[tuple[str, ...], float] = {}
        features: dict[tuple[str, ...], np.ndarray] = {}
        sizes: dict[tuple[str, ...], int] = {}
        for level in range(4):
            groups: dict[tuple[str, ...], list[int]] = {}
            for i, row in enumerate(cat):
                groups.setdefault(_key(row, level), []).append(i)
            for key, rows in groups.items():
                if len(rows) < MIN_GROUP and level < 3:
                    continue
                idx = np.array(rows)
                target[key] = float(np.median(y[idx]))
                with np.errstate(all="ignore"):
                    cols = num[idx]
                    med = np.array(
                        [np.median(c[~np.isnan(c)]) if (~np.isnan(c)).any() else np.nan for c in cols.T]
                    )
                features[key] = med
                sizes[key] = len(rows)
        return cls(target, features, sizes)

    def group(self, row: np.ndarray) -> tuple[str, ...]:
        """The most specific group with enough members for this row."""
        for level in range(4):
            key = _key(row, level)
            if key in self.target:
                return key
        return ()

    def groups(self, cat: np.ndarray) -> list[tuple[str, ...]]:
        """`group` of every row (by column: the three keys' strings zipped, one look-up per distinct key)."""
        cache: dict[tuple[str, str, str], tuple[str, ...]] = {}
        keys = list(zip(*(map(str, cat[:, j].tolist()) for j in (PLATFORM, TIER, CATEGORY)), strict=True))
        for k in set(keys):
            cache[k] = next((key for key in (k, k[:2], k[:1]) if key in self.target), ())
        return [cache[k] for k in keys]

    def predict(self, cat: np.ndarray) -> np.ndarray:
        return np.array([self.target[g] for g in self.groups(cat)], dtype=np.float64)

    def feature_values(self, cat: np.ndarray) -> np.ndarray:
        return np.vstack([self.features[g] for g in self.groups(cat)]) if len(cat) else np.empty((0, 0))
