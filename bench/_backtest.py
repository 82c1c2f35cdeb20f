"""What a selection of influencers would have realized after a cutoff, and the simple strategies a
planner must beat (bench/planner.py).

Realized engagement, from the full world's CSVs (the scratch database only ever saw the data before the
cutoff): for an influencer × content type, the mean *genuine* engagements per post over its posts posted
in [cutoff, cutoff + horizon), each post counted over all its tracked days. Genuine: likes + comments +
shares + saves, except that an account the truth lists as suspicious gets its likes divided by
(1 + likes_multiplier) — the generator adds Poisson(multiplier × the post's expected organic likes) bought
likes (demo/metrics.py), so this removes them in expectation. An influencer without a post of that type
in the horizon: its genuine engagements per post over all its posts in the horizon (= its realized ER
over all types × followers); without any post in the horizon: over all its posts in the world (counted,
reported as `fallback_*`).

Realized cost: one draw of the generator's own cost process (demo/campaigns.py `post_cost`) per account,
from a fixed seed, on the world's regenerated accounts: the price a hire after the cutoff would have agreed.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _demo_world import read_csv

Key = tuple[str, str]  # (platform, handle), lower case


@dataclass(frozen=True)
class Candidate:
    """One row the planner sees: an influencer × content type with the forecasts of influencer_score."""

    influencer_id: int
    key: Key
    content_type: str
    followers: int
    predicted_er: float
    cost: float  # forecast cost per post (influencer_score.cost_per_post)


@dataclass(frozen=True)
class Pick:
    influencer_id: int
    content_type: str
    posts: int = 1


@dataclass
class Realized:
    per_post: dict[tuple[Key, str], float]  # genuine engagements per post after the cutoff, per content type
    any_type: dict[Key, float]  # … over all types in the horizon
    whole_world: dict[Key, float]  # … over all the world's posts (last resort)
    price: dict[Key, float]  # realized price per post (the generator's cost process)
    fallbacks: dict[str, int] = field(default_factory=lambda: {"any_type": 0, "whole_world": 0, "none": 0})

    def engagement(self, key: Key, content_type: str, count: bool = True) -> float:
        """Genuine engagements per post (the fallbacks counted when `count`)."""
        for source, table, k in (("", self.per_post, (key, content_type)), ("any_type", self.any_type, key),
                                 ("whole_world", self.whole_world, key)):  # fmt: skip
            if k in table:
                if source and count:
                    self.fallbacks[source] += 1
                return table[k]
        self.fallbacks["none"] += count
        return 0.0


def _post_engagement(csv_dir: Path, suspicious: dict[Key, float]) -> dict[Key, float]:
    """(platform, post_id) → genuine lifetime engagements of the post (all its daily rows)."""
    handle_of = {
        (r["platform"].lower(), r["post_id"]): r["handle"].lower() for r in read_csv(csv_dir / "posts.csv")
    }
    total: dict[Key, float] = defaultdict(float)
    for r in read_csv(csv_dir / "post_metrics.csv"):
        post = (r["platform"].lower(), r["post_id"])
        boost = suspicious.get((post[0], handle_of.get(post, "")), 0.0)
        likes = float(r["likes"] or 0) / (1.0 + boost)
        total[post] += likes + sum(float(r[c] or 0) for c in ("comments", "shares", "saves"))
    return total


def realize(csv_dir: Path, cutoff: dt.date, horizon_days: int, suspicious: dict[Key, float], seed: int,
            influencers: int) -> Realized:  # fmt: skip
    """Realized genuine engagements per post and realized prices, from the full world in `csv_dir`."""
    engagement = _post_engagement(csv_dir, suspicious)
    start, end = cutoff.isoformat(), (cutoff + dt.timedelta(days=horizon_days)).isoformat()
    by_type: dict[tuple[Key, str], list[float]] = defaultdict(list)
    by_key: dict[Key, list[float]] = defaultdict(list)
    world: dict[Key, list[float]] = defaultdict(list)
    for r in read_csv(csv_dir / "posts.csv"):
        key = (r["platform"].lower(), r["handle"].lower())
        value = engagement.get((key[0], r["post_id"]), 0.0)
        world[key].append(value)
        if start <= r["posted_at"][:10] < end:
            by_type[key, r["content_type"].lower()].append(value)
            by_key[key].append(value)
    mean = statistics.fmean
    return Realized({k: mean(v) for k, v in by_type.items()}, {k: mean(v) for k, v in by_key.items()},
                    {k: mean(v) for k, v in world.items()}, realized_prices(seed, influencers))  # fmt: skip


def realized_prices(seed: int, influencers: int) -> dict[Key, float]:
    """One price per post per account from the generator's cost process, on the regenerated accounts."""
    import numpy as np

    from predictfluence_tools.demo import params as P
    from predictfluence_tools.demo.accounts import make_accounts
    from predictfluence_tools.demo.campaigns import post_cost
    from predictfluence_tools.demo.generator import _seed

    accounts = make_accounts(_seed(seed, 1), influencers)  # the generator's stage-1 accounts, same seed
    price = post_cost(accounts, np.random.default_rng([seed, 2026]), np.arange(len(accounts)))
    names = [P.PLATFORMS[p] for p in accounts.platform.tolist()]
    return {(n.lower(), h.lower()): float(c) for n, h, c in zip(names, accounts.handle.tolist(), price.tolist(),
                                                                 strict=True)}  # fmt: skip


