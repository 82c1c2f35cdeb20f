"""Daily post metrics, generated in chunks of posts (memory stays bounded).

Each row holds the day's *increments*: a post's lifetime engagement E spreads over its tracked days with
weights r^k (k = days since posting) normalised over the tracked days, and each count is Poisson around
its share. A post's ER = sum over its rows of (likes + comments + shares + saves) / followers.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.accounts import Accounts
from predictfluence_tools.demo.posts import TRACKED, VIDEO, Posts

MAX_TRACKED = int(TRACKED.max())


def _weights() -> np.ndarray:
    """(content type, day since posting) -> share of the lifetime engagement arriving that day."""
    w = np.zeros((len(P.CONTENT_TYPES), MAX_TRACKED))
    for t, name in enumerate(P.CONTENT_TYPES):
        k = np.arange(P.TRACKED_DAYS[name])
        curve = P.DAILY_RETENTION[name] ** k
        w[t, : len(k)] = curve / curve.sum()
    return w


WEIGHTS = _weights()


def _split(content_carousel: np.ndarray, platform: np.ndarray) -> np.ndarray:
    split = np.array([P.ENGAGEMENT_SPLIT[p] for p in P.PLATFORMS])[platform]
    split[content_carousel, 3] *= P.CAROUSEL_SAVES_BOOST
    return split / split.sum(axis=1, keepdims=True)


def metric_chunks(
    seed: int,
    accounts: Accounts,
    posts: Posts,
    platform_names: np.ndarray,
    dates: np.ndarray,
    chunk_posts: int,
) -> Iterator[list[tuple]]:
    """Yield lists of CSV rows (platform, post_id, date, likes, comments, shares, saves, views, reach,
    impressions), one list per chunk of posts, in post order then date order."""
    carousel = P.CONTENT_TYPES.index("carousel")
    freq_by_platform = np.array([P.IMPRESSION_FREQUENCY[p] for p in P.PLATFORMS])
    for c, lo in enumerate(range(0, len(posts), chunk_posts)):
        rng = np.random.default_rng(np.random.SeedSequence([seed, 4, c]))
        hi = min(lo + chunk_posts, len(posts))
        account = posts.account[lo:hi]
        content = posts.content[lo:hi]
        platform = accounts.platform[account]
        tracked = posts.tracked_days[lo:hi]
        idx = np.repeat(np.arange(hi - lo), tracked)
        starts = np.cumsum(tracked) - tracked
        k = np.arange(len(idx)) - np.repeat(starts, tracked)
        w = WEIGHTS[content[idx], k]

        engagement = posts.expected_engagement[lo:hi][idx] * w
        split = _split(content == carousel, platform)[idx]
        counts = rng.poisson(engagement[:, None] * split)  # likes, comments, shares, saves
        boost = accounts.likes_boost[account][idx]
        if boost.any():
            single = tracked[idx] == 1
            burst = np.where(k == 0, np.where(single, 1.0, 0.7), np.where(k == 1, 0.3, 0.0))
            lifetime_likes = posts.expected_engagement[lo:hi][idx] * split[:, 0]
            counts[:, 0] += rng.poisson(boost * lifetime_likes * burst)
        video = VIDEO[content][idx]
        views = rng.poisson(posts.expected_views[lo:hi][idx] * w)
        reach = rng.poisson(posts.expected_reach[lo:hi][idx] * w)
        if boost.any():  # bought likes come from accounts the post never reached
            organic_likes = rng.binomial(counts[:, 0], 1.0 / (1.0 + boost))
            reach = np.maximum(reach, organic_likes + counts[:, 1])
        else:
            reach = np.maximum(reach, counts[:, 0] + counts[:, 1])
        freq = freq_by_platform[platform][idx]
        impressions = reach + rng.poisson(reach * (freq - 1.0))

        views_col = views.astype(object)
        views_col[~video] = ""
        yield list(
            zip(
                platform_names[platform][idx].tolist(),
                posts.post_id[lo:hi][idx].tolist(),
                dates[posts.day[lo:hi][idx] + k].tolist(),
                *(counts[:, j].tolist() for j in range(4)),
                views_col.tolist(),
                reach.tolist(),
                impressions.tolist(),
                strict=True,
            )
        )
