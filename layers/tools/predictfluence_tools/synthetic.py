"""Synthetic warehouse data for the ML tests and the benchmark, written with set-based COPY.

Engagement depends on signals the features can see (platform, tier, category, content type, the 18–24
audience share, a persistent per-creator effect that drifts over time, sponsorship) plus noise, and a
small share of creators have bought engagement (inflated likes, few comments) for the anomaly flags.
This is independent of `predictfluence demo-data`; it exists so the ML layer can be tested and
benchmarked at any size directly against the tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from predictfluence_ml._sql import copy_rows

PLATFORM_CONTENT = {
    "instagram": ("reel", "image", "carousel"),
    "tiktok": ("video",),
    "youtube": ("video", "short"),
}
PLATFORMS = ("instagram", "tiktok", "youtube")
PLATFORM_EFFECT = {"instagram": 0.0, "tiktok": 0.35, "youtube": -0.35}
CATEGORIES = ("Beauty", "Fashion", "Fitness", "Food", "Gaming", "Travel", "Tech")
CATEGORY_EFFECT = np.array([0.25, 0.1, 0.15, 0.0, -0.1, 0.05, -0.25])
COUNTRIES = ("US", "UK", "BR", "IN", "DE")
CONTENT_EFFECT = {"reel": 0.25, "image": -0.15, "carousel": 0.05, "video": 0.0, "short": 0.2}
AGE_BUCKETS = ("13-17", "18-24", "25-34", "35-44", "45+")
GENDERS = ("female", "male", "other")
DAY_FRACTIONS = np.array([0.45, 0.25, 0.15, 0.1, 0.05])


@dataclass(frozen=True)
class SeedResult:
    influencers: int
    posts: int
    metric_rows: int
    audience_rows: int
    first_date: dt.date
    end_date: dt.date


def _next_id(conn: sa.Connection, table: str) -> int:
    return int(conn.execute(sa.text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")).scalar_one())  # noqa: S608 - fixed names


def _sync_identity(conn: sa.Connection, table: str) -> None:
    conn.execute(
        sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    )


@dataclass(frozen=True)
class _Creators:
    """Per-creator draws: the signals the features see, the hidden effects and the engagement baseline."""

    platform_idx: np.ndarray
    category_idx: np.ndarray
    country_idx: np.ndarray
    followers: np.ndarray
    ages: np.ndarray
    genders: np.ndarray
    top_country: np.ndarray
    drift: np.ndarray
    comment_frac: np.ndarray
    frequency: np.ndarray
    base: np.ndarray  # log engagement rate before the per-post effects


@dataclass(frozen=True)
class _Posts:
    owner: np.ndarray  # index of the creator of each post
    content: np.ndarray
    sponsored: np.ndarray
    engagement: np.ndarray  # total engagement of each post
    posted_at: list[dt.datetime]
    post_day: np.ndarray  # day of the period the post was made


@dataclass(frozen=True)
class _Metrics:
    post: np.ndarray  # index of the post of each daily row
    date: list[dt.date]
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    saves: np.ndarray
    views: np.ndarray


def _draw_creators(rng: np.random.Generator, n: int, posts_per_week: float, fraud_share: float) -> _Creators:
    platform_idx = rng.choice(len(PLATFORMS), size=n, p=[0.5, 0.3, 0.2])
    category_idx = rng.integers(0, len(CATEGORIES), size=n)
    country_idx = rng.integers(0, len(COUNTRIES), size=n)
    followers = np.round(10 ** rng.uniform(3.0, 6.3, size=n)).astype(np.int64)
    ages = rng.dirichlet([1.0, 3.0, 3.0, 1.5, 1.0], size=n)
    genders = rng.dirichlet([4.0, 4.0, 0.4], size=n)
    top_country = rng.uniform(0.3, 0.9, size=n)
    creator = rng.normal(0.0, 0.35, size=n)
    drift = rng.normal(0.0, 0.004, size=n)  # per day: recent history predicts better than old
    comment_frac = rng.uniform(0.02, 0.08, size=n)
    fraud = rng.random(n) < fraud_share
    frequency = rng.lognormal(np.log(posts_per_week), 0.5, size=n) / 7.0  # posts per day
    platform_eff = np.array([PLATFORM_EFFECT[PLATFORMS[i]] for i in platform_idx])
    base = (
        np.log(0.035)
        + platform_eff
        + CATEGORY_EFFECT[category_idx]
        - 0.3 * np.log10(followers / 10_000)
        + 1.6 * (ages[:, 1] - 0.3)
        + creator
        + np.where(fraud, np.log(3.0), 0.0)
    )
    comment_frac = np.where(fraud, 0.003, comment_frac)
    return _Creators(platform_idx, category_idx, country_idx, followers, ages, genders, top_country, drift,
                     comment_frac, frequency, base)


def _draw_posts(rng: np.random.Generator, c: _Creators, days: int, end_date: dt.date) -> _Posts:
    """A Poisson number of posts per creator, uniform over the period, content type from the platform's mix."""
    counts = rng.poisson(c.frequency * days)
    owner = np.repeat(np.arange(c.followers.size), counts)
    m = owner.size
    day = rng.uniform(0, days, size=m)
    start = dt.datetime.combine(end_date - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    ct_choice = rng.random(m)
    content = np.empty(m, dtype=object)
    for p_i, platform in enumerate(PLATFORMS):
        types = PLATFORM_CONTENT[platform]
        sel = c.platform_idx[owner] == p_i
        bins = np.cumsum(np.full(len(types), 1.0 / len(types)))
        content[sel] = np.array(types, dtype=object)[np.searchsorted(bins, ct_choice[sel], side="right").clip(0, len(types) - 1)]
    sponsored = rng.random(m) < 0.2
    content_eff = np.array([CONTENT_EFFECT[t] for t in content])
    log_er = c.base[owner] + content_eff + c.drift[owner] * (day - days) - 0.2 * sponsored + rng.normal(0, 0.3, size=m)
    engagement = c.followers[owner] * np.exp(log_er)
    posted_at = [start + dt.timedelta(seconds=float(s)) for s in day * 86_400]
    return _Posts(owner, content, sponsored, engagement, posted_at, np.floor(day).astype(np.int64))


def _draw_metrics(rng: np.random.Generator, c: _Creators, p: _Posts, days: int, first: dt.date) -> _Metrics:
    """Daily metrics: up to 5 days after posting, never past the end of the period."""
    n_days = np.minimum(len(DAY_FRACTIONS), days - p.post_day)
    metric_post = np.repeat(np.arange(p.owner.size), n_days)
    offset = np.arange(metric_post.size) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    daily = p.engagement[metric_post] * DAY_FRACTIONS[offset]
    cf = c.comment_frac[p.owner][metric_post]
    comments = np.round(daily * cf).astype(np.int64)
    shares = np.round(daily * 0.04).astype(np.int64)
    saves = np.round(daily * 0.04).astype(np.int64)
    likes = np.round(daily * (0.92 - cf)).astype(np.int64)
    views = np.round(daily * rng.uniform(8, 15, size=metric_post.size)).astype(np.int64)
    metric_date = [first + dt.timedelta(days=int(d)) for d in p.post_day[metric_post] + offset]
    return _Metrics(metric_post, metric_date, likes, comments, shares, saves, views)


def _audience_rows(c: _Creators, inf_ids: np.ndarray) -> list[tuple[int, str, str, float]]:
    audience = []
    for i in range(inf_ids.size):
        iid = int(inf_ids[i])
        audience.append((iid, "country", COUNTRIES[c.country_idx[i]], round(float(c.top_country[i]), 4)))
        audience.append((iid, "country", "other", round(1 - float(c.top_country[i]), 4)))
        audience.extend((iid, "age_group", b, round(float(c.ages[i, j]), 4)) for j, b in enumerate(AGE_BUCKETS))
        audience.extend((iid, "gender", g, round(float(c.genders[i, j]), 4)) for j, g in enumerate(GENDERS))
    return audience


def _write(engine: sa.Engine, c: _Creators, p: _Posts, mt: _Metrics, handle_prefix: str) -> tuple[int, int]:
    """COPY the creators, their audience, posts and daily metrics; returns (metric rows, audience rows)."""
    n, m = c.followers.size, p.owner.size
    with engine.begin() as conn:
        inf0, post0 = _next_id(conn, "influencer"), _next_id(conn, "post")
        inf_ids = np.arange(inf0, inf0 + n)
        post_ids = np.arange(post0, post0 + m)
        copy_rows(
            conn,
            "influencer",
            ("id", "platform", "handle", "name", "category", "country", "language", "followers"),
            (
                (int(inf_ids[i]), PLATFORMS[c.platform_idx[i]], f"{handle_prefix}_{inf_ids[i]}", f"Creator {inf_ids[i]}",
                 CATEGORIES[c.category_idx[i]], COUNTRIES[c.country_idx[i]], "en", int(c.followers[i]))
                for i in range(n)
            ),
        )
        audience = _audience_rows(c, inf_ids)
        copy_rows(conn, "audience_share", ("influencer_id", "dimension", "bucket", "share"), audience)
        copy_rows(
            conn,
            "post",
            ("id", "platform", "external_id", "influencer_id", "posted_at", "content_type", "sponsored"),
            (
                (int(post_ids[k]), PLATFORMS[c.platform_idx[p.owner[k]]], f"{handle_prefix}-p{post_ids[k]}",
                 int(inf_ids[p.owner[k]]), p.posted_at[k].isoformat(), p.content[k], "t" if p.sponsored[k] else "f")
                for k in range(m)
            ),
        )
        metric_rows = copy_rows(
            conn,
            "post_metric_daily",
            ("post_id", "date", "likes", "comments", "shares", "saves", "views"),
            zip(
                post_ids[mt.post].tolist(), mt.date, mt.likes.tolist(), mt.comments.tolist(),
                mt.shares.tolist(), mt.saves.tolist(), mt.views.tolist(), strict=True,
            ),
        )
        _sync_identity(conn, "influencer")
        _sync_identity(conn, "post")
    return metric_rows, len(audience)


def seed(
    engine: sa.Engine,
    n_influencers: int = 300,
    days: int = 150,
    posts_per_week: float = 3.0,
    end_date: dt.date = dt.date(2026, 11, 1),
    seed: int = 7,
    fraud_share: float = 0.02,
    handle_prefix: str = "synth",
) -> SeedResult:
    """Insert `n_influencers` creators with posts over `days` days ending before `end_date`.

    One generator draws, in a fixed order, the creators, their posts and the posts' daily metrics, so a
    seed gives the same rows every time.
    """
    rng = np.random.default_rng(seed)
    creators = _draw_creators(rng, n_influencers, posts_per_week, fraud_share)
    posts = _draw_posts(rng, creators, days, end_date)
    first = end_date - dt.timedelta(days=days)
    metrics = _draw_metrics(rng, creators, posts, days, first)
    metric_rows, audience_rows = _write(engine, creators, posts, metrics, handle_prefix)
    return SeedResult(n_influencers, posts.owner.size, metric_rows, audience_rows, first, end_date)
