"""Influencer accounts: platform, category, country, followers, quality, posting frequency, audience."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.names import handles_and_names

SHARE_UNITS = 10_000  # shares are written with 4 decimals: integer units of 1/10000 sum exactly to 1


@dataclass
class Accounts:
    platform: np.ndarray  # int index into P.PLATFORMS
    category: np.ndarray  # int index into P.CATEGORIES
    country: np.ndarray  # int index into P.COUNTRIES
    language: np.ndarray  # str
    handle: np.ndarray  # str (object)
    name: np.ndarray  # str (object)
    followers: np.ndarray  # reported followers (int64)
    organic_followers: np.ndarray  # followers that really see and engage (== followers unless bought)
    quality: np.ndarray  # persistent ER multiplier
    posts_per_day: np.ndarray
    content_cdf: np.ndarray  # (n, len(CONTENT_TYPES)) cumulative content-type preference
    age_units: np.ndarray  # (n, len(AGE_GROUPS)) audience age shares in 1/10000
    gender_units: np.ndarray  # (n, len(GENDERS))
    country_index: np.ndarray  # (n, 1 + OTHER_COUNTRY_BUCKETS) home country then others (P.COUNTRIES)
    country_units: np.ndarray  # (n, 2 + OTHER_COUNTRY_BUCKETS) shares of those, then P.OTHER_BUCKET
    fit: np.ndarray  # audience share of the category's target age group
    suspicious: np.ndarray  # bool
    likes_boost: np.ndarray  # bought likes multiplier (0 for organic accounts)
    follower_jump: np.ndarray  # reported / organic followers (1 for organic accounts)

    def __len__(self) -> int:
        return len(self.platform)


def _choice(rng: np.random.Generator, n: int, weights: tuple[float, ...]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _stratified_followers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Truncated Pareto with stratified uniforms: tier proportions hold even for a few hundred accounts."""
    u = (rng.permutation(n) + rng.random(n)) / n
    u_min = (P.MAX_FOLLOWERS / P.MIN_FOLLOWERS) ** (-P.FOLLOWER_ALPHA)
    u = u_min + (1 - u_min) * u  # maps to followers in [MIN, MAX]
    return np.floor(P.MIN_FOLLOWERS * u ** (-1 / P.FOLLOWER_ALPHA)).astype(np.int64)


def round_shares(shares: np.ndarray) -> np.ndarray:
    """Rows of fractions -> integer units of 1/SHARE_UNITS summing exactly to SHARE_UNITS (largest remainder)."""
    scaled = shares / shares.sum(axis=1, keepdims=True) * SHARE_UNITS
    units = np.floor(scaled).astype(np.int64)
    missing = SHARE_UNITS - units.sum(axis=1)
    order = np.argsort(-(scaled - units), axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(shares.shape[1])[None, :].repeat(len(shares), 0), axis=1)
    units += ranks < missing[:, None]
    return units


