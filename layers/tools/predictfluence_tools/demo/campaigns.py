"""Campaigns (brand, objective, dates, budget) and hires (who, agreed cost, how many sponsored posts)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.accounts import SHARE_UNITS, Accounts

THEMES = ("Spring Launch", "Summer Drop", "Back to School", "Holiday Push", "New Year", "Brand Love",
          "Always On", "Creator Week", "Flash Sale", "Product Reveal")  # fmt: skip


@dataclass
class Campaign:
    name: str
    brand: str
    objective: str
    status: str
    category: int
    market: int  # index into P.COUNTRIES: the country whose audience converts best
    platforms: tuple[int, ...]
    start_day: int  # day offsets from the window's first day (may be outside the window)
    end_day: int
    budget: float


@dataclass
class Hire:
    campaign: int  # index into the campaigns list
    account: int
    status: str
    cost: float
    posts: int  # sponsored deliverables (posted only for live / completed hires)
    hired_day: int
    hired_second: int  # second of the day


def _status(rng: np.random.Generator, start: int, end: int, last_day: int) -> str:
    if end < last_day:
        # archiving is a manager's later action (the API archives a campaign with hires); an archived
        # campaign takes no new hires, so a generated history holds completed campaigns only
        rng.random()  # the draw that used to pick "archived" 10 % of the time: the other values stay as they were
        return "completed"
    if start > last_day:
        return "draft"
    return "active" if rng.random() < 0.85 else "paused"


def _hire_status(rng: np.random.Generator, campaign_status: str) -> str:
    u = rng.random()
    if campaign_status in ("completed", "archived"):
        return "completed" if u < 0.92 else "cancelled"
    if campaign_status == "active":
        return "live" if u < 0.7 else "contracted"
    if campaign_status == "paused":
        return "contracted" if u < 0.8 else "cancelled"
    return "proposed"


def post_cost(accounts: Accounts, rng: np.random.Generator, index: np.ndarray) -> np.ndarray:
    """Agreed cost of one sponsored post: grows with (reported) followers, per platform."""
    rate = np.array([P.COST_PER_1K[p] for p in P.PLATFORMS])[accounts.platform[index]]
    raw = (
        rate
        * (accounts.followers[index] / 1000) ** P.COST_EXPONENT
        * rng.lognormal(0, P.COST_SIGMA, len(index))
    )
    return np.maximum(raw, P.MIN_COST)


def make_campaigns(
    rng: np.random.Generator, accounts: Accounts, count: int, days: int, year: int
) -> tuple[list[Campaign], list[Hire]]:
    campaigns: list[Campaign] = []
    hires: list[Hire] = []
    last_day = days - 1
    cat_weights = np.asarray(P.CATEGORY_WEIGHTS) / sum(P.CATEGORY_WEIGHTS)
    country_weights = np.array([c[1] for c in P.COUNTRIES])
    size_pref = accounts.followers.astype(float) ** -0.3 * (accounts.fit + 0.05)
    for c in range(count):
        category = int(rng.choice(len(P.CATEGORIES), p=cat_weights))
        brands = P.BRANDS[P.CATEGORIES[category]]
        brand = brands[int(rng.integers(len(brands)))]
        objective = P.OBJECTIVES[int(rng.integers(len(P.OBJECTIVES)))]
        n_platforms = int(rng.integers(1, 4))
        platforms = tuple(sorted(int(p) for p in rng.choice(len(P.PLATFORMS), n_platforms, replace=False)))
        start = int(rng.integers(-10, days + 10))
        end = start + int(rng.integers(*P.CAMPAIGN_DAYS))
        status = _status(rng, start, end, last_day)
        name = f"{brand} {THEMES[int(rng.integers(len(THEMES)))]} {year} #{c + 1:03d}"
        market = int(rng.choice(len(P.COUNTRIES), p=country_weights / country_weights.sum()))

        eligible = np.isin(accounts.platform, platforms)
        same = eligible & (accounts.category == category)
        pool = np.flatnonzero(same) if same.sum() >= P.HIRES_PER_CAMPAIGN[0] else np.flatnonzero(eligible)
        k = min(len(pool), int(rng.integers(P.HIRES_PER_CAMPAIGN[0], P.HIRES_PER_CAMPAIGN[1] + 1)))
        chosen = (
            np.sort(rng.choice(pool, size=k, replace=False, p=size_pref[pool] / size_pref[pool].sum()))
            if k
            else pool[:0]
        )
        n_posts = rng.integers(P.POSTS_PER_HIRE[0], P.POSTS_PER_HIRE[1] + 1, len(chosen))
        costs = np.round(post_cost(accounts, rng, chosen) * n_posts, 2)
        total = float(costs.sum())
        if rng.random() < P.OVER_BUDGET_SHARE:
            budget = np.floor(total / rng.uniform(1.0, 1.15) / 100) * 100
        else:
            budget = np.ceil(total * rng.uniform(1.0, 1.35) / 100) * 100
        campaigns.append(Campaign(name, brand, objective, status, category, market, platforms, start, end,
                                  float(max(budget, 100.0))))  # fmt: skip
        for a, cost, posts in zip(chosen.tolist(), costs.tolist(), n_posts.tolist(), strict=True):
            hired = min(start - int(rng.integers(2, 22)), last_day - 1 - int(rng.integers(0, 5)))
            hires.append(
                Hire(c, a, _hire_status(rng, status), cost, posts, hired, int(rng.integers(0, 86400)))
            )
    return campaigns, hires


def market_share(accounts: Accounts, account: int, market: int) -> float:
    """The share of an account's audience living in the campaign's market country."""
    hits = np.flatnonzero(accounts.country_index[account] == market)
    return float(accounts.country_units[account, hits[0]]) / SHARE_UNITS if len(hits) else 0.0
