"""Load test: N concurrent clients against the local API for S seconds over a realistic manager mix.

Starts `predictfluence run` (own embedded PostgreSQL, demo data through S3 → SQS → ETL) on free loopback
ports unless --url is given, then runs --clients threads, each a loop of requests over http.client
(one connection per request with `Connection: close`: chalice local stalls on keep-alive). Bounded in
time (--seconds) and count (--max-requests per client). Every non-2xx answer or network error counts as
an error. Last output line: JSON {"clients", "seconds", "requests", "errors", "p50_ms", "p95_ms",
"p99_ms", "rps", "per_endpoint": {...}}.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 20] [--influencers 2000] [--url URL --key KEY]
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _localapi import local_api  # noqa: E402

PLATFORMS = ["instagram", "tiktok", "youtube", "twitter"]
TIERS = ["nano", "micro", "mid", "macro", "mega"]
DIMENSIONS = ["country", "age_group", "gender"]


@dataclass
class Ids:
    influencers: list[int]
    campaigns: list[int]
    categories: list[str]
    sorts: list[str]  # GET /influencers' sort enum, read from the OpenAPI document


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    slow_connects: int = 0
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def mix(ids: Ids) -> list[tuple[float, str, Callable[[random.Random], str]]]:
    """(weight, endpoint label, path maker): discovery first, then profiles, campaigns and analytics."""
    def influencers(r: random.Random) -> str:
        query = {"sort": r.choice(ids.sorts), "order": r.choice(["asc", "desc"]), "page_size": r.choice([20, 50])}
        if r.random() < 0.6:
            query["platform"] = r.choice(PLATFORMS)
        if r.random() < 0.4:
            query["tier"] = r.choice(TIERS)
        if r.random() < 0.3 and ids.categories:
            query["category"] = r.choice(ids.categories)
        if r.random() < 0.2:
            query["min_followers"] = r.choice([1000, 10000, 50000])
        if r.random() < 0.1:
            query["page"] = r.randint(2, 5)
        return "/influencers?" + urllib.parse.urlencode(query)

    return [
        (30, "influencers_list", influencers),
        (20, "influencer_profile", lambda r: f"/influencers/{r.choice(ids.influencers)}"),
        (5, "influencer_similar", lambda r: f"/influencers/{r.choice(ids.influencers)}/similar"),
        (10, "campaign_summary", lambda r: f"/campaigns/{r.choice(ids.campaigns)}/summary"),
        (5, "campaigns_list", lambda r: "/campaigns?page_size=50"),
        (8, "analytics_kpis", lambda r: "/analytics/kpis"),
        (8, "analytics_trend", lambda r: f"/analytics/engagement-trend?days={r.choice([7, 30, 90])}"
                                         + (f"&platform={r.choice(PLATFORMS)}" if r.random() < 0.5 else "")),
        (5, "analytics_top_campaigns", lambda r: "/analytics/top-campaigns?limit=10"),
        (5, "analytics_demographics", lambda r: f"/analytics/demographics?dimension={r.choice(DIMENSIONS)}"),
        (4, "analytics_content_types", lambda r: "/analytics/content-types"),
    ]


SLOW_CONNECT_MS = 900.0  # a dropped SYN is retransmitted after 1 s: the server's listen queue overflowed


def request(host: str, port: int, path: str, key: str, timeout: float = 30) -> tuple[int, bytes, float]:
    """(status, body, connect ms)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        t0 = time.perf_counter()
        conn.connect()
        connect_ms = (time.perf_counter() - t0) * 1000
        conn.request("GET", path, headers={"Authorization": f"Bearer {key}", "Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read(), connect_ms
    finally:
        conn.close()


def discover(url: str, key: str) -> Ids:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    def get(path: str) -> dict:
        status, body, _ = request(host, port, path, key)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body[:200]!r}")
        return json.loads(body)

    document = get("/openapi.json")
    parameters = document["paths"]["/influencers"]["get"]["parameters"]
    sorts = next(p["schema"]["enum"] for p in parameters if p["name"] == "sort")
    influencers = get("/influencers?page_size=200&sort=followers")["items"]
    campaigns = get("/campaigns?page_size=200")["items"]
    if not influencers or not campaigns:
        raise RuntimeError("the API has no influencers or campaigns to load-test (demo data missing?)")
    return Ids([i["id"] for i in influencers], [c["id"] for c in campaigns],
               sorted({i["category"] for i in influencers if i.get("category")}), list(sorts))


def client_loop(n: int, url: str, key: str, ids: Ids, deadline: float, max_requests: int, stats: Stats) -> None:
    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    rng = random.Random(1000 + n)
    choices = mix(ids)
    weights = [w for w, _, _ in choices]
    for _ in range(max_requests):
        if time.monotonic() >= deadline:
            return
        _, label, make = rng.choices(choices, weights)[0]
        path = make(rng)
        t0 = time.perf_counter()
        connect_ms = 0.0
        try:
            status, body, connect_ms = request(host, port, path, key)
            error = None if 200 <= status < 300 else f"{status} {path} {body[:160]!r}"
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__} {path}: {exc}"
        elapsed = (time.perf_counter() - t0) * 1000
        with stats.lock:
            stats.latencies[label].append(elapsed)
            stats.slow_connects += connect_ms >= SLOW_CONNECT_MS
            if error:
                stats.errors[label] += 1
                if len(stats.samples) < 10:
                    stats.samples.append(error)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summarize(stats: Stats, clients: int, seconds: float, wall: float) -> dict:
    every = [v for values in stats.latencies.values() for v in values]
    per_endpoint = {
        label: {"requests": len(v), "errors": stats.errors.get(label, 0), "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1)}
        for label, v in sorted(stats.latencies.items())
    }
    return {"clients": clients, "seconds": round(seconds), "requests": len(every),
            "errors": sum(stats.errors.values()), "p50_ms": round(percentile(every, 50), 1),
            "p95_ms": round(percentile(every, 95), 1), "p99_ms": round(percentile(every, 99), 1),
            "mean_ms": round(statistics.fmean(every), 1) if every else 0.0,
            "rps": round(len(every) / wall, 1) if wall else 0.0, "slow_connects": stats.slow_connects,
            "per_endpoint": per_endpoint}


def run_load(url: str, key: str, clients: int, seconds: float, max_requests: int) -> dict:
    ids = discover(url, key)
    print(f"target {url}: {len(ids.influencers)} influencer ids, {len(ids.campaigns)} campaign ids; "
          f"{clients} clients × {seconds:.0f} s", flush=True)
    stats = Stats()
    start = time.monotonic()
    deadline = start + seconds
    threads = [threading.Thread(target=client_loop, args=(n, url, key, ids, deadline, max_requests, stats),
                                daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)  # bounded: a request times out after 30 s
    wall = time.monotonic() - start
    result = summarize(stats, clients, seconds, wall)
    for label, figures in result["per_endpoint"].items():
        print(f"  {label:26s} {figures['requests']:>7d} req  {figures['errors']:>4d} err  "
              f"p50 {figures['p50_ms']:>7.1f} ms  p95 {figures['p95_ms']:>7.1f} ms")
    for sample in stats.samples:
        print("  error:", sample)
    print(f"  connects that waited ≥ {SLOW_CONNECT_MS:.0f} ms (SYN retransmitted: the server's listen queue was "
          f"full): {stats.slow_connects}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--max-requests", type=int, default=100_000, help="per client (a bound, not a target)")
    parser.add_argument("--influencers", type=int, default=2000, help="demo data size of the started stack")
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--url", help="an already running API on loopback (skips starting the stack)")
    parser.add_argument("--key", help="API key for --url")
    args = parser.parse_args(argv)
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("--url must be a loopback address")
        if not args.key:
            parser.error("--url needs --key")
        result = run_load(args.url, args.key, args.clients, args.seconds, args.max_requests)
    else:
        with local_api(args.influencers, args.days) as api:
            result = run_load(api.url, api.key, args.clients, args.seconds, args.max_requests)
        result["influencers"] = args.influencers
    print(json.dumps(result))
    return 0 if result["errors"] == 0 and result["requests"] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