def _content_cdf(rng: np.random.Generator, platform: np.ndarray) -> np.ndarray:
    mix = np.array([[P.CONTENT_MIX[p].get(t, 0.0) for t in P.CONTENT_TYPES] for p in P.PLATFORMS])
    alpha = mix[platform] * P.CONTENT_CONCENTRATION
    pref = rng.gamma(np.where(alpha > 0, alpha, 1.0)) * (alpha > 0)
    pref = np.maximum(pref, 1e-12 * (alpha > 0))
    cdf = np.cumsum(pref / pref.sum(axis=1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    return cdf


def _audience(
    rng: np.random.Generator, platform: np.ndarray, category: np.ndarray, country: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(platform)
    age_base = np.array([P.PLATFORM_AGE[p] for p in P.PLATFORMS])[platform]
    age_base = age_base * np.array([P.CATEGORY_AGE_TILT[c] for c in P.CATEGORIES])[category]
    age_base /= age_base.sum(axis=1, keepdims=True)
    age_units = round_shares(rng.gamma(age_base * P.AGE_CONCENTRATION) + 1e-9)

    female = np.array([P.CATEGORY_FEMALE[c] for c in P.CATEGORIES])[category]
    female = np.clip(female + rng.normal(0, 0.08, n), 0.03, 0.97)
    other = np.clip(P.OTHER_GENDER * rng.lognormal(0, 0.4, n), 0.002, 0.08)
    gender = np.stack([female * (1 - other), (1 - female) * (1 - other), other], axis=1)
    gender_units = round_shares(gender)

    # Other countries: weighted sampling without replacement via the Gumbel top-k trick (vectorised).
    keys = np.log(np.array([c[1] for c in P.COUNTRIES]))[None, :] + rng.gumbel(size=(n, len(P.COUNTRIES)))
    keys[np.arange(n), country] = -np.inf
    others = np.argsort(-keys, axis=1, kind="stable")[:, : P.OTHER_COUNTRY_BUCKETS]
    home = rng.beta(*P.HOME_SHARE_BETA, n)
    rest = rng.gamma(np.full((n, P.OTHER_COUNTRY_BUCKETS + 1), 2.0))
    rest = rest / rest.sum(axis=1, keepdims=True) * (1 - home)[:, None]
    country_units = round_shares(np.concatenate([home[:, None], rest], axis=1))
    country_index = np.concatenate([country[:, None], others], axis=1)
    return age_units, gender_units, country_index, country_units


def make_accounts(rng: np.random.Generator, n: int) -> Accounts:
    platform = _choice(rng, n, P.PLATFORM_WEIGHTS)
    category = _choice(rng, n, P.CATEGORY_WEIGHTS)
    twitch = platform == P.PLATFORMS.index("twitch")
    category[twitch & (rng.random(n) < P.TWITCH_GAMING_SHARE)] = P.CATEGORIES.index("gaming")
    country = _choice(rng, n, tuple(c[1] for c in P.COUNTRIES))
    language = np.array([c[2] for c in P.COUNTRIES], dtype=object)[country]
    language[(language != "en") & (rng.random(n) < P.ENGLISH_SWITCH)] = "en"

    organic = _stratified_followers(rng, n)
    quality = rng.lognormal(0.0, P.QUALITY_SIGMA, n)
    base_freq = np.array([P.POSTS_PER_DAY[p] for p in P.PLATFORMS])[platform]
    posts_per_day = np.clip(base_freq * rng.lognormal(0.0, P.FREQ_SIGMA, n), *P.FREQ_CLIP)
    content_cdf = _content_cdf(rng, platform)
    age_units, gender_units, country_index, country_units = _audience(rng, platform, category, country)
    target = np.array([P.AGE_GROUPS.index(P.CATEGORY_TARGET_AGE[c]) for c in P.CATEGORIES])[category]
    fit = age_units[np.arange(n), target] / SHARE_UNITS

    n_sus = max(1, round(P.SUSPICIOUS_SHARE * n)) if n >= 20 else 0
    suspicious = np.zeros(n, dtype=bool)
    suspicious[rng.choice(n, size=n_sus, replace=False)] = True
    likes_boost = np.where(suspicious, rng.uniform(*P.BOUGHT_LIKES_MULTIPLIER, n), 0.0)
    bought_followers = suspicious & (rng.random(n) < P.BOUGHT_FOLLOWERS_SHARE)
    follower_jump = np.where(bought_followers, rng.uniform(*P.FOLLOWER_JUMP, n), 1.0)
    followers = np.minimum(np.round(organic * follower_jump), P.MAX_FOLLOWERS).astype(np.int64)

    handle, name = handles_and_names(rng, n)
    return Accounts(
        platform=platform, category=category, country=country, language=language, handle=handle,
        name=name, followers=followers, organic_followers=organic, quality=quality,
        posts_per_day=posts_per_day, content_cdf=content_cdf, age_units=age_units,
        gender_units=gender_units, country_index=country_index,
        country_units=country_units, fit=fit, suspicious=suspicious,
        likes_boost=likes_boost, follower_jump=follower_jump,
    )  # fmt: skip
