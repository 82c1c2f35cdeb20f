"""bench/etl.py's input files: `rows` rows of every ETL kind, deterministic, referencing each other.

Row i of every kind is a pure function of (i, rows, variant). Variant 0 is the first load; variant 1
changes the values of every 10th row (i % 10 == 0, for audience every 10th group of 4 buckets) and
variant 2 changes every row, each by a different amount than the other variant, so each reload differs
from the stored state in exactly 10 % / 100 % of the rows. Keys never change (a reload updates, it does
not insert). References: influencer j is `creator<j>` on PLATFORMS[j % 4]; post i belongs to influencer
i; post_metrics covers posts 0 … rows/10 - 1 over 10 days; hire i is campaign i × influencer i;
conversions are 10 days of hire i // 10; audience gives 4 country buckets to influencer i // 4.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from predictfluence.vocab import CAMPAIGN_STATUSES, CATEGORIES, HIRE_STATUSES

PLATFORMS = ("instagram", "tiktok", "youtube", "twitter")
DAYS = 10  # daily metrics and conversions: days per post / hire
BUCKETS = (("US", 40), ("GB", 30), ("DE", 20), ("FR", 10))  # audience: country buckets, share in %
START = dt.date.today() - dt.timedelta(days=60)
ACTIVE = CAMPAIGN_STATUSES[1]
CONTRACTED = HIRE_STATUSES[1]


def changed(i: int, variant: int) -> int:
    """The amount row i's values move by in `variant` (0: unchanged)."""
    return variant if variant == 2 or (variant == 1 and i % 10 == 0) else 0


def _handle(j: int) -> tuple[str, str]:
    return PLATFORMS[j % len(PLATFORMS)], f"creator{j:07d}"


def influencers(rows: int, variant: int) -> Iterator[str]:
    yield "platform,handle,name,category,country,language,followers\n"
    for i in range(rows):
        platform, handle = _handle(i)
        yield (f"{platform},{handle},Creator {i},{CATEGORIES[i % 20]},US,en,"
               f"{1000 + i * 37 + changed(i, variant)}\n")


def campaigns(rows: int, variant: int) -> Iterator[str]:
    yield "name,brand,objective,status,start_date,end_date,budget,currency\n"
    for i in range(rows):
        yield (f"campaign{i:07d},Brand {i % 997},awareness,{ACTIVE},{START},{START + dt.timedelta(days=365)},"
               f"{1_000_000 + changed(i, variant)},USD\n")


def posts(rows: int, variant: int) -> Iterator[str]:
    yield "platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
    for i in range(rows):
        platform, handle = _handle(i)
        yield f"{platform},post{i:07d},{handle},{START}T{10 + changed(i, variant):02d}:00:00Z,video,false,\n"


def post_metrics(rows: int, variant: int) -> Iterator[str]:
    yield "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
    dates = [(START + dt.timedelta(days=d)).isoformat() for d in range(DAYS)]
    for i in range(rows):
        p, d = divmod(i, DAYS)
        likes = 40 + (p * 7919) % 5000 + d + changed(i, variant)
        views = f"{likes * 14 + d}" if p % 3 else ""
        yield (f"{PLATFORMS[p % len(PLATFORMS)]},post{p:07d},{dates[d]},{likes},{likes // 12},{likes // 40},"
               f"{likes // 25},{views},{likes * 9},{likes * 13}\n")


def audience(rows: int, variant: int) -> Iterator[str]:
    yield "platform,handle,dimension,bucket,share\n"
    for i in range(rows):
        g, b = divmod(i, len(BUCKETS))
        platform, handle = _handle(g)
        move = changed(g, variant)  # the first two buckets trade `move` points: the group still sums to 1
        share = BUCKETS[b][1] + (-move if b == 0 else move if b == 1 else 0)
        yield f"{platform},{handle},country,{BUCKETS[b][0]},{share / 100:.2f}\n"


def hires(rows: int, variant: int) -> Iterator[str]:
    yield "campaign,platform,handle,status,agreed_cost,hired_at,overspend\n"
    for i in range(rows):
        platform, handle = _handle(i)
        yield f"campaign{i:07d},{platform},{handle},{CONTRACTED},{100 + changed(i, variant)},{START}T09:00:00Z,false\n"


def conversions(rows: int, variant: int) -> Iterator[str]:
    yield "campaign,platform,handle,date,clicks,orders,revenue\n"
    for i in range(rows):
        h, d = divmod(i, DAYS)
        platform, handle = _handle(h)
        clicks = 50 + (h * 31) % 400 + changed(i, variant)
        yield f"campaign{h:07d},{platform},{handle},{START + dt.timedelta(days=d)},{clicks},{clicks // 20},{clicks * 1.5:.2f}\n"


def profiles(rows: int, variant: int) -> Iterator[str]:
    yield "handle,platform,name,category,country,followers,posts,avg_likes,avg_views,engagement_rate,as_of\n"
    for i in range(rows):
        platform, handle = _handle(i)
        followers = 5000 + i * 11 + changed(i, variant)
        yield (f"{handle},{platform},Creator {i},{CATEGORIES[i % 20]},US,{followers},{100 + i % 50},"
               f"{followers // 30},{followers // 4},0.031,{START + dt.timedelta(days=30)}\n")


WRITERS: dict[str, Callable[[int, int], Iterator[str]]] = {
    "influencers": influencers, "campaigns": campaigns, "posts": posts, "post_metrics": post_metrics,
    "audience": audience, "hires": hires, "conversions": conversions, "profiles": profiles,
}


def write(kind: str, folder: Path, rows: int, variant: int) -> Path:
    path = folder / f"{kind}-{variant}.csv"
    with open(path, "w", encoding="utf-8", newline="") as out:
        lines = WRITERS[kind](rows, variant)
        out.write(next(lines))
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) == 50_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    return path
