"""Issue 16.1: the rollup tables, maintained from the keys each write touched, equal a from-scratch
recomputation row for row after a random (seeded) sequence of loads, re-loads with changed values and
deletes — through the ETL, the query layer (campaigns, hires) and plain SQL where no API deletes
(influencers, posts, metric rows, follower counts)."""

from __future__ import annotations

import datetime as dt
import math
import random

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence.queries import rollups
from predictfluence.queries.rollup_sql import from_scratch

KEYS = {  # each rollup's unique key: rows are compared in this order
    "post_stats": "post_id", "influencer_stats": "influencer_id", "portfolio_stats": "id",
    "campaign_post_stats": "campaign_id", "content_type_stats": "content_type, platform, campaign_key",
    "daily_stats": "date, platform, campaign_key", "daily_platform_stats": "date, platform",
    "audience_totals": "dimension, bucket",
}
PLATFORMS = ("instagram", "tiktok")
HANDLES = [f"h{i}" for i in range(10)]
CAMPAIGNS = ("Alpha", "Beta", "Gamma")


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def differences(engine: Engine) -> dict[str, list]:
    """Per rollup, the rows that differ between the table and its from-scratch recomputation (computed into
    temporary tables of the same names, which shadow the real ones for the later definitions)."""
    out: dict[str, list] = {}
    with engine.connect() as conn, conn.begin():
        for name, key in KEYS.items():
            conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {from_scratch(name)}")
            want = conn.exec_driver_sql(f"SELECT * FROM pg_temp.{name} ORDER BY {key}").all()
            got = conn.exec_driver_sql(f"SELECT * FROM public.{name} ORDER BY {key}").all()
            bad = [(w, g) for w, g in zip(want, got, strict=False)
                   if len(w) != len(g) or not all(same(x, y) for x, y in zip(w, g, strict=True))]
            if bad or len(want) != len(got):
                out[name] = [("rows", len(want), len(got)), *bad[:3]]
        conn.rollback()
    return out


def csv(header: str, lines: list[str]) -> str:
    return header + "\n" + "".join(line + "\n" for line in lines)


class World:
    """Random files for a small warehouse: 10 handles × 2 platforms, ~24 posts, 12 days, 3 campaigns."""

    def __init__(self, seed: int, today: dt.date, load, write_csv) -> None:
        self.rng = random.Random(seed)
        # 12 days over at least two calendar months (today - 40 is always in an earlier month): the loads
        # cross the monthly partitions of post_metric_daily (issue 16.2)
        self.days = [today - dt.timedelta(days=d) for d in (1, 2, 3, 5, 8, 13, 21, 34, 40, 45, 50, 55)]
        self.load, self.write_csv, self.n = load, write_csv, 0
        self.posts: list[tuple[str, str, str]] = []  # (platform, post_id, handle)

    def file(self, kind: str, text: str) -> None:
        self.n += 1
        outcome = self.load(self.write_csv(f"{kind}_{self.n}.csv", text, kind), kind=kind, force=True)
        assert outcome.status == "loaded", outcome

    def influencers(self) -> None:
        lines = [f"{p},{h},Name {h},{self.rng.choice(['beauty', 'tech'])},US,en,"
                 f"{self.rng.choice(['', '0', str(self.rng.randint(1, 900_000))])}"
                 for p in PLATFORMS for h in self.rng.sample(HANDLES, 6)]
        self.file("influencers", csv("platform,handle,name,category,country,language,followers", lines))

    def campaigns(self) -> None:
        self.file("campaigns", csv("name,brand,budget", [f"{c},Brand,100000" for c in CAMPAIGNS]))

    def posts_file(self) -> None:
        lines = []
        for i in range(self.rng.randint(3, 8)):
            platform, handle = self.rng.choice(PLATFORMS), self.rng.choice(HANDLES)
            post_id = f"p{self.rng.randint(0, 30)}"
            known = [p for p in self.posts if p[:2] == (platform, post_id)]
            handle = known[0][2] if known else handle
            campaign = self.rng.choice(["", *CAMPAIGNS])
            lines.append(f"{platform},{post_id},{handle},{self.days[-1]}T10:0{i}:00Z,"
                         f"{self.rng.choice(['reel', 'video', 'story'])},{'true' if campaign else 'false'},{campaign}")
            if not known:
                self.posts.append((platform, post_id, handle))
        self.file("influencers", csv("platform,handle", sorted({f"{ln.split(',')[0]},{ln.split(',')[2]}"
                                                                for ln in lines})))
        self.file("posts", csv("platform,post_id,handle,posted_at,content_type,sponsored,campaign", lines))

    def metrics(self) -> None:
        if not self.posts:
            return
        keys = {(p, i, d) for p, i, _ in self.rng.sample(self.posts, min(len(self.posts), 6))
                for d in self.rng.sample(self.days, 3)}
        lines = [f"{p},{i},{d},{self.rng.randint(0, 500)},{self.rng.randint(0, 50)},{self.rng.randint(0, 9)},"
                 f"{self.rng.randint(0, 9)},{self.rng.choice(['', str(self.rng.randint(0, 9000))])},,"
                 f"{self.rng.choice(['', str(self.rng.randint(0, 9000))])}" for p, i, d in sorted(keys)]
        self.file("post_metrics", csv("platform,post_id,date,likes,comments,shares,saves,views,reach,impressions",
                                      lines))

    def audience(self) -> None:
        lines = []
        for p in PLATFORMS:
            for h in self.rng.sample(HANDLES, 3):
                us = self.rng.choice([0.25, 0.5, 0.75])
                lines += [f"{p},{h},country,US,{us}", f"{p},{h},country,BR,{1 - us}"]
        self.file("audience", csv("platform,handle,dimension,bucket,share", lines))

    def profiles(self) -> None:
        lines = [f"{h},{p},{self.rng.randint(100, 90_000)},{self.rng.randint(1, 300)},{self.rng.choice(self.days)}"
                 for p in PLATFORMS for h in self.rng.sample(HANDLES, 2)]
        self.file("profiles", csv("handle,platform,followers,avg_likes,as_of", lines))


