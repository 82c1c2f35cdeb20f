"""Posts (organic and sponsored) and each post's expected lifetime engagement, views and reach."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.accounts import Accounts
from predictfluence_tools.demo.campaigns import Campaign, Hire

PREFIX = {"instagram": "ig", "tiktok": "tt", "youtube": "yt", "twitter": "tw", "twitch": "tv"}
VIDEO = np.array([t in P.VIDEO_TYPES for t in P.CONTENT_TYPES])
TRACKED = np.array([P.TRACKED_DAYS[t] for t in P.CONTENT_TYPES])


@dataclass
class Posts:
    account: np.ndarray
    day: np.ndarray  # day offset of posting (0 = window's first day)
    second: np.ndarray  # second of the day (UTC)
    content: np.ndarray  # index into P.CONTENT_TYPES
    sponsored: np.ndarray  # bool
    hire: np.ndarray  # index into hires, -1 for none
    post_id: np.ndarray  # str (object)
    expected_engagement: np.ndarray  # organic lifetime engagements (likes+comments+shares+saves)
    expected_views: np.ndarray  # 0 for non-video types
    expected_reach: np.ndarray
    tracked_days: np.ndarray  # daily metric rows of the post (truncated at the window's end)

    def __len__(self) -> int:
        return len(self.account)


def expected_er(
    accounts: Accounts, account: np.ndarray, content: np.ndarray, sponsored: np.ndarray
) -> np.ndarray:
    """The structural ER of a post before noise (lifetime engagements / organic followers)."""
    followers = accounts.organic_followers[account].astype(float)
    er = P.ER_BASE * (followers / P.ER_FOLLOWER_REF) ** P.FOLLOWER_ELASTICITY
    er *= np.array([P.PLATFORM_ER[p] for p in P.PLATFORMS])[accounts.platform[account]]
    er *= np.array([P.CONTENT_ER[t] for t in P.CONTENT_TYPES])[content]
    er *= np.array([P.CATEGORY_ER[c] for c in P.CATEGORIES])[accounts.category[account]]
    er *= np.exp(P.FIT_BETA * (accounts.fit[account] - P.FIT_REF))
    er *= accounts.quality[account]
    return er * np.where(sponsored, P.SPONSORED_ER, 1.0)


def _organic(rng: np.random.Generator, accounts: Accounts, days: int) -> tuple[np.ndarray, np.ndarray]:
    counts = rng.poisson(accounts.posts_per_day * (days - 1))
    account = np.repeat(np.arange(len(accounts)), counts)
    day = rng.integers(0, days - 1, len(account))
    return account, day


def _sponsored(
    rng: np.random.Generator, campaigns: list[Campaign], hires: list[Hire], days: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    account: list[int] = []
    day: list[int] = []
    hire_index: list[int] = []
    for h, hire in enumerate(hires):
        if hire.status not in ("live", "completed"):
            continue
        c = campaigns[hire.campaign]
        lo, hi = max(c.start_day, 0), min(c.end_day, days - 2)
        if lo > hi:
            continue
        for d in rng.integers(lo, hi + 1, hire.posts).tolist():
            account.append(hire.account)
            day.append(d)
            hire_index.append(h)
    return (
        np.array(account, dtype=np.int64),
        np.array(day, dtype=np.int64),
        np.array(hire_index, dtype=np.int64),
    )


def make_posts(
    rng: np.random.Generator, accounts: Accounts, campaigns: list[Campaign], hires: list[Hire], days: int
) -> Posts:
    org_account, org_day = _organic(rng, accounts, days)
    sp_account, sp_day, sp_hire = _sponsored(rng, campaigns, hires, days)
    account = np.concatenate([org_account, sp_account])
    day = np.concatenate([org_day, sp_day])
    hire = np.concatenate([np.full(len(org_account), -1), sp_hire])
    n = len(account)
    sponsored = (hire >= 0) | (rng.random(n) < 0.03)  # some brand deals are not tracked as campaigns
    hour = np.floor(rng.normal(17.0, 4.0, n)) % 24
    second = (hour * 3600 + rng.integers(0, 3600, n)).astype(np.int64)
    u = rng.random(n)
    content = (u[:, None] > accounts.content_cdf[account]).sum(axis=1)
    content = np.minimum(content, len(P.CONTENT_TYPES) - 1)

    order = np.lexsort((account, second, day))
    account, day, second, content, sponsored, hire = (
        a[order] for a in (account, day, second, content, sponsored, hire)
    )
    noise = rng.lognormal(-(P.POST_NOISE_SIGMA**2) / 2, P.POST_NOISE_SIGMA, n)
    er = np.minimum(expected_er(accounts, account, content, sponsored) * noise, P.ER_CAP)
    organic_followers = accounts.organic_followers[account].astype(float)
    engagement = er * organic_followers
    platform = accounts.platform[account]
    spread = np.sqrt(accounts.quality[account] * noise)
    views_rate = np.array([P.VIEW_RATE[p] for p in P.PLATFORMS])[platform]
    views = np.where(VIDEO[content], organic_followers * views_rate * spread, 0.0)
    reach_rate = np.array([P.REACH_RATE[p] for p in P.PLATFORMS])[platform]
    reach = np.maximum(organic_followers * reach_rate * spread, 1.2 * engagement)
    tracked = np.minimum(TRACKED[content], days - day)
    post_id = _post_ids(platform)
    return Posts(account, day, second, content, sponsored, hire, post_id, engagement, views, reach, tracked)


def _post_ids(platform: np.ndarray) -> np.ndarray:
    ids = np.empty(len(platform), dtype=object)
    for p, name in enumerate(P.PLATFORMS):
        where = np.flatnonzero(platform == p)
        ids[where] = [f"{PREFIX[name]}{i:09d}" for i in range(1, len(where) + 1)]
    return ids
