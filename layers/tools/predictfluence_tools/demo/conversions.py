"""Daily tracking-link / promo-code results per hire, driven by the organic engagement of its sponsored
posts and by the fit between the creator's audience and the campaign (age target, market country)."""

from __future__ import annotations

import numpy as np

from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.accounts import Accounts
from predictfluence_tools.demo.campaigns import Campaign, Hire, market_share
from predictfluence_tools.demo.posts import Posts


def conversion_rows(
    rng: np.random.Generator,
    accounts: Accounts,
    campaigns: list[Campaign],
    hires: list[Hire],
    posts: Posts,
    dates: np.ndarray,
) -> list[tuple]:
    """Rows (campaign, platform, handle, date, clicks, orders, revenue) for hires with sponsored posts."""
    days = len(dates)
    tail = np.arange(P.CONVERSION_TAIL_DAYS)
    curve = P.CLICK_RETENTION**tail
    curve /= curve.sum()
    linked = np.flatnonzero(posts.hire >= 0)
    by_hire: dict[int, list[int]] = {}
    for p in linked.tolist():
        by_hire.setdefault(int(posts.hire[p]), []).append(p)
    rows: list[tuple] = []
    for h in sorted(by_hire):
        hire, post_index = hires[h], by_hire[h]
        campaign = campaigns[hire.campaign]
        a = hire.account
        platform = P.PLATFORMS[accounts.platform[a]]
        first = min(int(posts.day[p]) for p in post_index)
        last = min(max(int(posts.day[p]) for p in post_index) + P.CONVERSION_TAIL_DAYS, days - 1)
        expected = np.zeros(last - first + 1)
        for p in post_index:
            d = int(posts.day[p]) - first
            span = min(len(tail), len(expected) - d)
            expected[d : d + span] += posts.expected_engagement[p] * curve[:span]
        expected *= P.CLICKS_PER_ENGAGEMENT[platform]
        clicks = rng.poisson(expected)
        category = P.CATEGORIES[campaign.category]
        rate = P.CONVERSION_RATE[category] * np.exp(P.FIT_BETA * (accounts.fit[a] - P.FIT_REF))
        rate *= 0.4 + 1.2 * market_share(accounts, a, campaign.market)
        if accounts.category[a] != campaign.category:
            rate *= 0.6
        orders = rng.binomial(clicks, min(rate, 0.5))
        revenue = rng.gamma(np.maximum(orders, 1) * 4.0, P.ORDER_VALUE[category] / 4.0) * (orders > 0)
        handle = accounts.handle[a]
        for j in range(len(expected)):
            rows.append((campaign.name, platform, handle, dates[first + j], int(clicks[j]), int(orders[j]),
                         f"{revenue[j]:.2f}"))  # fmt: skip
    return rows