def sql_delete(engine: Engine, rng: random.Random) -> None:
    """The writes no API makes: an influencer, a post or some metric rows deleted, a follower count set."""
    statement = rng.choice([
        "DELETE FROM influencer WHERE id = (SELECT id FROM influencer ORDER BY random() LIMIT 1)",
        "DELETE FROM post WHERE id = (SELECT id FROM post ORDER BY random() LIMIT 1)",
        "DELETE FROM post_metric_daily WHERE (post_id, date) IN "
        "(SELECT post_id, date FROM post_metric_daily ORDER BY random() LIMIT 3)",
        "UPDATE influencer SET followers = followers + 1000 WHERE id IN (SELECT id FROM influencer LIMIT 2)",
    ])
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT setseed({rng.random() / 2})")
        conn.exec_driver_sql(statement)


def api_delete(engine: Engine, rng: random.Random) -> None:
    """Through the query layer: hire then remove a hire, or delete a campaign (its posts lose it)."""
    from predictfluence.queries import campaigns

    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM campaign ORDER BY id")]
        influencer = conn.exec_driver_sql("SELECT id FROM influencer ORDER BY id LIMIT 1").scalar()
    if not ids:
        return
    campaign = rng.choice(ids)
    if influencer is not None and rng.random() < 0.5:
        campaigns.hire(campaign, influencer, 10.0, "proposed", allow_overspend=True)
        campaigns.remove_hire(campaign, influencer)
    assert campaigns.delete_campaign(campaign) == "deleted"


