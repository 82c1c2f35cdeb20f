"""A demo-generator world for the benches that judge the product against the generator's ground truth
(bench/flag.py, bench/planner.py): generate, optionally cut at a date, load through the real ETL, train,
score, and measure the audience-quality flag and the default ranking against `_truth.json`.

Cutting at a date (`cut_at`) writes a copy of the CSVs holding only what was known before that day:
posts posted, daily metrics dated, hires made and conversions dated before it, campaigns started before
it. Loaded into a scratch database, training and scoring then see nothing after the cutoff (scoring's
`as_of` is the last loaded day), whatever the model or the cost model reads. Kept as the full world has
them: the statuses and end dates of the campaigns and hires kept, and the influencers' (reported)
followers. No model reads a campaign's status or end date; the cost model reads a hire's status only to
leave cancelled hires out, and a cancelled hire has no posts, so it is out either way.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

LOAD_ORDER = ("influencers", "campaigns", "audience", "hires", "posts", "post_metrics", "conversions")
Say = Callable[[str], None]


def generate_world(influencers: int, days: int, seed: int, end: dt.date, out: Path, say: Say) -> Path:
    """The demo generator's CSVs (+ `_truth.json`) in `out`."""
    from predictfluence_tools.demo.generator import DemoConfig, generate

    result = generate(DemoConfig(influencers=influencers, days=days, seed=seed, end_date=end), out)
    say(
        f"demo generator: {influencers:,} influencers × {days} days (seed {seed}) → {result.rows} "
        f"in {result.seconds:.1f} s"
    )
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _write_csv(path: Path, rows: list[dict[str, str]], header: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def cut_at(src: Path, cutoff: dt.date, out: Path) -> Path:
    """A copy of the world's CSVs with only the rows known before `cutoff` (see the module docstring)."""
    out.mkdir(parents=True, exist_ok=True)
    day = cutoff.isoformat()
    before = lambda value: bool(value) and value[:10] < day  # noqa: E731 - ISO dates and timestamps sort as text
    campaigns = [r for r in read_csv(src / "campaigns.csv") if before(r["start_date"])]
    names = {r["name"] for r in campaigns}
    hires = [r for r in read_csv(src / "hires.csv") if r["campaign"] in names and before(r["hired_at"])]
    hired = {(r["campaign"], r["platform"], r["handle"]) for r in hires}
    posts = [r for r in read_csv(src / "posts.csv") if before(r["posted_at"])]
    for r in posts:
        if r["campaign"] and (r["campaign"], r["platform"], r["handle"]) not in hired:
            r["campaign"] = ""  # a deal not yet known at the cutoff: an untracked sponsored post
    kept = {(r["platform"], r["post_id"]) for r in posts}
    tables = {
        "campaigns": campaigns,
        "hires": hires,
        "posts": posts,
        "post_metrics": [
            r
            for r in read_csv(src / "post_metrics.csv")
            if before(r["date"]) and (r["platform"], r["post_id"]) in kept
        ],
        "conversions": [
            r
            for r in read_csv(src / "conversions.csv")
            if before(r["date"]) and (r["campaign"], r["platform"], r["handle"]) in hired
        ],
    }
    for kind in LOAD_ORDER:
        if kind in tables:
            _write_csv(out / f"{kind}.csv", tables[kind], _header(src / f"{kind}.csv"))
        else:
            (out / f"{kind}.csv").write_bytes((src / f"{kind}.csv").read_bytes())
    return out


def load_world(engine: sa.Engine, csv_dir: Path, say: Say) -> None:
    """Load the CSVs in `csv_dir` through the real ETL."""
    from etl_jobs.pipeline import load_path

    for kind in LOAD_ORDER:
        outcome = load_path(engine, csv_dir / f"{kind}.csv", kind=kind)
        say(f"  ETL {kind:<13s} {outcome.status} {outcome.rows_loaded:>9,} rows")


def suspicious_accounts(csv_dir: Path) -> dict[tuple[str, str], float]:
    """(platform, handle) of the accounts with bought engagement → their bought-likes multiplier."""
    from predictfluence_tools.demo.generator import TRUTH_FILE

    truth = json.loads((csv_dir / TRUTH_FILE).read_text(encoding="utf-8"))
    return {
        (s["platform"].lower(), s["handle"].lower()): float(s["likes_multiplier"])
        for s in truth["suspicious"]
    }


def train_and_score(engine: sa.Engine, say: Say, tag: str = "bench-flag") -> dict[str, object]:
    """Train on everything loaded (flagged influencers left out of the targets) and, as the retrain batch
    does, the cost model on the hires before the data's end (its held-out figures: `cost`); register the
    version as champion and score every influencer."""
    from predictfluence_ml.costs import train_costs
    from predictfluence_ml.dataset import build_split
    from predictfluence_ml.scoring import score_all
    from predictfluence_ml.training import fit

    t0 = time.perf_counter()
    split = build_split(engine)
    bundle = fit(split.train)
    bundle.cost, cost = train_costs(engine, before=split.data_end)
    with engine.begin() as conn:
        version_id = conn.execute(
            sa.text(
                "INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256, details) VALUES "
                "('engagement', :tag, 'champion', '{}', 'file:///' || :tag, 'none', '{}') RETURNING id"
            ),
            {"tag": tag},
        ).scalar_one()
    scored = score_all(engine, bundle, version_id)
    say(
        f"trained on {len(split.train):,} examples ({split.train.flagged_left_out:,} of flagged influencers left "
        f"out), cost model {cost['cost_model']} on {cost['cost_hires']} hires, scored {scored.influencers:,} "
        f"influencers as of {scored.as_of} in {time.perf_counter() - t0:.1f} s"
    )
    return {
        "train_rows": len(split.train),
        "train_flagged_left_out": split.train.flagged_left_out,
        "model_version_id": version_id,
        "as_of": scored.as_of.isoformat(),
        "cost": cost,
    }


def flag_figures(engine: sa.Engine, suspicious: set[tuple[str, str]], say: Say) -> dict[str, object]:
    """Flag precision / recall against the truth and truly suspicious accounts in the default
    `GET /recommendations` ranking (no parameters) of 20 and 100 rows, and with include_flagged."""
    from predictfluence.queries.recommendations import recommend

    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT lower(i.platform), lower(i.handle), bool_or(coalesce(jsonb_array_length(s.anomaly_reasons), 0) > 0) "
                "FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id GROUP BY 1, 2"
            )
        ).all()
        handle = dict(
            conn.execute(sa.text("SELECT id, lower(platform) || '|' || lower(handle) FROM influencer")).all()
        )
        ranked = {
            flagged: [
                tuple(handle[r["influencer_id"]].split("|", 1))
                for r in recommend(include_flagged=flagged, limit=100, conn=conn)
            ]
            for flagged in (False, True)
        }
    flagged = {(p, h) for p, h, f in rows if f}
    scored = {(p, h) for p, h, _f in rows}
    truth = suspicious & scored
    hits = len(flagged & truth)
    result: dict[str, object] = {
        "influencers_scored": len(scored),
        "suspicious": len(truth),
        "flagged": len(flagged),
        "flag_precision": hits / len(flagged) if flagged else 0.0,
        "flag_recall": hits / len(truth) if truth else 1.0,
        "suspicious_in_top20": sum(a in truth for a in ranked[False][:20]),
        "suspicious_in_top100": sum(a in truth for a in ranked[False][:100]),
        "include_flagged": {
            "suspicious_in_top20": sum(a in truth for a in ranked[True][:20]),
            "suspicious_in_top100": sum(a in truth for a in ranked[True][:100]),
        },
    }
    say(
        f"flag: {len(flagged)} flagged, {hits} of {len(truth)} suspicious → precision "
        f"{result['flag_precision']:.3f}, recall {result['flag_recall']:.3f}; suspicious in the default top 20 / 100: "
        f"{result['suspicious_in_top20']} / {result['suspicious_in_top100']} (with include_flagged: "
        f"{result['include_flagged']['suspicious_in_top20']} / {result['include_flagged']['suspicious_in_top100']})"
    )
    return result
