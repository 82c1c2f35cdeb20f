"""`predictfluence demo-data`: synthetic CSVs for every input kind (etl_jobs.spec), deterministic per seed.

Stages: accounts (+ audience) -> campaigns and hires -> posts -> daily metrics (chunked) -> conversions,
then `_truth.json` with the generating parameters and the accounts with bought engagement.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from etl_jobs.spec import KINDS
from predictfluence.vocab import CSV_KINDS
from predictfluence_tools.demo import params as P
from predictfluence_tools.demo.accounts import SHARE_UNITS, Accounts, make_accounts
from predictfluence_tools.demo.campaigns import Campaign, Hire, make_campaigns
from predictfluence_tools.demo.conversions import conversion_rows
from predictfluence_tools.demo.metrics import metric_chunks
from predictfluence_tools.demo.posts import TRACKED, Posts, make_posts

# Every CSV kind but the public-profile snapshots, in load order (predictfluence.vocab).
OUTPUT_KINDS: tuple[str, ...] = tuple(kind for kind in CSV_KINDS if kind != "profiles")
TRUTH_FILE = "_truth.json"
CHUNK_POSTS = 50_000
PILOT_ACCOUNTS = 4_000


@dataclass(frozen=True)
class DemoConfig:
    influencers: int = 2_000
    days: int = 120
    seed: int = 42
    campaigns: int | None = None  # default: max(8, influencers // 50), at most 2,000
    end_date: dt.date | None = None  # default: today (UTC)

    def resolved_end(self) -> dt.date:
        return self.end_date or dt.datetime.now(dt.UTC).date()

    def resolved_campaigns(self) -> int:
        return self.campaigns if self.campaigns is not None else min(2_000, max(8, self.influencers // 50))


@dataclass
class DemoResult:
    out_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def _seed(seed: int, stage: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stage]))


def _iso_ts(day: dt.date, second: int) -> str:
    return f"{day.isoformat()}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


TIME_OF_DAY = np.array(
    [f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in range(86_400)], dtype=object
)


class _Csv:
    """One output file: header from etl_jobs.spec, csv-module quoting, LF line ends, UTF-8."""

    def __init__(self, path: Path, kind: str):
        self.path = path
        self._file = path.open("w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._file, lineterminator="\n")
        self._writer.writerow(KINDS[kind].column_names)
        self.rows = 0

    def write(self, rows: Iterable[tuple] | list[tuple]) -> None:
        rows = list(rows)
        self._writer.writerows(rows)
        self.rows += len(rows)

    def close(self) -> None:
        self._file.close()


def expected_metric_rows_per_account(accounts: Accounts, days: int) -> np.ndarray:
    """Expected daily-metric rows of each account's organic posts over `days` (the estimate printed)."""
    d = np.arange(days - 1)
    per_type = np.array([np.minimum(t, days - d).mean() for t in TRACKED])  # mean tracked rows per post
    probs = np.diff(np.concatenate([np.zeros((len(accounts), 1)), accounts.content_cdf], axis=1), axis=1)
    return accounts.posts_per_day * (days - 1) * (probs @ per_type)


def estimate_metric_rows(influencers: int, days: int, seed: int = 0) -> int:
    pilot = make_accounts(_seed(seed, 99), min(PILOT_ACCOUNTS, max(influencers, 200)))
    return round(float(expected_metric_rows_per_account(pilot, days).mean()) * influencers)


def influencers_for_rows(rows_target: int, days: int, seed: int = 0) -> int:
    """How many influencers give about `rows_target` daily-metric rows over `days`."""
    pilot = make_accounts(_seed(seed, 99), PILOT_ACCOUNTS)
    per_account = float(expected_metric_rows_per_account(pilot, days).mean())
    return max(1, math.ceil(rows_target / per_account))


