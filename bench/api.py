"""Benchmark the REST API: seed a scale dataset, then time every read endpoint through the real handler
path (Chalice's test client: API Gateway emulation, the API-key authorizer, validation, SQL,
serialisation) and report p50/p95 per endpoint.

Seeding (default): `predictfluence demo-data`'s generator writes the CSVs and the ETL
(`etl_jobs.pipeline.load_file`) loads them, rollups refreshed as after any load: 100,000 influencers over
16 days ≈ 3.4 M post_metric_daily rows. `--sql-seed` instead fills the warehouse with set-based SQL
(generate_series) — much faster, for quick runs.

Baseline, measured in the same run: `SELECT 1` through the same engine (the floor of any request);
each endpoint's p50 is also printed as a ratio to it.

Usage: .venv/bin/python bench/api.py [--influencers 100000] [--days 16] [--iterations 60] [--sql-seed]
       [--scale 0.1]   (multiplies --influencers, for smaller runs)
       [--only list_]  (only the endpoints whose names start with one of these comma-separated prefixes)
       [--keep]        (keep the seeded scratch database; its URL is printed)
       [--reuse URL]   (measure a database kept by --keep: migrated to head, not seeded again)
       [--seed 16] [--clients 8] [--concurrent-requests 800]   (--clients 0: no concurrent run)
Needs DATABASE_URL (any PostgreSQL server; a scratch database is created and dropped) or the embedded one.
Both seedings then fill influencer_score with SQL (3 content types per influencer, ER, engagements, cost
forecast, intervals, 1 in 50 flagged), as the retrain batch would, for GET /recommendations.
POST /campaigns/{id}/plan (the planner, solved in process) is timed apart, `--plan-iterations` calls.
`recommendations_campaign_tight`: campaigns whose remaining budget is a low percentile (0.2-5 %) of the scores'
cost per post (made in the setup, `tight_campaigns`). Each endpoint is timed twice (issue 16.9): `p95_ms` over `--iterations` requests whose ids, pages and filter
values are drawn at random per request (seeded RNG, `--seed`; ids from a random sample of the warehouse, search
terms cut from sampled names/handles/categories), and `hot_p95_ms` over the same number of requests to ONE
identical URL (the hot-cache figure of earlier runs). Then `concurrent`: Chalice's local HTTP server (the
devstack's API server) in a thread, `--clients` client threads sending `--concurrent-requests` GETs over real
sockets to URLs drawn at random over every endpoint: p50/p95, requests/s, errors, p95 per URL.
Targets: p95 ≤ 50 ms for list/profile endpoints, ≤ 100 ms for analytics and recommendations, the planner ≤ 1 s.
The last output line is JSON: {"p95_ms": {...}, "p50_ms": {...}, "hot_p95_ms": {...}, "hot_p50_ms": {...},
"influencers": N, "metric_rows": N, "concurrent": {"p95_ms", "p50_ms", "max_ms", "clients", "requests", "errors",
"requests_per_s", "by_url_p95_ms": {...}}, "planner_ms": {"first", "p50", "p95", "candidates"}}.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "tools")]

from predictfluence_tools.demo.names import FIRST, LAST, _slug  # noqa: E402

LOAD_ORDER = ("influencers", "campaigns", "posts", "post_metrics", "audience", "hires", "conversions")


def log(message: str) -> None:
    print(message, flush=True)


def seed_with_generator_and_etl(engine, influencers: int, days: int) -> dict[str, Any]:
    """Generate the demo CSVs and load each through the ETL; returns the generation and load seconds."""
    from etl_jobs.base import SourceFile
    from etl_jobs.pipeline import load_file
    from predictfluence_tools.demo.generator import DemoConfig, generate

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = generate(DemoConfig(influencers=influencers, days=days, seed=42), Path(tmp))
        timing: dict[str, Any] = {"generate_s": round(time.perf_counter() - started, 1), "load_s": {}}
        log(f"generated {sum(result.rows.values()):,d} rows in {timing['generate_s']:.1f} s")
        for kind in LOAD_ORDER:
            path = result.files.get(kind)
            if path is None:
                continue
            started = time.perf_counter()
            outcome = load_file(
                engine, SourceFile(path=Path(path), key=f"raw/{kind}/{Path(path).name}"), kind=kind
            )
            timing["load_s"][kind] = round(time.perf_counter() - started, 1)
            log(
                f"  ETL {kind:13s} {outcome.status:9s} {outcome.rows_loaded:>10,d} rows "
                f"({outcome.rows_rejected:,d} rejected) in {timing['load_s'][kind]:.1f} s"
            )
    timing["load_total_s"] = round(sum(timing["load_s"].values()), 1)
    return timing


def _sql_array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


# Display names and handles drawn like the demo generator's (predictfluence_tools.demo.names: 34 first names ×
# 30 last names, handles from their slugs and a serial), so that a search term cut from a name matches as many
# rows as on generated data (a 3-letter part of a first name: ~3 % of them), not every row ('Name 123').
_FIRST = f"[1 + mod(g * 7, {len(FIRST)})]"
_LAST = f"[1 + mod(g * 13 / {len(FIRST)}, {len(LAST)})]"
SEED_NAME = f"({_sql_array(FIRST)}){_FIRST} || ' ' || ({_sql_array(LAST)}){_LAST}"
SEED_HANDLE = f"({_sql_array(tuple(map(_slug, FIRST)))}){_FIRST} || '.' || ({_sql_array(tuple(map(_slug, LAST)))}){_LAST} || g"
INFLUENCERS_SQL = (
    "INSERT INTO influencer (platform, handle, name, category, country, language, followers) "  # noqa: S608 - constants
    f"SELECT (ARRAY['instagram','tiktok','youtube'])[1 + mod(g, 3)], {SEED_HANDLE}, {SEED_NAME}, "
    "(ARRAY['beauty','fitness','tech','food','travel','gaming'])[1 + mod(g, 6)], "
    "(ARRAY['US','UK','DE','FR','BR','IN'])[1 + mod(g / 7, 6)], 'en', (1000 + mod(g * 7919, 900000))::bigint "
    "FROM generate_series(1::bigint, :n) g"
)

SQL_SEED = [
    INFLUENCERS_SQL,
    """INSERT INTO campaign (name, brand, status, budget)
       SELECT 'Campaign ' || g, 'Brand ' || (mod(g, 50)), (ARRAY['draft','active','completed'])[1 + mod(g, 3)], 100000
       FROM generate_series(1, :campaigns) g""",
    """INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored, campaign_id)
       SELECT i.platform, 'p' || i.id || '_' || k, i.id, CURRENT_DATE - mod(k * 3, :days),
              (ARRAY['image','video','reel','story'])[1 + mod(i.id + k, 4)], k = 1,
              CASE WHEN k = 1 AND mod(i.id, 10) = 0 THEN 1 + mod(i.id, :campaigns) END
       FROM influencer i CROSS JOIN generate_series(1, 3) k""",
    """INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves, views, reach, impressions)
       SELECT p.id, p.posted_at::date + d, 50 + mod(p.id * 13 + d, 900), 5 + mod(p.id + d, 60), mod(p.id + d, 20),
              mod(p.id + d, 25), CASE WHEN p.content_type IN ('video','reel') THEN 1000 + mod(p.id * 7 + d, 20000) END,
              800 + mod(p.id * 3 + d, 9000), 1000 + mod(p.id * 5 + d, 12000)
       FROM post p CROSS JOIN generate_series(0, :days - 1) d
       WHERE p.posted_at::date + d <= CURRENT_DATE""",
    """INSERT INTO audience_share (influencer_id, dimension, bucket, share)
       SELECT i.id, 'country', b.bucket, b.share FROM influencer i
       CROSS JOIN (VALUES ('US', 0.5), ('UK', 0.3), ('DE', 0.2)) b(bucket, share)""",
    # age groups and gender with shares that vary by influencer (the discovery filters' audience share)
    """INSERT INTO audience_share (influencer_id, dimension, bucket, share)
       SELECT i.id, b.dimension, b.bucket, CASE WHEN b.first THEN x.s ELSE 1 - x.s END FROM influencer i
       CROSS JOIN LATERAL (SELECT mod(i.id * 37, 100) / 100.0 AS s) x
       CROSS JOIN (VALUES ('age_group', '18-24', true), ('age_group', '25-34', false),
                          ('gender', 'female', true), ('gender', 'male', false)) b(dimension, bucket, first)""",
    # profile snapshots for half the influencers, 100, 40 and 1 days ago: follower growth 0-19 % per step
    """INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers)
       SELECT i.id, CURRENT_DATE - d.back, 'bench', (i.followers / (1 + mod(i.id, 20) / 100.0) ^ d.step)::bigint
       FROM influencer i CROSS JOIN (VALUES (1, 0), (40, 1), (100, 2)) d(back, step) WHERE mod(i.id, 2) = 0""",
    """INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost)
       SELECT 1 + mod(i.id, :campaigns), i.id, 'contracted', 500 FROM influencer i WHERE mod(i.id, 10) = 0""",
    """INSERT INTO conversion_daily (campaign_id, influencer_id, date, clicks, orders, revenue)
       SELECT h.campaign_id, h.influencer_id, CURRENT_DATE - d, 10 + d, mod(d, 3), 25 * (mod(d, 3))
       FROM campaign_influencer h CROSS JOIN generate_series(0, 6) d""",
]


# Scores as the retrain batch writes them (the API bench does not train): three content types per influencer,
# predicted ER 1-10 %, engagements = ER x followers, a cost per post on a power-law rate card (~$10 per 1k
# followers^0.9), 80 % intervals, one influencer in 50 flagged.
SCORE_SQL = [
    """INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256, details)
       VALUES ('engagement', 'bench-api', 'champion', '{}', 'file:///bench-api', 'none', '{}')""",
    """INSERT INTO influencer_score (influencer_id, content_type, model_version_id, predicted_er, er_low, er_high,
           performance_tier, tier_probability, cluster, anomaly_score, anomaly_reasons, rationale,
           cost_per_post, cost_low, cost_high, engagements, engagements_low, engagements_high,
           engagements_per_dollar, per_dollar_low, per_dollar_high, follower_tier)
       SELECT i.id, t.content_type, v.id, e.er, e.er * 0.6, e.er * 1.6,
              (ARRAY['low','average','high'])[1 + mod(i.id, 3)], 0.6, mod(i.id, 8), 0.1,
              CASE WHEN mod(i.id, 50) = 0 THEN '["likes_per_comment"]'::jsonb ELSE '[]'::jsonb END,
              'Engagement in line with peers.', c.cost, c.cost * 0.7, c.cost * 1.4,
              e.er * i.followers, e.er * 0.6 * i.followers, e.er * 1.6 * i.followers,
              e.er * i.followers / c.cost, e.er * 0.6 * i.followers / (c.cost * 1.4),
              e.er * 1.6 * i.followers / (c.cost * 0.7), i.follower_tier
       FROM influencer i
       CROSS JOIN (VALUES ('image'), ('reel'), ('video')) t(content_type)
       CROSS JOIN (SELECT max(id) AS id FROM model_version) v
       CROSS JOIN LATERAL (SELECT 0.01 + mod(i.id * 37 + length(t.content_type) * 11, 900) / 10000.0 AS er) e
       CROSS JOIN LATERAL (SELECT greatest(50.0, 10.0 * power(i.followers / 1000.0, 0.9)
                                   * (0.8 + mod(i.id * 13, 40) / 100.0)) AS cost) c""",
]


def seed_scores(engine) -> None:
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in SCORE_SQL:
            conn.execute(sa.text(statement))
    log(
        f"influencer_score seeded (SQL, 3 content types per influencer) in {time.perf_counter() - started:.1f} s"
    )


def seed_with_sql(engine, influencers: int, days: int) -> None:
    from predictfluence.queries.rollups import refresh

    params = {"n": influencers, "days": days, "campaigns": max(8, min(2000, influencers // 50))}
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in SQL_SEED:
            conn.execute(sa.text(statement), params)
    refresh(engine, concurrently=False)
    log(f"SQL seed (generate_series) in {time.perf_counter() - started:.1f} s")


# nearly spent campaigns: remaining budgets at these percentiles of the scores' cost per post (the seeded
# campaigns are all overspent at 1M, or not at all: neither reaches the walk past the rows that do not fit)
TIGHT_PERCENTILES = (0.002, 0.005, 0.01, 0.03, 0.05)


def tight_campaigns(engine) -> list[int]:
    """Campaigns 'bench tight p<percentile>' without hires whose budget is that percentile of cost per post
    (created, or their budget updated, before any request is timed)."""
    with engine.begin() as conn:
        costs = conn.execute(
            sa.text(
                "SELECT percentile_disc(CAST(:p AS float8[])) WITHIN GROUP (ORDER BY cost_per_post) "
                "FROM influencer_score"
            ),
            {"p": list(TIGHT_PERCENTILES)},
        ).scalar_one()
        ids = []
        for p, cost in zip(TIGHT_PERCENTILES, costs or [], strict=False):
            name = f"bench tight p{p * 100:g}"
            found = conn.execute(sa.text("SELECT id FROM campaign WHERE name = :n"), {"n": name}).scalar()
            if found is None:
                found = conn.execute(
                    sa.text("INSERT INTO campaign (name, budget) VALUES (:n, :b) RETURNING id"),
                    {"n": name, "b": cost},
                ).scalar_one()
            conn.execute(sa.text("UPDATE campaign SET budget = :b WHERE id = :id"), {"b": cost, "id": found})
            ids.append(found)
    return ids


def endpoints(engine) -> dict[str, str]:
    """The hot-cache URL of every endpoint: one fixed id, page and filter set per endpoint."""
    with engine.connect() as conn:
        influencer_id = conn.execute(
            sa.text(
                "SELECT influencer_id FROM influencer_stats WHERE posts > 0 ORDER BY followers DESC LIMIT 1 OFFSET 100"
            )
        ).scalar_one()
        campaign_id = conn.execute(
            sa.text(
                "SELECT campaign_id FROM campaign_influencer GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
        platform = conn.execute(
            sa.text("SELECT platform FROM influencer GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
    return {
        "list_default": "/influencers",
        "list_sort_er": "/influencers?sort=avg_er&order=desc&page=3&page_size=50",
        "list_filtered": f"/influencers?platform={platform}&tier=micro&sort=avg_likes&page_size=100",
        "list_search": "/influencers?q=ann&sort=name&order=asc",
        "list_followers_range": "/influencers?min_followers=10000&max_followers=50000&sort=avg_views",
        # the discovery filters (issue 13.1)
        "list_audience_country": "/influencers?audience_country=US&min_audience_country_share=0.3",
        "list_audience_age": "/influencers?audience_age_group=18-24&min_audience_age_group_share=0.9&sort=avg_er",
        "list_growth_30d": "/influencers?min_growth_30d=0.1&sort=followers",
        "list_growth_90d_range": "/influencers?min_growth_90d=0.05&max_growth_90d=0.1&sort=avg_likes",
        "list_multi_select": "/influencers?platform=instagram,tiktok&category=beauty,tech&country=US,DE&language=en",
        "list_hide_flagged": "/influencers?hide_flagged=true",
        "list_discovery": "/influencers?audience_gender=female&min_audience_gender_share=0.6&min_er=0.02"
        "&min_growth_30d=0.05&hide_flagged=true&platform=tiktok,youtube&sort=avg_er",
        "list_search_category": "/influencers?q=fitn&sort=followers",
        "profile": f"/influencers/{influencer_id}",
        "similar": f"/influencers/{influencer_id}/similar",
        "campaigns": "/campaigns",
        "campaign_summary": f"/campaigns/{campaign_id}/summary",
        "campaign_influencers": f"/campaigns/{campaign_id}/influencers",
        "analytics_kpis": "/analytics/kpis",
        "analytics_trend": "/analytics/engagement-trend",
        "analytics_trend_platform": f"/analytics/engagement-trend?platform={platform}",
        "analytics_top_campaigns": "/analytics/top-campaigns",
        "analytics_demographics": "/analytics/demographics?dimension=country",
        "analytics_demographics_campaign": f"/analytics/demographics?dimension=country&campaign_id={campaign_id}",
        "analytics_content_types": "/analytics/content-types",
        "recommendations_default": "/recommendations",
        "recommendations_filtered": f"/recommendations?platform={platform}&tier=micro&objective=engagements",
        "recommendations_campaign": f"/recommendations?campaign_id={campaign_id}&content_type=reel",
        "recommendations_campaign_tight": f"/recommendations?campaign_id={tight_campaigns(engine)[2]}&content_type=reel",
    }


Draw = Callable[[random.Random], str]


def drawn_endpoints(engine, sample: int = 500, seed: int = 16) -> dict[str, Draw]:
    """Per endpoint, a URL drawn at random for each request (issue 16.9): ids from a random sample of the
    warehouse, pages 1-20, filter values from the data's own values, search terms cut from sampled names,
    handles and categories — so the caches see what many users see, not one URL 60 times. The sample is drawn
    from `seed`: two runs on the same warehouse (before and after a change) see the same ids and terms (drawn
    by the server's random() they differed, and so did list_search's p95: docs/benchmarks.md, "Text search at
    1M")."""
    with engine.connect() as conn:
        top = conn.execute(sa.text("SELECT max(influencer_id) FROM influencer_stats")).scalar() or 0
        draw = random.Random(seed)
        pick = conn.execute(  # ~n random ids (a few miss where ids have gaps): no scan of the whole table
            sa.text(
                "SELECT influencer_id, handle, name, category FROM influencer_stats "
                "WHERE influencer_id = ANY(:ids) ORDER BY influencer_id"
            ),
            {"ids": sorted({draw.randint(1, top) for _ in range(sample)}) if top else []},
        ).all()
        campaigns = (
            conn.execute(sa.text("SELECT DISTINCT campaign_id FROM campaign_influencer")).scalars().all()
        )
        platforms = conn.execute(sa.text("SELECT DISTINCT platform FROM influencer_stats")).scalars().all()
        categories = (
            conn.execute(sa.text("SELECT DISTINCT category FROM influencer_stats WHERE category IS NOT NULL"))
            .scalars()
            .all()
        )
        countries = (
            conn.execute(sa.text("SELECT DISTINCT country FROM influencer_stats WHERE country IS NOT NULL"))
            .scalars()
            .all()
        )
        buckets = {
            d: conn.execute(
                sa.text("SELECT DISTINCT bucket FROM audience_share WHERE dimension = :d"), {"d": d}
            )
            .scalars()
            .all()
            or ["US"]
            for d in ("country", "age_group", "gender")
        }
    tight = tight_campaigns(engine)
    ids = [r[0] for r in pick]
    words = [w for r in pick for w in (r[1], r[2], r[3]) if w and len(w) >= 3]

    def term(rng: random.Random) -> str:
        word = rng.choice(words)
        start = rng.randrange(len(word) - 2)
        return quote(word[start : start + rng.choice((3, 4, 5))])

    def some(rng: random.Random, values: list[str], most: int = 3) -> str:
        return ",".join(quote(v) for v in rng.sample(values, rng.randint(1, min(most, len(values)))))

    from predictfluence.vocab import FOLLOWER_TIERS as tiers
    from predictfluence.vocab import RANKING_OBJECTIVES

    sorts = ("followers", "avg_er", "avg_likes", "avg_views", "avg_comments", "name")
    page = lambda r: r.randint(1, 20)  # noqa: E731
    share = lambda r: round(r.uniform(0.05, 0.9), 2)  # noqa: E731
    order = lambda r: r.choice(("asc", "desc"))  # noqa: E731
    return {
        "list_default": lambda r: f"/influencers?page={page(r)}",
        "list_sort_er": lambda r: f"/influencers?sort=avg_er&order={order(r)}&page={page(r)}&page_size=50",
        "list_filtered": lambda r: (
            f"/influencers?platform={r.choice(platforms)}&tier={r.choice(tiers)}"
            f"&sort={r.choice(sorts)}&page={page(r)}&page_size=100"
        ),
        "list_search": lambda r: f"/influencers?q={term(r)}&sort={r.choice(sorts)}&order={order(r)}",
        "list_followers_range": lambda r: (
            lambda low: (
                f"/influencers?min_followers={low}&max_followers={low * r.randint(2, 10)}"
                f"&sort={r.choice(sorts)}&page={page(r)}"
            )
        )(r.randint(1_000, 500_000)),
        "list_audience_country": lambda r: (
            f"/influencers?audience_country={quote(r.choice(buckets['country']))}"
            f"&min_audience_country_share={share(r)}&page={page(r)}"
        ),
        "list_audience_age": lambda r: (
            f"/influencers?audience_age_group={quote(r.choice(buckets['age_group']))}"
            f"&min_audience_age_group_share={share(r)}&sort={r.choice(sorts)}"
        ),
        "list_growth_30d": lambda r: (
            f"/influencers?min_growth_30d={round(r.uniform(0, 0.2), 3)}&sort={r.choice(sorts)}&page={page(r)}"
        ),
        "list_growth_90d_range": lambda r: (
            lambda low: (
                f"/influencers?min_growth_90d={low}&max_growth_90d={round(low + r.uniform(0.01, 0.2), 3)}"
                f"&sort={r.choice(sorts)}"
            )
        )(round(r.uniform(0, 0.3), 3)),
        "list_multi_select": lambda r: (
            f"/influencers?platform={some(r, platforms)}&category={some(r, categories)}"
            f"&country={some(r, countries)}&page={page(r)}"
        ),
        "list_hide_flagged": lambda r: (
            f"/influencers?hide_flagged=true&sort={r.choice(sorts)}&page={page(r)}"
        ),
        "list_discovery": lambda r: (
            f"/influencers?audience_gender={quote(r.choice(buckets['gender']))}"
            f"&min_audience_gender_share={share(r)}&min_er={round(r.uniform(0, 0.05), 3)}"
            f"&min_growth_30d={round(r.uniform(0, 0.1), 3)}&hide_flagged=true&platform={some(r, platforms, 2)}"
            f"&sort={r.choice(sorts)}"
        ),
        "list_search_category": lambda r: (
            f"/influencers?q={quote(r.choice(categories)[: r.randint(3, 5)])}"
            f"&sort={r.choice(sorts)}&page={page(r)}"
        ),
        "profile": lambda r: f"/influencers/{r.choice(ids)}",
        "similar": lambda r: f"/influencers/{r.choice(ids)}/similar",
        "campaigns": lambda r: f"/campaigns?page={r.randint(1, 3)}",
        "campaign_summary": lambda r: f"/campaigns/{r.choice(campaigns)}/summary",
        "campaign_influencers": lambda r: f"/campaigns/{r.choice(campaigns)}/influencers",
        "analytics_kpis": lambda r: "/analytics/kpis",
        "analytics_trend": lambda r: f"/analytics/engagement-trend?days={r.choice((7, 14, 30, 90))}",
        "analytics_trend_platform": lambda r: f"/analytics/engagement-trend?platform={r.choice(platforms)}",
        "analytics_top_campaigns": lambda r: "/analytics/top-campaigns",
        "analytics_demographics": lambda r: f"/analytics/demographics?dimension={r.choice(list(buckets))}",
        "analytics_demographics_campaign": lambda r: (
            f"/analytics/demographics?dimension={r.choice(list(buckets))}&campaign_id={r.choice(campaigns)}"
        ),
        "analytics_content_types": lambda r: "/analytics/content-types",
        "recommendations_default": lambda r: f"/recommendations?page={page(r)}",
        "recommendations_filtered": lambda r: (
            f"/recommendations?platform={r.choice(platforms)}"
            f"&tier={r.choice(tiers)}&objective={r.choice(RANKING_OBJECTIVES)}"
        ),
        "recommendations_campaign": lambda r: (
            f"/recommendations?campaign_id={r.choice(campaigns)}"
            f"&content_type={r.choice(('image', 'reel', 'video'))}"
        ),
        "recommendations_campaign_tight": lambda r: (
            f"/recommendations?campaign_id={r.choice(tight)}&objective={r.choice(RANKING_OBJECTIVES)}"
            + r.choice(("", "&content_type=image", "&content_type=reel", "&content_type=video"))
        ),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _get(client, path: str, headers: dict[str, str]) -> float:
    started = time.perf_counter()
    response = client.http.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code} {response.body[:300]!r}")
    return elapsed


def measure(
    engine, iterations: int, only: tuple[str, ...] = (), seed: int = 16
) -> tuple[dict[str, float], dict[str, float], dict[str, float], dict[str, float], float]:
    """(p50, p95) of URLs drawn at random per request, (p50, p95) of one identical URL (hot cache), SELECT 1."""
    from chalice.test import Client

    from app import app
    from predictfluence.api.auth import create_key

    headers = {"Authorization": f"Bearer {create_key('viewer', 'bench')[0]}"}
    hot = {name: path for name, path in endpoints(engine).items() if not only or name.startswith(only)}
    drawn = drawn_endpoints(engine, seed=seed)
    rng = random.Random(seed)
    p50: dict[str, float] = {}
    p95: dict[str, float] = {}
    hot_p50: dict[str, float] = {}
    hot_p95: dict[str, float] = {}
    baseline: list[float] = []
    for _ in range(iterations):
        started = time.perf_counter()
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        baseline.append((time.perf_counter() - started) * 1000)
    with Client(app) as client:
        for _ in range(3):  # warm-up: the first calls fill the pool and import the routes
            _get(client, "/influencers", headers)
        for name, path in hot.items():
            timings = [_get(client, drawn[name](rng), headers) for _ in range(iterations)]
            p50[name] = round(statistics.median(timings), 2)
            p95[name] = round(percentile(timings, 0.95), 2)
            timings = [_get(client, path, headers) for _ in range(iterations + 3)][3:]
            hot_p50[name] = round(statistics.median(timings), 2)
            hot_p95[name] = round(percentile(timings, 0.95), 2)
            log(
                f"  {name}: drawn p50 {p50[name]} / p95 {p95[name]} ms, hot p95 {hot_p95[name]} ms"
            )  # progress
    return p50, p95, hot_p50, hot_p95, statistics.median(baseline)


def measure_concurrent(
    engine, clients: int, requests_total: int, only: tuple[str, ...] = (), seed: int = 17
) -> dict[str, Any]:
    """p95 through a real HTTP server: Chalice's local server (the devstack's API server, a thread per
    connection) on a free port in this process, `clients` threads each sending its share of
    `requests_total` GETs to URLs drawn at random over every endpoint, over real sockets."""
    import threading
    import urllib.request

    from chalice.config import Config
    from chalice.local import ChaliceRequestHandler, HTTPServerThread, create_local_server

    from app import app
    from predictfluence.api.auth import create_key

    headers = {"Authorization": f"Bearer {create_key('viewer', 'bench')[0]}"}
    drawn = {
        name: draw for name, draw in drawn_endpoints(engine, seed=seed).items() if not only or name.startswith(only)
    }
    config = Config.create(
        chalice_stage="local",
        app_name=app.app_name,
        project_dir=str(ROOT),
        config_from_disk=json.loads((ROOT / ".chalice" / "config.json").read_text()),
    )
    holder: dict[str, Any] = {}
    ChaliceRequestHandler.log_message = lambda *args: None  # no access log line per request on stderr

    def server():
        local = create_local_server(app, config, "127.0.0.1", 0)
        local.server.socket.listen(128)  # the default backlog of 5 drops SYNs under 20 clients (devstack)
        holder["port"] = local.server.server_address[1]
        return local

    thread = HTTPServerThread(server)
    thread.start()
    for _ in range(200):
        if "port" in holder:
            break
        time.sleep(0.05)
    base = f"http://127.0.0.1:{holder['port']}"
    timings: dict[str, list[float]] = {name: [] for name in drawn}
    errors: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        names = list(drawn)
        for _ in range(requests_total // clients):
            name = rng.choice(names)
            request = urllib.request.Request(base + drawn[name](rng), headers=headers)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
                    status = response.status
            except Exception as exc:  # noqa: BLE001 - counted, reported
                status = getattr(exc, "code", type(exc).__name__)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    timings[name].append(elapsed)
                else:
                    errors.append(f"{name}: {status}")

    try:
        for _ in range(3):  # warm-up
            urllib.request.urlopen(urllib.request.Request(base + "/influencers", headers=headers)).read()
        started = time.perf_counter()
        workers = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        wall = time.perf_counter() - started
    finally:
        thread.shutdown()
    every = [t for values in timings.values() for t in values]
    if errors:
        log(f"concurrent: {len(errors)} errors, first: {errors[:5]}")
    return {
        "p95_ms": round(percentile(every, 0.95), 2) if every else None,
        "p50_ms": round(statistics.median(every), 2) if every else None,
        "max_ms": round(max(every), 2) if every else None,
        "clients": clients,
        "requests": len(every) + len(errors),
        "errors": len(errors),
        "requests_per_s": round((len(every) + len(errors)) / wall, 1),
        "by_url_p95_ms": {name: round(percentile(v, 0.95), 2) for name, v in timings.items() if v},
    }


def measure_planner(engine, iterations: int) -> dict[str, float] | None:
    """POST /campaigns/{id}/plan (manager key), default body but a budget, then with a platform filter:
    the first call and the warm p50 / p95 over both bodies; None when the route is not there."""
    from chalice.test import Client

    from app import app
    from predictfluence.api.auth import create_key

    route = next((r for r in app.routes if r.startswith("/campaigns/") and r.endswith("/plan")), None)
    if route is None:
        log("POST /campaigns/{id}/plan: no such route yet, not measured")
        return None
    headers = {
        "Authorization": f"Bearer {create_key('manager', 'bench')[0]}",
        "Content-Type": "application/json",
    }
    with engine.connect() as conn:
        campaign_id = conn.execute(sa.text("SELECT min(id) FROM campaign")).scalar_one()
        platform = conn.execute(
            sa.text("SELECT platform FROM influencer GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
        ).scalar_one()
    bodies = [{"budget": 20000.0}, {"budget": 20000.0, "filters": {"platform": platform}}]
    timings, statuses, candidates = [], {}, None
    with Client(app) as client:
        for i in range(iterations + 1):
            body = bodies[i % len(bodies)]
            started = time.perf_counter()
            response = client.http.post(
                f"/campaigns/{campaign_id}/plan", headers=headers, body=json.dumps(body)
            )
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:  # counted and reported: one failing route must not sink the bench
                log(
                    f"plan {json.dumps(body)}: HTTP {response.status_code} after {timings[-1]:.0f} ms: "
                    f"{response.body[:300]!r}"
                )
                statuses[f"http_{response.status_code}"] = statuses.get(f"http_{response.status_code}", 0) + 1
                continue
            plan = json.loads(response.body)
            candidates = plan["candidates"]
            statuses[plan["status"]] = statuses.get(plan["status"], 0) + 1
    warm = timings[1:]
    log(
        f"POST /campaigns/{campaign_id}/plan ({candidates} candidates, statuses {statuses}): first "
        f"{timings[0]:.0f} ms, warm p50 {statistics.median(warm):.0f} ms, p95 {percentile(warm, 0.95):.0f} ms"
    )
    errors = sum(n for k, n in statuses.items() if k.startswith("http_"))
    return {
        "first": round(timings[0], 1),
        "p50": round(statistics.median(warm), 1),
        "p95": round(percentile(warm, 0.95), 1),
        "candidates": candidates,
        "errors": errors,
    }


@contextlib.contextmanager
def _database(reuse: str | None, keep: bool) -> Iterator[sa.URL]:
    """The database to measure: `reuse` as is, else a fresh scratch database (kept with `keep`)."""
    if reuse:
        yield sa.make_url(reuse)
        return
    from predictfluence_tools.localdb import database_url
    from predictfluence_tools.scratchdb import scratch_database

    with scratch_database(database_url(), "pf_bench", keep=keep) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--influencers", type=int, default=100_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --influencers")
    parser.add_argument("--days", type=int, default=16)
    parser.add_argument("--iterations", type=int, default=60)
    parser.add_argument(
        "--sql-seed", action="store_true", help="seed with generate_series SQL, not generator + ETL"
    )
    parser.add_argument(
        "--plan-iterations", type=int, default=10, help="POST /campaigns/{id}/plan calls (0: skip)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--only", default="", help="comma-separated endpoint name prefixes (e.g. list_)")
    parser.add_argument("--reuse", help="a database URL kept by --keep: migrate it to head, do not seed")
    parser.add_argument(
        "--seed", type=int, default=16, help="the RNG seed of the drawn ids, pages and filters"
    )
    parser.add_argument(
        "--clients", type=int, default=8, help="concurrent client threads against the HTTP server (0: skip)"
    )
    parser.add_argument("--concurrent-requests", type=int, default=800, help="requests over all clients")
    args = parser.parse_args()
    only = tuple(p for p in args.only.split(",") if p)
    seeding: dict[str, Any] | None = None  # generation and ETL seconds (generator + ETL seeding only)
    influencers = max(10, int(args.influencers * args.scale))

    from predictfluence.db import create_engine, set_engine
    from predictfluence_tools import migrate

    with _database(args.reuse, args.keep) as url:
        engine = create_engine(url)
        set_engine(engine)
        try:
            migrate.upgrade(engine)
            started = time.perf_counter()
            if args.reuse:
                log(f"reusing {args.reuse} (not seeded again)")
            else:
                if args.keep:
                    log(f"kept for --reuse: {url.render_as_string(hide_password=False)}")
                if args.sql_seed:
                    seed_with_sql(engine, influencers, args.days)
                else:
                    seeding = seed_with_generator_and_etl(engine, influencers, args.days)
                seed_scores(engine)
                # the steady state autovacuum keeps: statistics, and visibility maps so that index-only scans
                # (the flagged scores' partial index, read on every hide_flagged request) skip the heap
                # (a fresh connection: a pooled one pre-pinged inside pg8000's open transaction cannot VACUUM)
                vacuum = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
                with vacuum.connect() as conn:
                    conn.execute(sa.text("VACUUM (ANALYZE)"))
                vacuum.dispose()
            with engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))
                counts = conn.execute(
                    sa.text(
                        "SELECT (SELECT count(*) FROM influencer), (SELECT count(*) FROM post_metric_daily)"
                    )
                ).one()
            how = "reused" if args.reuse else "SQL generate_series" if args.sql_seed else "generator + ETL"
            log(
                f"seeded {counts[0]:,d} influencers, {counts[1]:,d} metric rows in "
                f"{time.perf_counter() - started:.1f} s ({how}); {dt.datetime.now(dt.UTC):%H:%M:%S}"
            )
            p50, p95, hot_p50, hot_p95, baseline = measure(engine, args.iterations, only, args.seed)
            concurrent = (
                measure_concurrent(engine, args.clients, args.concurrent_requests, only, args.seed + 1)
                if args.clients
                else None
            )
            planner = (
                measure_planner(engine, args.plan_iterations) if args.plan_iterations and not only else None
            )
            log(f"baseline SELECT 1: {baseline:.2f} ms")
            log(
                f"{'endpoint (drawn URLs | one hot URL)':34s} {'p50 ms':>8s} {'p95 ms':>8s} {'p50/SELECT 1':>13s}"
                f" {'hot p50':>8s} {'hot p95':>8s}"
            )
            for endpoint in p50:
                log(
                    f"{endpoint:34s} {p50[endpoint]:8.2f} {p95[endpoint]:8.2f} {p50[endpoint] / baseline:13.1f}"
                    f" {hot_p50[endpoint]:8.2f} {hot_p95[endpoint]:8.2f}"
                )
            if concurrent:
                log(f"concurrent through HTTP: {json.dumps(concurrent)}")
        finally:
            set_engine(None)
            engine.dispose()
    result = {
        "p95_ms": p95,
        "p50_ms": p50,
        "hot_p95_ms": hot_p95,
        "hot_p50_ms": hot_p50,
        "influencers": counts[0],
        "metric_rows": counts[1],
        "baseline_select1_ms": round(baseline, 3),
    }
    if planner is not None:
        result["planner_ms"] = planner
    if concurrent is not None:
        result["concurrent"] = concurrent
    if seeding is not None:
        result["seeding"] = seeding
    print(json.dumps(result))


if __name__ == "__main__":
    main()
