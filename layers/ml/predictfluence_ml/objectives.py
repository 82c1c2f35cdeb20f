"""The ranking objectives of a scored row: expected engagements per post and per dollar, with 80 % intervals.

engagements = predicted ER × followers (the influencer's current followers), its interval er_low ×
followers … er_high × followers. engagements per dollar = engagements / forecast cost per post; its
interval is that of a ratio of two uncertain quantities, so it is sampled, not divided crosswise: ER and
cost are each drawn from a split log-normal that puts the forecast at the median and the interval ends at
the 10th / 90th percentiles (log scale: a normal with one σ below the median and another above), ER and
cost independently, DRAWS draws per row (the same standard-normal draws for every row, so a rescoring
gives the same figures); the interval is the 10th–90th percentile of the sampled ratio, widened to
contain the point if it does not (possible when both distributions are very skewed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DRAWS = 256
CHUNK = 8_192
Z90 = 1.2815515655446004  # standard-normal 90th percentile
SEED = 20_261_129


@dataclass
class Objectives:
    engagements: np.ndarray
    engagements_low: np.ndarray
    engagements_high: np.ndarray
    per_dollar: np.ndarray
    per_dollar_low: np.ndarray
    per_dollar_high: np.ndarray


def _split_sigmas(point: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """log-scale σ below and above the median that put low / high at the 10th / 90th percentiles."""
    log_p = np.log(point)
    below = (log_p - np.log(np.minimum(low, point))) / Z90
    above = (np.log(np.maximum(high, point)) - log_p) / Z90
    return below.astype(np.float32), above.astype(np.float32)


def _draws(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal(DRAWS).astype(np.float32), rng.standard_normal(DRAWS).astype(np.float32)


def ratio_interval(
    num: tuple[np.ndarray, np.ndarray, np.ndarray],
    den: tuple[np.ndarray, np.ndarray, np.ndarray],
    seed: int = SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """10th / 90th percentiles of num / den, each a (point, low, high) split log-normal, independent."""
    n_lo, n_hi = _split_sigmas(*num)
    d_lo, d_hi = _split_sigmas(*den)
    log_mid = (np.log(num[0]) - np.log(den[0])).astype(np.float32)
    z_num, z_den = _draws(seed)
    low = np.empty(log_mid.size)
    high = np.empty(log_mid.size)
    for start in range(0, log_mid.size, CHUNK):
        s = slice(start, start + CHUNK)
        up_n = np.where(z_num > 0, n_hi[s, None], n_lo[s, None]) * z_num
        up_d = np.where(z_den > 0, d_hi[s, None], d_lo[s, None]) * z_den
        q = np.percentile(up_n - up_d, [10.0, 90.0], axis=1)
        low[s] = np.exp(log_mid[s] + q[0])
        high[s] = np.exp(log_mid[s] + q[1])
    return low, high


def objectives(
    er: tuple[np.ndarray, np.ndarray, np.ndarray],
    followers: np.ndarray,
    cost: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> Objectives:
    """Engagements per post and per dollar with their intervals; `er` and `cost` are (point, low, high)."""
    point, low, high = (np.asarray(a, dtype=np.float64) for a in er)
    followers = np.asarray(followers, dtype=np.float64)
    eng = (point * followers, low * followers, high * followers)
    per_dollar = eng[0] / cost[0]
    pd_low, pd_high = ratio_interval(eng, cost)
    return Objectives(
        eng[0], eng[1], eng[2], per_dollar, np.minimum(pd_low, per_dollar), np.maximum(pd_high, per_dollar)
    )