def generate(config: DemoConfig, out_dir: Path) -> DemoResult:
    started = time.perf_counter()
    if config.influencers < 1 or config.days < 2:
        raise ValueError("need at least 1 influencer and 2 days")
    end = config.resolved_end()
    if end > dt.datetime.now(dt.UTC).date():
        raise ValueError(f"end date {end} is in the future")
    out_dir.mkdir(parents=True, exist_ok=True)
    first = end - dt.timedelta(days=config.days - 1)
    calendar = [first + dt.timedelta(days=i) for i in range(config.days)]
    dates = np.array([d.isoformat() for d in calendar], dtype=object)

    accounts = make_accounts(_seed(config.seed, 1), config.influencers)
    campaigns, hires = make_campaigns(
        _seed(config.seed, 2), accounts, config.resolved_campaigns(), config.days, end.year
    )
    posts = make_posts(_seed(config.seed, 3), accounts, campaigns, hires, config.days)
    platform_names = np.array(P.PLATFORMS, dtype=object)
    result = DemoResult(out_dir)

    def emit(kind: str, rows: Iterable[Iterable[tuple]]) -> None:
        out = _Csv(out_dir / f"{kind}.csv", kind)
        try:
            for chunk in rows:
                out.write(chunk)
        finally:
            out.close()
        result.rows[kind] = out.rows
        result.files[kind] = out.path

    emit("influencers", [_influencer_rows(accounts)])
    emit("campaigns", [_campaign_rows(campaigns, first, config.days - 1)])
    emit("audience", [_audience_rows(accounts)])
    emit("hires", [_hire_rows(hires, campaigns, accounts, calendar, first)])
    emit("posts", _post_rows(posts, accounts, campaigns, hires, dates))
    emit("post_metrics", metric_chunks(config.seed, accounts, posts, platform_names, dates, CHUNK_POSTS))
    emit("conversions", [conversion_rows(_seed(config.seed, 5), accounts, campaigns, hires, posts, dates)])
    _write_truth(out_dir / TRUTH_FILE, config, end, accounts, calendar, result.rows)
    result.seconds = time.perf_counter() - started
    return result


def _influencer_rows(a: Accounts) -> list[tuple]:
    return list(
        zip(
            [P.PLATFORMS[p] for p in a.platform.tolist()],
            a.handle.tolist(),
            a.name.tolist(),
            [P.CATEGORIES[c] for c in a.category.tolist()],
            [P.COUNTRIES[c][0] for c in a.country.tolist()],
            a.language.tolist(),
            a.followers.tolist(),
            strict=True,
        )
    )


SHARE_TEXT = np.array(
    [f"{u // SHARE_UNITS}.{u % SHARE_UNITS:04d}" for u in range(SHARE_UNITS + 1)], dtype=object
)


def _audience_rows(a: Accounts) -> list[tuple]:
    """Per account: country buckets, then age groups, then genders (13 rows), vectorised."""
    n = len(a)
    countries = np.array([c[0] for c in P.COUNTRIES] + [P.OTHER_BUCKET], dtype=object)
    other = np.full((n, 1), len(P.COUNTRIES))
    bucket = np.concatenate(
        [
            countries[np.concatenate([a.country_index, other], axis=1)],
            np.broadcast_to(np.array(P.AGE_GROUPS, dtype=object), (n, len(P.AGE_GROUPS))),
            np.broadcast_to(np.array(P.GENDERS, dtype=object), (n, len(P.GENDERS))),
        ],
        axis=1,
    )
    units = np.concatenate([a.country_units, a.age_units, a.gender_units], axis=1)
    dims = (
        ["country"] * a.country_units.shape[1]
        + ["age_group"] * len(P.AGE_GROUPS)
        + ["gender"] * len(P.GENDERS)
    )
    per = len(dims)
    platform = np.array(P.PLATFORMS, dtype=object)[a.platform]
    return list(
        zip(
            np.repeat(platform, per).tolist(),
            np.repeat(a.handle, per).tolist(),
            dims * n,
            bucket.ravel().tolist(),
            SHARE_TEXT[units.ravel()].tolist(),
            strict=True,
        )
    )