def history(
    csv_cut: Path, cutoff: dt.date, days: int = 90
) -> tuple[dict[tuple[Key, str], float], dict[Key, str]]:
    """What a manager sees before the cutoff, from the loaded (cut) CSVs: each influencer × content type's
    mean observed ER per post over the `days` before the cutoff (engagements / followers; bought likes
    included — the manager cannot tell), and each influencer's most-posted content type in that window."""
    followers = {(r["platform"].lower(), r["handle"].lower()): max(1.0, float(r["followers"] or 1))
                 for r in read_csv(csv_cut / "influencers.csv")}  # fmt: skip
    since = (cutoff - dt.timedelta(days=days)).isoformat()
    posts = {}
    for r in read_csv(csv_cut / "posts.csv"):
        if r["posted_at"][:10] >= since:
            posts[r["platform"].lower(), r["post_id"]] = ((r["platform"].lower(), r["handle"].lower()),
                                                          r["content_type"].lower())  # fmt: skip
    total: dict[Key, float] = defaultdict(float)
    for r in read_csv(csv_cut / "post_metrics.csv"):
        post = (r["platform"].lower(), r["post_id"])
        if post in posts:
            total[post] += sum(float(r[c] or 0) for c in ("likes", "comments", "shares", "saves"))
    er: dict[tuple[Key, str], list[float]] = defaultdict(list)
    count: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for post, (key, content_type) in posts.items():
        er[key, content_type].append(total.get(post, 0.0) / followers.get(key, 1.0))
        count[key][content_type] += 1
    main = {key: max(types, key=lambda t: (types[t], t)) for key, types in count.items()}
    return {k: statistics.fmean(v) for k, v in er.items()}, main


def greedy_fill(rows: Iterable[Candidate], budget: float) -> list[Pick]:
    """Walk `rows` in order, one post of each influencer's first row that still fits the budget (forecast
    cost per post)."""
    picks: list[Pick] = []
    used: set[int] = set()
    left = budget
    for c in rows:
        if c.influencer_id in used or c.cost > left:
            continue
        picks.append(Pick(c.influencer_id, c.content_type))
        used.add(c.influencer_id)
        left -= c.cost
    return picks


def baseline_orders(candidates: Sequence[Candidate], hist: dict[tuple[Key, str], float], main: dict[Key, str],
                    random_seeds: int) -> dict[str, list[list[Candidate]]]:  # fmt: skip
    """Each strategy's order(s) of the candidate rows: top predicted ER (rows), top historical ER of the
    row's content type over the 90 days before the cutoff (else its overall), top followers and random
    (one row per influencer: its most-posted content type if a candidate, else its best predicted row)."""
    overall: dict[Key, list[float]] = defaultdict(list)
    for (key, _t), value in hist.items():
        overall[key].append(value)
    hist_of = lambda c: hist.get((c.key, c.content_type), max(overall.get(c.key, [-1.0])))  # noqa: E731
    own: dict[int, Candidate] = {}
    for c in sorted(candidates, key=lambda c: (-c.predicted_er, c.influencer_id)):
        own.setdefault(c.influencer_id, c)
    for c in candidates:
        if main.get(c.key) == c.content_type:
            own[c.influencer_id] = c
    people = sorted(own.values(), key=lambda c: c.influencer_id)
    orders = {
        "top_predicted_er": [sorted(candidates, key=lambda c: (-c.predicted_er, c.influencer_id))],
        "top_historical_er": [sorted(candidates, key=lambda c: (-hist_of(c), c.influencer_id))],
        "top_followers": [sorted(people, key=lambda c: (-c.followers, c.influencer_id))],
        "random": [],
    }
    for s in range(random_seeds):
        shuffled = list(people)
        random.Random(s).shuffle(shuffled)
        orders["random"].append(shuffled)
    return orders


def realized_total(picks: Iterable[Pick], by_id: dict[int, Key], realized: Realized) -> tuple[float, float]:
    """(genuine engagements, cost at the realized prices) of a selection."""
    value = cost = 0.0
    for p in picks:
        key = by_id[p.influencer_id]
        value += p.posts * realized.engagement(key, p.content_type)
        cost += p.posts * realized.price.get(key, 0.0)
    return value, cost


def realized_within_budget(
    picks: Iterable[Pick], by_id: dict[int, Key], realized: Realized, budget: float
) -> float:
    """Genuine engagements of a selection hired at the realized prices: its picks in its own order, each
    hired when its realized cost (posts × price) still fits what is left of the budget."""
    value, left = 0.0, budget
    for p in picks:
        key = by_id[p.influencer_id]
        cost = p.posts * realized.price.get(key, 0.0)
        if cost <= left:
            left -= cost
            value += p.posts * realized.engagement(key, p.content_type, count=False)
    return value
