"""The synthetic data generator: contract, integrity, determinism and the signals the ML must find."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from etl_jobs.spec import KINDS
from predictfluence.tiers import TIERS, follower_tier
from predictfluence_tools.demo.generator import OUTPUT_KINDS, DemoConfig, generate

END = dt.date(2026, 6, 30)
SMALL = DemoConfig(influencers=300, days=30, seed=7, end_date=END)

FORMATS = {
    "int": re.compile(r"^(0|[1-9]\d*)$"),
    "money": re.compile(r"^(0|[1-9]\d*)\.\d{2}$"),
    "fraction": re.compile(r"^[01]\.\d{4}$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "timestamp": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
    "bool": re.compile(r"^(true|false)$"),
}


def read(out: Path, kind: str) -> list[dict[str, str]]:
    with (out / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo")
    generate(SMALL, path)
    return path


@pytest.fixture(scope="module")
def data(out: Path) -> dict[str, list[dict[str, str]]]:
    return {kind: read(out, kind) for kind in OUTPUT_KINDS}


@pytest.fixture(scope="module")
def post_er(data: dict[str, list[dict[str, str]]]) -> dict[tuple[str, str], float]:
    followers = {(r["platform"], r["handle"]): int(r["followers"]) for r in data["influencers"]}
    owner = {(r["platform"], r["post_id"]): (r["platform"], r["handle"]) for r in data["posts"]}
    engagements: dict[tuple[str, str], int] = defaultdict(int)
    for r in data["post_metrics"]:
        engagements[(r["platform"], r["post_id"])] += sum(
            int(r[c]) for c in ("likes", "comments", "shares", "saves")
        )
    return {post: engagements[post] / followers[owner[post]] for post in owner}


def test_headers_match_the_contract_and_values_are_strict(out: Path) -> None:
    for kind in OUTPUT_KINDS:
        with (out / f"{kind}.csv").open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            assert tuple(header) == KINDS[kind].column_names, kind
            types = [c.type for c in KINDS[kind].columns]
            required = [c.required for c in KINDS[kind].columns]
            rows = 0
            for row in reader:
                rows += 1
                assert len(row) == len(header)
                for value, type_, req in zip(row, types, required, strict=True):
                    if value == "":
                        assert not req, (kind, row)
                        continue
                    assert "nan" not in value.lower() or type_ == "text"
                    if type_ in FORMATS:
                        assert FORMATS[type_].match(value), (kind, type_, value)
            assert rows > 0, kind
    assert not (out / "profiles.csv").exists()


def test_referential_integrity(data: dict[str, list[dict[str, str]]]) -> None:
    accounts = {(r["platform"], r["handle"]) for r in data["influencers"]}
    assert len(accounts) == len(data["influencers"])
    campaigns = {r["name"] for r in data["campaigns"]}
    assert len(campaigns) == len(data["campaigns"])
    posts = {(r["platform"], r["post_id"]) for r in data["posts"]}
    assert len(posts) == len(data["posts"])
    assert all((r["platform"], r["handle"]) in accounts for r in data["posts"])
    assert all(r["campaign"] in campaigns for r in data["posts"] if r["campaign"])
    assert all(r["sponsored"] == "true" for r in data["posts"] if r["campaign"])
    metric_keys = [(r["platform"], r["post_id"], r["date"]) for r in data["post_metrics"]]
    assert len(set(metric_keys)) == len(metric_keys)
    assert {(p, i) for p, i, _ in metric_keys} <= posts
    assert all((r["platform"], r["handle"]) in accounts for r in data["audience"])
    hires = {(r["campaign"], r["platform"], r["handle"]) for r in data["hires"]}
    assert len(hires) == len(data["hires"])
    assert all(c in campaigns and (p, h) in accounts for c, p, h in hires)
    assert data["conversions"]
    assert all((r["campaign"], r["platform"], r["handle"]) in hires for r in data["conversions"])
    linked = {(r["campaign"], r["platform"], r["handle"]) for r in data["posts"] if r["campaign"]}
    assert linked <= hires


def test_audience_shares_sum_to_one(data: dict[str, list[dict[str, str]]]) -> None:
    sums: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in data["audience"]:
        sums[(r["platform"], r["handle"], r["dimension"])] += float(r["share"])
    assert len(sums) == 3 * len(data["influencers"])
    assert all(abs(s - 1) <= 0.001 for s in sums.values())
    assert {d for _, _, d in sums} == {"country", "age_group", "gender"}
    buckets = {(r["dimension"], r["bucket"]) for r in data["audience"]}
    assert {b for d, b in buckets if d == "age_group"} == {"13-17", "18-24", "25-34", "35-44", "45+"}
    assert {b for d, b in buckets if d == "gender"} == {"female", "male", "other"}


def test_realistic_breadth(data: dict[str, list[dict[str, str]]]) -> None:
    infl = data["influencers"]
    assert len({r["platform"] for r in infl}) >= 4
    assert len({r["category"] for r in infl}) >= 8
    assert len({r["country"] for r in infl}) >= 8
    tiers = [follower_tier(int(r["followers"])) for r in infl]
    assert set(tiers) == set(TIERS)
    assert sum(t in ("nano", "micro", "mid") for t in tiers) / len(tiers) > 0.9
    types = {(r["platform"], r["content_type"]) for r in data["posts"]}
    assert {
        ("instagram", "reel"),
        ("instagram", "image"),
        ("instagram", "carousel"),
        ("instagram", "story"),
    } <= types
    assert ("youtube", "short") in types and ("tiktok", "video") in types
    assert {r["status"] for r in data["campaigns"]} >= {"completed", "active"}


def test_metrics_are_consistent(data: dict[str, list[dict[str, str]]]) -> None:
    video = {"reel", "story", "video", "short", "live", "clip"}
    kind = {(r["platform"], r["post_id"]): r["content_type"] for r in data["posts"]}
    posted = {(r["platform"], r["post_id"]): r["posted_at"][:10] for r in data["posts"]}
    for r in data["post_metrics"]:
        key = (r["platform"], r["post_id"])
        assert int(r["reach"]) <= int(r["impressions"])
        assert (r["views"] != "") == (kind[key] in video)
        assert r["date"] >= posted[key]


def test_no_dates_after_the_end_date(data: dict[str, list[dict[str, str]]]) -> None:
    end = END.isoformat()
    assert max(r["date"] for r in data["post_metrics"]) == end
    assert max(r["date"] for r in data["conversions"]) <= end
    assert max(r["posted_at"] for r in data["posts"]) < end
    assert max(r["hired_at"] for r in data["hires"]) < end
    campaign_dates = [r[c] for r in data["campaigns"] for c in ("start_date", "end_date") if r[c]]
    assert campaign_dates and max(campaign_dates) <= end
    assert all(r["end_date"] in ("", end) for r in data["campaigns"] if r["status"] in ("active", "paused"))


def test_default_end_date_is_today_and_nothing_is_in_the_future(tmp_path: Path) -> None:
    result = generate(DemoConfig(influencers=40, days=3, seed=1), tmp_path)
    now = dt.datetime.now(dt.UTC)
    today = now.date().isoformat()
    assert max(r["date"] for r in read(tmp_path, "post_metrics")) == today
    assert max(r["posted_at"] for r in read(tmp_path, "posts")) <= now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert result.rows["influencers"] == 40


def test_future_end_date_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="future"):
        generate(
            DemoConfig(influencers=10, days=3, end_date=dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)), tmp_path
        )


def test_same_seed_gives_identical_files_and_another_seed_does_not(out: Path, tmp_path: Path) -> None:
    def digests(path: Path) -> dict[str, str]:
        names = [f"{k}.csv" for k in OUTPUT_KINDS] + ["_truth.json"]
        return {n: hashlib.sha256((path / n).read_bytes()).hexdigest() for n in names}

    generate(SMALL, tmp_path / "again")
    assert digests(tmp_path / "again") == digests(out)
    generate(DemoConfig(influencers=300, days=30, seed=8, end_date=END), tmp_path / "other")
    assert digests(tmp_path / "other")["post_metrics.csv"] != digests(out)["post_metrics.csv"]


def test_engagement_depends_on_tier_and_content_type(
    data: dict[str, list[dict[str, str]]], post_er: dict[tuple[str, str], float]
) -> None:
    tier = {(r["platform"], r["handle"]): follower_tier(int(r["followers"])) for r in data["influencers"]}
    by_tier: dict[str, list[float]] = defaultdict(list)
    by_type: dict[str, list[float]] = defaultdict(list)
    by_platform: dict[str, list[float]] = defaultdict(list)
    for r in data["posts"]:
        er = post_er[(r["platform"], r["post_id"])]
        by_tier[tier[(r["platform"], r["handle"])]].append(er)
        by_platform[r["platform"]].append(er)
        if r["platform"] == "instagram":
            by_type[r["content_type"]].append(er)
    mean = {k: float(np.mean(v)) for k, v in by_tier.items()}
    assert mean["nano"] > 1.5 * mean["mega"]
    assert mean["nano"] > mean["micro"] > mean["mid"]
    assert np.mean(by_type["reel"]) > 1.1 * np.mean(by_type["image"])
    assert np.mean(by_type["image"]) > 1.3 * np.mean(by_type["story"])
    assert (
        np.median(by_platform["tiktok"])
        > np.median(by_platform["instagram"])
        > np.median(by_platform["twitter"])
    )


def test_a_linear_model_recovers_the_generating_effects(
    data: dict[str, list[dict[str, str]]], post_er: dict[tuple[str, str], float]
) -> None:
    """log ER ~ log followers + platform + content type + audience fit: signs and rough sizes."""
    target = {
        "beauty": "18-24",
        "fashion": "18-24",
        "gaming": "18-24",
        "parenting": "35-44",
        "finance": "35-44",
    }
    ages = {(r["platform"], r["handle"], r["bucket"]): float(r["share"]) for r in data["audience"]}
    infl = {(r["platform"], r["handle"]): r for r in data["influencers"]}
    platforms = sorted({r["platform"] for r in data["influencers"]})
    x, y = [], []
    for r in data["posts"]:
        er = post_er[(r["platform"], r["post_id"])]
        account = infl[(r["platform"], r["handle"])]
        if er <= 0 or r["content_type"] not in ("image", "reel", "video", "text", "live", "short"):
            continue
        age = target.get(account["category"], "25-34")
        fit = ages[(r["platform"], r["handle"], age)]
        row = [
            1.0,
            np.log(int(account["followers"])),
            fit,
            float(r["content_type"] in ("reel", "video", "short")),
        ]
        row += [float(r["platform"] == p) for p in platforms[1:]]
        x.append(row)
        y.append(np.log(er))
    coef, *_ = np.linalg.lstsq(np.array(x), np.array(y), rcond=None)
    assert -0.35 < coef[1] < -0.05  # generated elasticity -0.18
    assert coef[2] > 0.5  # generated 1.5 per unit of target-age share
    assert coef[3] > 0.1  # video vs image/text/live


def test_suspicious_accounts_are_flagged_and_look_suspicious(
    out: Path, data: dict[str, list[dict[str, str]]]
) -> None:
    truth = json.loads((out / "_truth.json").read_text(encoding="utf-8"))
    flagged = {(s["platform"], s["handle"]) for s in truth["suspicious"]}
    assert len(flagged) == 6  # 2% of 300
    assert flagged <= {(r["platform"], r["handle"]) for r in data["influencers"]}
    assert truth["seed"] == 7 and truth["params"]["SUSPICIOUS_SHARE"] == 0.02
    owner = {(r["platform"], r["post_id"]): (r["platform"], r["handle"]) for r in data["posts"]}
    likes: dict[tuple[str, str], int] = defaultdict(int)
    comments: dict[tuple[str, str], int] = defaultdict(int)
    for r in data["post_metrics"]:
        account = owner[(r["platform"], r["post_id"])]
        likes[account] += int(r["likes"])
        comments[account] += int(r["comments"])
    ratio = {a: likes[a] / max(comments[a], 1) for a in likes if likes[a] > 200}
    normal = np.median([v for a, v in ratio.items() if a not in flagged])
    suspicious = [v for a, v in ratio.items() if a in flagged]
    assert suspicious and np.median(suspicious) > 2 * normal


def test_costs_budgets_and_conversions(data: dict[str, list[dict[str, str]]]) -> None:
    followers = {(r["platform"], r["handle"]): int(r["followers"]) for r in data["influencers"]}
    costs = [(followers[(r["platform"], r["handle"])], float(r["agreed_cost"])) for r in data["hires"]]
    f, c = np.log(np.array(costs)).T
    assert np.corrcoef(f, c)[0, 1] > 0.6
    spent: dict[str, float] = defaultdict(float)
    for r in data["hires"]:
        if r["status"] != "cancelled":
            spent[r["campaign"]] += float(r["agreed_cost"])
    budget = {r["name"]: float(r["budget"]) for r in data["campaigns"]}
    within = [spent[name] <= budget[name] for name in spent]
    assert sum(within) / len(within) >= 0.75
    revenue = sum(float(r["revenue"]) for r in data["conversions"])
    orders = sum(int(r["orders"]) for r in data["conversions"])
    clicks = sum(int(r["clicks"]) for r in data["conversions"])
    assert clicks > orders > 0 and revenue > 0


def test_cli_writes_files_and_prints_counts(tmp_path: Path) -> None:
    from predictfluence_tools.cli import main

    args = ["demo-data", "--influencers", "50", "--days", "5", "--seed", "3", "--end-date", "2026-05-01"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "post_metrics.csv" in result.output and "estimated post_metrics rows" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{k}.csv" for k in OUTPUT_KINDS] + ["_truth.json"]
    )
    future = CliRunner().invoke(main, ["demo-data", "--end-date", "2999-01-01", "--out", str(tmp_path / "x")])
    assert future.exit_code != 0 and "future" in future.output


def test_rows_target_picks_the_influencer_count() -> None:
    from predictfluence_tools.demo.generator import estimate_metric_rows, influencers_for_rows

    n = influencers_for_rows(1_000_000, 30)
    assert 0.9e6 < estimate_metric_rows(n, 30) < 1.1e6


def test_the_cli_module_does_not_import_numpy() -> None:
    """The generator is a dev tool: loading the command (as the CLI does) must not pull numpy in."""
    import subprocess
    import sys

    code = "import sys, predictfluence_tools.cli.demo; assert 'numpy' not in sys.modules, 'numpy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)