def _campaign_rows(campaigns: list[Campaign], first: dt.date, last_day: int) -> list[tuple]:
    """Dates after the data's end date are left empty (a draft is not scheduled yet, an active campaign is
    open-ended as of the end date): the ETL rejects dates after tomorrow, and the data never looks ahead."""

    def day(offset: int) -> str:
        return (first + dt.timedelta(days=offset)).isoformat() if offset <= last_day else ""

    return [
        (c.name, c.brand, c.objective, c.status, day(c.start_day), day(c.end_day), f"{c.budget:.2f}", "USD")
        for c in campaigns
    ]


def _hire_rows(
    hires: list[Hire], campaigns: list[Campaign], a: Accounts, calendar: list[dt.date], first: dt.date
) -> list[tuple]:
    """The hires; those of a campaign whose hires cost more than its budget carry `overspend` = true (the
    ETL applies the API's budget rule, and these overspends were approved)."""
    cost = [0.0] * len(campaigns)
    for h in hires:
        cost[h.campaign] += h.cost if h.status != "cancelled" else 0.0
    over = [round(c, 2) > campaigns[i].budget for i, c in enumerate(cost)]
    return [
        (campaigns[h.campaign].name, P.PLATFORMS[a.platform[h.account]], a.handle[h.account], h.status,
         f"{h.cost:.2f}", _iso_ts(first + dt.timedelta(days=h.hired_day), h.hired_second),
         "true" if over[h.campaign] else "")
        for h in hires
    ]  # fmt: skip


def _post_rows(
    posts: Posts, a: Accounts, campaigns: list[Campaign], hires: list[Hire], dates: np.ndarray
) -> Iterable[list[tuple]]:
    campaign_of_hire = [campaigns[h.campaign].name for h in hires] + [""]
    for lo in range(0, len(posts), CHUNK_POSTS * 4):
        hi = min(lo + CHUNK_POSTS * 4, len(posts))
        account = posts.account[lo:hi]
        yield list(
            zip(
                [P.PLATFORMS[p] for p in a.platform[account].tolist()],
                posts.post_id[lo:hi].tolist(),
                a.handle[account].tolist(),
                (dates[posts.day[lo:hi]] + TIME_OF_DAY[posts.second[lo:hi]]).tolist(),
                [P.CONTENT_TYPES[t] for t in posts.content[lo:hi].tolist()],
                ["true" if s else "false" for s in posts.sponsored[lo:hi].tolist()],
                [campaign_of_hire[h] for h in posts.hire[lo:hi].tolist()],
                strict=True,
            )
        )


def _write_truth(
    path: Path, config: DemoConfig, end: dt.date, a: Accounts, calendar: list[dt.date], rows: dict[str, int]
) -> None:
    rng = _seed(config.seed, 6)
    suspicious = []
    for i in np.flatnonzero(a.suspicious).tolist():
        bought_followers = bool(a.follower_jump[i] > 1.0)
        suspicious.append(
            {
                "platform": P.PLATFORMS[a.platform[i]],
                "handle": a.handle[i],
                "reasons": ["bought_likes"] + (["bought_followers"] if bought_followers else []),
                "likes_multiplier": round(float(a.likes_boost[i]), 3),
                "followers": int(a.followers[i]),
                "organic_followers": int(a.organic_followers[i]),
                "follower_jump_date": calendar[int(rng.integers(0, len(calendar)))].isoformat()
                if bought_followers
                else None,
            }
        )
    truth = {
        "seed": config.seed,
        "influencers": config.influencers,
        "days": config.days,
        "campaigns": config.resolved_campaigns(),
        "end_date": end.isoformat(),
        "first_date": calendar[0].isoformat(),
        "rows": rows,
        "suspicious": suspicious,
        "params": P.as_dict(),
        "er_formula": (
            "ER_post = ER_BASE * (organic_followers/ER_FOLLOWER_REF)^FOLLOWER_ELASTICITY * PLATFORM_ER * "
            "CONTENT_ER * CATEGORY_ER * exp(FIT_BETA*(fit-FIT_REF)) * quality * (SPONSORED_ER if sponsored) "
            "* lognormal noise; capped at ER_CAP; measured ER = realised engagements / reported followers"
        ),
    }
    path.write_text(json.dumps(truth, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