@pytest.mark.parametrize(("seed", "mode", "swap_rows"), [
    (1, "incremental", rollups.SWAP_ROWS), (2, "incremental", rollups.SWAP_ROWS), (3, "incremental", rollups.SWAP_ROWS),
    (4, "rebuild", rollups.SWAP_ROWS),
    (5, "rebuild", 0),  # influencer_stats and post_stats filled beside the live tables and swapped in
])
def test_rollups_equal_a_recomputation_after_random_loads_reloads_and_deletes(
        db, db_today, load, write_csv, monkeypatch, seed, mode, swap_rows):
    # a small warehouse's applies touch most posts, where apply() would recompute everything: force each path
    monkeypatch.setattr(rollups, "REBUILD_SHARE", float("inf") if mode == "incremental" else 0.0)
    monkeypatch.setattr(rollups, "SWAP_ROWS", swap_rows)
    world = World(seed, db_today, load, write_csv)
    world.influencers()
    world.campaigns()
    steps = [world.influencers, world.campaigns, world.posts_file, world.posts_file, world.metrics,
             world.metrics, world.metrics, world.audience, world.profiles,
             lambda: sql_delete(db, world.rng), lambda: api_delete(db, world.rng)]
    for step in range(24):
        world.rng.choice(steps)()
        if world.rng.random() < 0.6:  # sometimes several writes wait in the queue for one apply
            rollups.apply(db)
            assert differences(db) == {}, f"seed {seed}, step {step}"
            assert rollups.LAST_APPLY.get("mode") in (None, mode) or rollups.LAST_APPLY["posts"] == 0
    rollups.apply(db)
    assert differences(db) == {}
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM post_stats").scalar() > 0
        assert conn.exec_driver_sql("SELECT count(*) FROM rollup_dirty").scalar() == 0


def test_apply_does_nothing_without_writes_and_bumps_the_version_after_one(db, monkeypatch):
    monkeypatch.setattr(rollups, "REBUILD_SHARE", float("inf"))
    with db.connect() as conn:
        before = rollups.version(conn)
    assert rollups.apply(db) is False
    with db.begin() as conn:
        conn.exec_driver_sql("INSERT INTO influencer (platform, handle, followers) VALUES ('tiktok', 'v', 10)")
    assert rollups.apply(db) is True
    with db.connect() as conn:
        assert rollups.version(conn) == before + 1
        assert conn.exec_driver_sql("SELECT handle, followers, posts FROM influencer_stats").one() == ("v", 10, 0)
        assert conn.exec_driver_sql("SELECT influencers, posts FROM portfolio_stats").one() == (1, 0)


def test_rebuild_recomputes_what_a_direct_edit_broke(db):
    with db.begin() as conn:
        conn.exec_driver_sql("INSERT INTO influencer (platform, handle, followers) VALUES ('tiktok', 'r', 10)")
    rollups.apply(db)
    with db.begin() as conn:
        conn.exec_driver_sql("UPDATE influencer_stats SET followers = 1")  # not a warehouse write: no trigger
    assert set(differences(db)) == {"influencer_stats"}
    rollups.rebuild(db)
    assert differences(db) == {}
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT followers FROM influencer_stats")).scalar_one() == 10


def test_cli_applies_the_queue_and_rebuilds(db):
    from click.testing import CliRunner

    from predictfluence_tools.cli import main

    with db.begin() as conn:
        conn.exec_driver_sql("INSERT INTO influencer (platform, handle, followers) VALUES ('tiktok', 'c', 7)")
    runner = CliRunner()
    first = runner.invoke(main, ["db", "rollups"])
    assert first.exit_code == 0 and first.output.startswith("rollups updated for the queued keys in "), first.output
    again = runner.invoke(main, ["db", "rollups"])
    assert (again.exit_code, again.output) == (0, "rollups already up to date (no queued keys)\n")
    with db.begin() as conn:
        conn.exec_driver_sql("DELETE FROM influencer_stats")
    rebuilt = runner.invoke(main, ["db", "rollups", "--rebuild"])
    assert rebuilt.exit_code == 0 and rebuilt.output.startswith("rollups rebuilt from scratch in "), rebuilt.output
    assert differences(db) == {}
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT handle, followers FROM influencer_stats").one() == ("c", 7)


def test_refresh_always_moves_the_version_so_a_truncate_does_not_leave_cached_totals(db):
    """The old name refresh() bumped rollup_version on every call; list totals are cached by it, and the
    tests' TRUNCATE empties the rollups without a trigger (tests/api test_list_of_empty_warehouse)."""
    with db.connect() as conn:
        before = rollups.version(conn)
    rollups.refresh(db)
    with db.connect() as conn:
        assert rollups.version(conn) == before + 1
