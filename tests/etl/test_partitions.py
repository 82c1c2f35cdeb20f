"""Issue 16.2: the daily facts partitioned by month — loads create their months, the rollup triggers fire for
rows routed to partitions, absurd dates create nothing, detaching old months keeps the rollups equal to a
recomputation over the remaining facts, the CLI lists and detaches with clear errors, and the migration
goes up and down with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from predictfluence.queries import partitions as facts
from predictfluence.queries import rollups
from predictfluence_tools.cli import main
from predictfluence_tools.migrate import upgrade
from predictfluence_tools.scratchdb import scratch_database
from tests.conftest import _server_url
from tests.etl.test_incremental_rollups import differences

BEFORE = "c5a8e1d4b207"  # the revision before migration 6a1d3e8f2b90


def month_start(day: dt.date, back: int = 0) -> dt.date:
    first = day.replace(day=1)
    for _ in range(back):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


def where_rows_are(engine, table: str = "post_metric_daily") -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text(
            f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1")).all())  # noqa: S608


def load_world(db, db_today, load, write_csv) -> tuple[dt.date, dt.date]:
    """Two posts with metrics on a day of each of the two months before this one, and conversions."""
    old, previous = month_start(db_today, 2) + dt.timedelta(days=4), month_start(db_today, 1) + dt.timedelta(days=9)
    assert load(write_csv("i.csv", "platform,handle,followers\ninstagram,ana,1000\ntiktok,bo,2000\n",
                          "influencers"), kind="influencers").status == "loaded"
    assert load(write_csv("c.csv", "name,brand,budget\nAlpha,B,1000\n", "campaigns"), kind="campaigns").status == "loaded"
    assert load(write_csv("p.csv", "platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
                          f"instagram,p1,ana,{old}T10:00:00Z,reel,true,Alpha\n"
                          f"tiktok,p2,bo,{old}T10:00:00Z,video,false,\n", "posts"), kind="posts").status == "loaded"
    header = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
    metrics = "".join(f"{p},{i},{d},{n},1,1,1,100,,\n" for n, (p, i) in enumerate([("instagram", "p1"), ("tiktok", "p2")])
                      for d in (old, old + dt.timedelta(days=1), previous))
    outcome = load(write_csv("m.csv", header + metrics, "post_metrics"), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 6), outcome
    hires = load(write_csv("h.csv", "campaign,platform,handle,status,agreed_cost\nAlpha,instagram,ana,active,100\n",
                           "hires"), kind="hires")
    assert hires.status == "loaded", hires
    conversions = load(write_csv("cv.csv", f"campaign,platform,handle,date,clicks,orders,revenue\n"
                                 f"Alpha,instagram,ana,{old},5,1,10\nAlpha,instagram,ana,{previous},7,2,20\n",
                                 "conversions"), kind="conversions")
    assert (conversions.status, conversions.rows_loaded) == ("loaded", 2), conversions
    return old, previous


def test_a_load_across_two_months_creates_both_and_the_triggers_fire(db, db_today, load, write_csv):
    old, previous = load_world(db, db_today, load, write_csv)
    # each load made its rows' months first (issue 16.2): every row is in its month's partition
    assert where_rows_are(db) == {f"post_metric_daily_p{old:%Y_%m}": 4, f"post_metric_daily_p{previous:%Y_%m}": 2}
    assert where_rows_are(db, "conversion_daily") == {f"conversion_daily_p{old:%Y_%m}": 1,
                                                      f"conversion_daily_p{previous:%Y_%m}": 1}
    with db.connect() as conn:
        months = {p.month for p in facts.partitions(conn) if p.table == "post_metric_daily"}
    assert {f"{old:%Y-%m}", f"{previous:%Y-%m}", f"{db_today:%Y-%m}", f"{month_start(db_today) + dt.timedelta(days=40):%Y-%m}",
            None} <= months
    assert differences(db) == {}  # the statement triggers queued every routed row; apply() caught up
    with db.begin() as conn:  # an UPDATE moving a row across partitions and a DELETE are caught too
        conn.exec_driver_sql(f"UPDATE post_metric_daily SET date = '{previous + dt.timedelta(days=1)}', likes = 50 "
                             f"WHERE date = '{old}'")
        conn.exec_driver_sql(f"DELETE FROM post_metric_daily WHERE date = '{previous}'")
        assert conn.exec_driver_sql("SELECT count(*) FROM rollup_dirty").scalar() > 0
    rollups.apply(db)
    assert differences(db) == {}


def test_absurd_dates_create_no_partition_and_the_etl_rejects_them(db, db_today, load, write_csv):
    load_world(db, db_today, load, write_csv)
    with db.connect() as conn:
        before = len(facts.partitions(conn))
    with db.begin() as conn:  # written by hand (the ETL would reject them): they land in DEFAULT
        conn.exec_driver_sql("INSERT INTO post_metric_daily (post_id, date) SELECT min(id), d::date FROM post, "
                             "unnest(ARRAY['1900-01-01', '9999-12-31']) d GROUP BY d")
        assert facts.ensure(conn) == 0
    with db.connect() as conn:
        assert len(facts.partitions(conn)) == before
    assert where_rows_are(db)["post_metric_daily_default"] == 2
    header = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
    outcome = load(write_csv("bad.csv", header + "instagram,p1,1900-01-01,1,1,1,1,,,\ninstagram,p1,9999-01-01,1,1,1,1,,,\n",
                             "post_metrics"), kind="post_metrics")
    assert (outcome.rows_loaded, outcome.rows_rejected) == (0, 2), outcome
    assert all("date out of range" in r.reason for r in outcome.rejections), outcome.rejections
    with db.connect() as conn:
        assert len(facts.partitions(conn)) == before


def test_detaching_old_months_keeps_the_rollups_equal_to_a_recomputation(db, db_today, load, write_csv):
    old, previous = load_world(db, db_today, load, write_csv)
    result = CliRunner().invoke(main, ["db", "partitions", "detach", "--before", f"{previous:%Y-%m}"])
    assert result.exit_code == 0, result.output
    assert f"detached post_metric_daily_p{old:%Y_%m} (post_metric_daily {old:%Y-%m}, " in result.output
    assert f"detached conversion_daily_p{old:%Y_%m}" in result.output
    assert "rollups updated for the detached months" in result.output
    assert where_rows_are(db) == {f"post_metric_daily_p{previous:%Y_%m}": 2}
    assert differences(db) == {}
    with db.connect() as conn:  # kept, not dropped: the month is a table of its own now
        assert conn.exec_driver_sql(f"SELECT count(*) FROM post_metric_daily_p{old:%Y_%m}").scalar() == 4
        assert conn.exec_driver_sql("SELECT sum(metric_days) FROM post_stats").scalar() == 2
        assert conn.exec_driver_sql("SELECT count(*) FROM rollup_dirty").scalar() == 0
    again = CliRunner().invoke(main, ["db", "partitions", "detach", "--before", f"{previous:%Y-%m}"])
    assert (again.exit_code, again.output) == (0, f"nothing to detach: no month partition before {previous:%Y-%m}\n")
    listed = CliRunner().invoke(main, ["db", "partitions"])
    assert listed.exit_code == 0 and f"post_metric_daily    {previous:%Y-%m}" in listed.output, listed.output
    # the session database keeps its partitions across tests: drop every month detached here (other tests' months
    # before `previous` too), so that no stray table remains
    detached = re.findall(r"^detached (\w+) \(", result.output, re.MULTILINE)
    with db.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE {', '.join(detached)}")


@pytest.mark.parametrize(("args", "message"), [
    (["--before", "2025-13"], "not a month: '2025-13' (expected YYYY-MM, e.g. 2025-01)"),
    (["--before", "last year"], "not a month: 'last year'"),
    ([], "Missing option '--before'"),
    (["--before", "2025-01", "--table", "post"], "'post' is not one of 'post_metric_daily', 'conversion_daily'"),
])
def test_detach_rejects_bad_arguments_without_a_traceback(db, args, message):
    result = CliRunner().invoke(main, ["db", "partitions", "detach", *args])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output


def test_migration_up_and_down_keeps_every_row(tmp_path_factory):
    with scratch_database(_server_url(tmp_path_factory), "pf_part") as url:
        engine = sa.create_engine(url)
        try:
            upgrade(engine, BEFORE)
            with engine.begin() as conn:
                conn.exec_driver_sql(
                    "INSERT INTO influencer (platform, handle, followers) VALUES ('instagram', 'a', 100);"
                    "INSERT INTO campaign (name) VALUES ('C');"
                    "INSERT INTO post (influencer_id, platform, external_id, content_type, posted_at) "
                    "SELECT id, 'instagram', 'p', 'reel', now() FROM influencer;"
                    "INSERT INTO post_metric_daily (post_id, date, likes) SELECT p.id, d::date, 3 FROM post p, "
                    "unnest(ARRAY['2024-02-29', '2024-03-01', current_date::text, '1900-01-01']) d;"
                    "INSERT INTO conversion_daily (campaign_id, influencer_id, date, clicks) "
                    "SELECT c.id, i.id, '2024-02-01', 4 FROM campaign c, influencer i")
            snapshot = "SELECT * FROM post_metric_daily ORDER BY date"
            with engine.connect() as conn:
                plain = conn.exec_driver_sql(snapshot).all()
            upgrade(engine, "head")
            assert set(where_rows_are(engine)) == {"post_metric_daily_p2024_02", "post_metric_daily_p2024_03",
                                                   f"post_metric_daily_p{dt.date.today():%Y_%m}",
                                                   "post_metric_daily_default"}
            with engine.begin() as conn:
                assert conn.exec_driver_sql(snapshot).all() == plain
                assert conn.exec_driver_sql("SELECT count(*) FROM conversion_daily_p2024_02").scalar() == 1
                kinds = conn.exec_driver_sql(
                    "SELECT relkind FROM pg_class WHERE relname IN ('post_metric_daily', 'conversion_daily')").scalars()
                assert set(kinds) == {"p"}
                grants = conn.exec_driver_sql(
                    "SELECT grantee, string_agg(privilege_type, ',' ORDER BY privilege_type) "
                    "FROM information_schema.role_table_grants WHERE table_name = 'post_metric_daily' "
                    "AND grantee LIKE 'pf_%' GROUP BY 1 ORDER BY 1").all()
                assert [tuple(g) for g in grants] == [("pf_api", "SELECT"), ("pf_etl", "DELETE,INSERT,SELECT,UPDATE")]
                conn.exec_driver_sql("DELETE FROM rollup_dirty; DELETE FROM rollup_metric_delta")
                conn.exec_driver_sql("INSERT INTO post_metric_daily (post_id, date) SELECT id, '2024-03-02' FROM post")
                assert conn.exec_driver_sql("SELECT count(*) FROM rollup_metric_delta").scalar() == 1
                with pytest.raises(sa.exc.DBAPIError, match="fk_conversion_daily_campaign_id_campaign"):  # FK kept
                    with conn.begin_nested():
                        conn.exec_driver_sql("INSERT INTO conversion_daily (campaign_id, influencer_id, date) "
                                             "VALUES (999, 999, '2024-02-02')")
                plain = conn.exec_driver_sql(snapshot).all()
            from alembic import command  # the project's helper only upgrades

            from predictfluence_tools.migrate import alembic_config
            cfg = alembic_config()
            with engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, BEFORE)
            with engine.connect() as conn:
                assert conn.exec_driver_sql(snapshot).all() == plain
                assert conn.exec_driver_sql(
                    "SELECT relkind FROM pg_class WHERE relname = 'post_metric_daily'").scalar() == "r"
                assert conn.exec_driver_sql("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                                            "'post_metric_daily'::regclass AND NOT tgisinternal").scalar() == 3
                assert conn.exec_driver_sql("SELECT count(*) FROM conversion_daily").scalar() == 1
        finally:
            engine.dispose()
