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
    """Insert `n_influencers` creators with posts over `days` days ending before `end_date`."""
    rng = np.random.default_rng(seed)
    n = n_influencers
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

    # posts: a Poisson number per creator, uniform over the period, content type from a per-creator mix
    counts = rng.poisson(frequency * days)
    owner = np.repeat(np.arange(n), counts)
    m = owner.size
    day = rng.uniform(0, days, size=m)
    start = dt.datetime.combine(end_date - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    ct_choice = rng.random(m)
    content = np.empty(m, dtype=object)
    for p_i, platform in enumerate(PLATFORMS):
        types = PLATFORM_CONTENT[platform]
        sel = platform_idx[owner] == p_i
        bins = np.cumsum(np.full(len(types), 1.0 / len(types)))
        content[sel] = np.array(types, dtype=object)[np.searchsorted(bins, ct_choice[sel], side="right").clip(0, len(types) - 1)]
    sponsored = rng.random(m) < 0.2
    content_eff = np.array([CONTENT_EFFECT[c] for c in content])
    log_er = base[owner] + content_eff + drift[owner] * (day - days) - 0.2 * sponsored + rng.normal(0, 0.3, size=m)
    engagement = followers[owner] * np.exp(log_er)
    posted_at = [start + dt.timedelta(seconds=float(s)) for s in day * 86_400]
    post_day = np.floor(day).astype(np.int64)

    # daily metrics: up to 5 days after posting, never past end_date
    n_days = np.minimum(len(DAY_FRACTIONS), days - post_day)
    metric_post = np.repeat(np.arange(m), n_days)
    offset = np.arange(metric_post.size) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    daily = engagement[metric_post] * DAY_FRACTIONS[offset]
    cf = comment_frac[owner][metric_post]
    comments = np.round(daily * cf).astype(np.int64)
    shares = np.round(daily * 0.04).astype(np.int64)
    saves = np.round(daily * 0.04).astype(np.int64)
    likes = np.round(daily * (0.92 - cf)).astype(np.int64)
    views = np.round(daily * rng.uniform(8, 15, size=metric_post.size)).astype(np.int64)
    first = end_date - dt.timedelta(days=days)
    metric_date = [first + dt.timedelta(days=int(d)) for d in post_day[metric_post] + offset]

    with engine.begin() as conn:
        inf0, post0 = _next_id(conn, "influencer"), _next_id(conn, "post")
        inf_ids = np.arange(inf0, inf0 + n)
        post_ids = np.arange(post0, post0 + m)
        copy_rows(
            conn,
            "influencer",
            ("id", "platform", "handle", "name", "category", "country", "language", "followers"),
            (
                (int(inf_ids[i]), PLATFORMS[platform_idx[i]], f"{handle_prefix}_{inf_ids[i]}", f"Creator {inf_ids[i]}",
                 CATEGORIES[category_idx[i]], COUNTRIES[country_idx[i]], "en", int(followers[i]))
                for i in range(n)
            ),
        )
        audience = []
        for i in range(n):
            iid = int(inf_ids[i])
            audience.append((iid, "country", COUNTRIES[country_idx[i]], round(float(top_country[i]), 4)))
            audience.append((iid, "country", "other", round(1 - float(top_country[i]), 4)))
            audience.extend((iid, "age_group", b, round(float(ages[i, j]), 4)) for j, b in enumerate(AGE_BUCKETS))
            audience.extend((iid, "gender", g, round(float(genders[i, j]), 4)) for j, g in enumerate(GENDERS))
        copy_rows(conn, "audience_share", ("influencer_id", "dimension", "bucket", "share"), audience)
        copy_rows(
            conn,
            "post",
            ("id", "platform", "external_id", "influencer_id", "posted_at", "content_type", "sponsored"),
            (
                (int(post_ids[k]), PLATFORMS[platform_idx[owner[k]]], f"{handle_prefix}-p{post_ids[k]}",
                 int(inf_ids[owner[k]]), posted_at[k].isoformat(), content[k], "t" if sponsored[k] else "f")
                for k in range(m)
            ),
        )
        metric_rows = copy_rows(
            conn,
            "post_metric_daily",
            ("post_id", "date", "likes", "comments", "shares", "saves", "views"),
            zip(
                post_ids[metric_post].tolist(), metric_date, likes.tolist(), comments.tolist(),
                shares.tolist(), saves.tolist(), views.tolist(), strict=True,
            ),
        )
        _sync_identity(conn, "influencer")
        _sync_identity(conn, "post")
    return SeedResult(n, m, metric_rows, len(audience), first, end_date)
