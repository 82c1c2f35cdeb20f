"""Audience-quality flags: engagement against tier × platform peers.

Per influencer, robust z-scores (median / MAD within platform × follower tier; a tier with fewer than
MIN_PEERS values is measured against its platform, then everyone) of log ER (last 90 days),
log likes per comment and follower growth (when snapshots exist) feed an IsolationForest. The anomaly
score is the forest's (0 normal … 1 isolated; ~0.5 is typical). It is fitted on the population being
scored, so peers are always the current ones.

The reasons (an influencer is *flagged* when it has any) name bought engagement, in plain words. A flag
needs a primary signal: likes per comment beyond +3 robust z AND at least `LPC_RATIO`× the peers' median
(bought likes come without comments), or follower growth beyond +3 (bought followers, when snapshots
exist). ER far above or below the peers (±3) is added as a further reason only to a flag: on its own it
is a genuinely strong or weak creator, and ranking handles that. Measured against the demo generator's
ground truth in bench/flag.py (docs/ml.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import IsolationForest

from predictfluence_ml.features import CATEGORICAL, INFLUENCER_NUMERIC, FeatureMatrix

Z_LIMIT = 3.0
LPC_RATIO = 3.0  # bought likes: U(3, 8)× the organic likes on top of them; genuine creators stay below 3×
SIGNALS = ("er_90", "likes_per_comment", "follower_growth_90")
MIN_PEERS = 5  # values a peer group needs for a median and a MAD; smaller groups use a wider one


@dataclass
class AnomalyResult:
    ids: np.ndarray
    score: np.ndarray
    reasons: list[list[str]]


def _robust_z(
    values: np.ndarray, levels: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, peers' median, peer level) per row: against the first grouping in `levels` (platform × tier)
    whose group has at least MIN_PEERS values and a spread, else the next (platform, then everyone).
    Before issue 11's small-world fix a smaller group gave no z at all, so in a small world an account in
    a 3-member tier (TikTok mega at 600 influencers) could never be flagged, bought likes or not."""
    z = np.full(values.shape, np.nan)
    med = np.full(values.shape, np.nan)
    level = np.full(values.shape, -1)
    for depth, groups in enumerate(levels):
        todo = np.isnan(z) & ~np.isnan(values)
        for g in np.unique(groups[todo]):
            peers = (groups == g) & ~np.isnan(values)
            if peers.sum() < MIN_PEERS:
                continue
            m = np.median(values[peers])
            mad = 1.4826 * np.median(np.abs(values[peers] - m))
            if mad <= 1e-12:
                continue
            sel = todo & (groups == g)
            z[sel] = (values[sel] - m) / mad
            med[sel] = m
            level[sel] = depth
    return z, med, level


def _fmt_peers(platform: str, tier: str, level: int = 0) -> str:
    from predictfluence_ml.rationale import platform_name

    if level == 1:
        return f"{platform_name(platform)} peers of every tier"
    if level >= 2:
        return "all creators"
    return f"{platform_name(platform)} {tier} peers"


def flag(matrix: FeatureMatrix, seed: int = 0) -> AnomalyResult:
    ids, first = np.unique(matrix.ids, return_index=True)
    if ids.size == 0:
        return AnomalyResult(ids, np.empty(0), [])
    cat = matrix.cat[first]
    num = matrix.num[first]
    platform = cat[:, CATEGORICAL.index("platform")].astype(str)
    tier = cat[:, CATEGORICAL.index("follower_tier")].astype(str)
    groups = np.char.add(np.char.add(platform, "|"), tier)
    raw = {s: num[:, INFLUENCER_NUMERIC.index(s)] for s in SIGNALS}
    with np.errstate(divide="ignore", invalid="ignore"):
        transformed = {
            "er_90": np.log(np.where(raw["er_90"] > 0, raw["er_90"], np.nan)),
            "likes_per_comment": np.log(np.where(raw["likes_per_comment"] > 0, raw["likes_per_comment"], np.nan)),
            "follower_growth_90": raw["follower_growth_90"],
        }
    zs, meds, level = {}, {}, {}
    everyone = np.zeros(ids.size, dtype=np.int64)
    for s in SIGNALS:
        zs[s], meds[s], level[s] = _robust_z(transformed[s], (groups, platform, everyone))
    z = np.column_stack([zs[s] for s in SIGNALS])
    z_filled = np.nan_to_num(z, nan=0.0)
    if ids.size >= 20:
        forest = IsolationForest(n_estimators=100, random_state=seed, n_jobs=1).fit(z_filled)
        score = -forest.score_samples(z_filled)
    else:
        score = np.full(ids.size, np.nan)
    reasons = [
        _reasons(i, raw, zs, meds, {s: _fmt_peers(platform[i], tier[i], level[s][i]) for s in SIGNALS})
        for i in range(ids.size)
    ]
    return AnomalyResult(ids, score, reasons)


def _reasons(i: int, raw: dict, zs: dict, meds: dict, peers: dict[str, str]) -> list[str]:
    """Plain-words reasons for influencer row i: empty unless a primary (bought-engagement) signal fires."""
    found: list[str] = []
    zl = zs["likes_per_comment"][i]
    if not np.isnan(zl) and zl > Z_LIMIT:
        peer_lpc = float(np.exp(meds["likes_per_comment"][i]))
        if raw["likes_per_comment"][i] >= LPC_RATIO * peer_lpc:
            found.append(
                f"{raw['likes_per_comment'][i]:.0f} likes per comment vs {peer_lpc:.0f} for {peers['likes_per_comment']}: "
                "likes without conversation"
            )
    zg = zs["follower_growth_90"][i]
    if not np.isnan(zg) and zg > Z_LIMIT:
        found.append(
            f"followers grew {raw['follower_growth_90'][i]:.0%} in 90 days vs "
            f"{meds['follower_growth_90'][i]:.0%} for {peers['follower_growth_90']}"
        )
    ze = zs["er_90"][i]
    if found and not np.isnan(ze) and abs(ze) > Z_LIMIT:
        peer_er = float(np.exp(meds["er_90"][i]))
        direction = "above" if ze > 0 else "below"
        found.insert(0,
            f"last-90-day ER of {raw['er_90'][i]:.1%} is {raw['er_90'][i] / peer_er:.1f}× the median of {peers['er_90']} "
            f"({peer_er:.1%}), far {direction} them"
        )
    return found
