"""Issue 16.2: a backfill of a month without a partition goes straight into a new partition of its month —
the load makes the months its rows need before it writes (pf_fact_partitions(fact, months), migration
8e5b2d7c4f19): nothing lands in DEFAULT, the post_metrics fast path COPYs into the new partition, the
rollups still equal a recomputation, and two loads (or two callers) making the same month both succeed.

Each test uses months of its own: the session database keeps its partitions across tests (dropped here)."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid

import pytest
import sqlalchemy as sa

from etl_jobs.base import SourceFile
from etl_jobs.pipeline import load_file
from predictfluence.queries import partitions as facts
from predictfluence.queries import rollups
from tests.etl.conftest import rows
from tests.etl.test_incremental_rollups import differences
from tests.etl.test_partition_copy import (
    POSTS,
    TRIGGERS,
    load_queued,
    metrics_file,
    per_post,
    triggers_on,
)

MAKE = "SELECT pf_fact_partitions(%s, %s::date[])"


def where_rows_are(engine, table: str) -> dict[str, int]:
    return dict(rows(engine, f"SELECT tableoid::regclass::text, count(*) FROM {table} GROUP BY 1"))  # noqa: S608


def drop(engine, *tables: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {', '.join(tables)}")


def test_a_backfilled_month_is_copied_straight_into_its_new_partition(
    seeded, write_csv, fast_calls, copied_into
):
    days = [dt.date(2005, 4, 2), dt.date(2005, 4, 3)]
    part = "post_metric_daily_p2005_04"
    assert sa.inspect(seeded).has_table(part) is False
    try:
        queued = load_queued(
            seeded, write_csv("a.csv", metrics_file(days), "post_metrics")
        )  # no finish_batch
        assert fast_calls == [True]
        assert copied_into == [part]  # one COPY, into the month's partition: not through the parent
        assert where_rows_are(seeded, "post_metric_daily") == {part: 3 * len(days)}  # nothing in DEFAULT
        assert triggers_on(seeded, part) == TRIGGERS
        assert queued == per_post(seeded) == {i: len(days) for i in per_post(seeded)}  # each row queued once
        rollups.apply(seeded)
        assert differences(seeded) == {}
        with seeded.begin() as conn:  # the batch's step has nothing left to move
            assert facts.ensure(conn) == 0
    finally:
        drop(seeded, part)


def test_the_exact_path_makes_the_month_first_too(seeded, write_csv, fast_calls):
    part = "post_metric_daily_p2005_07"
    reordered = "post_id,platform,date,likes,comments,shares,saves,views,reach,impressions\n" + "".join(
        f"{e},{p},2005-07-{d:02d},{n},1,1,1,,,\n" for n, (p, e) in enumerate(POSTS) for d in (1, 31)
    )
    try:
        queued = load_queued(seeded, write_csv("a.csv", reordered, "post_metrics"))
        assert fast_calls == [False]  # a non-canonical header: the staged path
        assert where_rows_are(seeded, "post_metric_daily") == {part: 6}
        assert triggers_on(seeded, part) == TRIGGERS
        assert queued == per_post(seeded)
        rollups.apply(seeded)
        assert differences(seeded) == {}
    finally:
        drop(seeded, part)


def test_backfilled_conversions_go_straight_into_their_months(seeded, write_csv):
    text = (
        "campaign,platform,handle,date,clicks,orders,revenue\n"
        "Spring Glow,instagram,ana,2006-01-05,5,1,10\nLaunch,tiktok,bo,2006-02-28,7,2,20\n"
        "Launch,tiktok,bo,2006-02-27,1,0,0\n"
    )
    parts = ("conversion_daily_p2006_01", "conversion_daily_p2006_02")
    try:
        outcome = load_file(
            seeded,
            SourceFile(path=(path := write_csv("c.csv", text, "conversions")), key=str(path)),
            kind="conversions",
            refresh_rollups=False,
        )
        assert (outcome.status, outcome.rows_loaded) == ("loaded", 3), outcome
        assert where_rows_are(seeded, "conversion_daily") == {parts[0]: 1, parts[1]: 2}
        fks = rows(
            seeded,
            "SELECT count(*) FROM pg_constraint WHERE conrelid = to_regclass(:t) AND contype = 'f'",
            t=parts[0],
        )
        assert fks == [(2,)]  # the parent's foreign keys, cloned by ATTACH
    finally:
        drop(seeded, *parts)


def test_two_callers_making_the_same_month_both_succeed(db):
    """The second waits on the advisory lock while the first holds it, then finds the month made."""
    results: list = []

    def second() -> None:
        try:
            with db.connect() as conn, conn.begin():
                results.append(conn.exec_driver_sql(MAKE, ("post_metric_daily", "{2007-02-14}")).scalar_one())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)

    try:
        with db.connect() as first:
            with first.begin():
                assert (
                    first.exec_driver_sql(MAKE, ("post_metric_daily", "{2007-02-01,2007-02-20}")).scalar_one()
                    == 1
                )
                thread = threading.Thread(target=second)
                thread.start()
                for _ in range(400):  # until the second caller waits for the lock (it gives up after 5 s)
                    with db.connect() as conn:
                        if conn.exec_driver_sql(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        ).scalar_one():
                            break
                    time.sleep(0.01)
            thread.join()
        assert results == [0]
        assert where_rows_are(db, "post_metric_daily") == {}
        assert triggers_on(db, "post_metric_daily_p2007_02") == TRIGGERS
    finally:
        drop(db, "post_metric_daily_p2007_02")


def test_two_loads_of_the_same_new_month_at_once_both_load(seeded, write_csv):
    files = [
        write_csv(f"{n}.csv", metrics_file([dt.date(2007, 5, 1 + n)], [post]), "post_metrics")
        for n, post in enumerate(POSTS)
    ]
    start = threading.Barrier(len(files))
    outcomes: list = []

    def run(path) -> None:
        start.wait()
        outcomes.append(
            load_file(
                seeded, SourceFile(path=path, key=str(path)), kind="post_metrics", refresh_rollups=False
            )
        )

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted((o.status, o.rows_loaded) for o in outcomes) == [("loaded", 1)] * len(files), outcomes
        assert where_rows_are(seeded, "post_metric_daily") == {"post_metric_daily_p2007_05": len(files)}
        rollups.apply(seeded)
        assert differences(seeded) == {}
    finally:
        drop(seeded, "post_metric_daily_p2007_05")


def test_the_function_checks_its_table_ignores_months_out_of_range_and_is_granted_to_the_etl(db):
    with db.begin() as conn:
        assert (
            conn.exec_driver_sql(MAKE, ("conversion_daily", "{1999-12-31,9999-01-01,NULL}")).scalar_one() == 0
        )
        assert conn.exec_driver_sql(MAKE, ("conversion_daily", "{}")).scalar_one() == 0
        grants = dict(
            conn.exec_driver_sql(
                "SELECT r.rolname, has_function_privilege(r.oid, 'pf_fact_partitions(text, date[])', 'EXECUTE') "
                "FROM pg_roles r WHERE r.rolname IN ('pf_etl', 'pf_api')"
            ).all()
        )
    assert grants == {"pf_etl": True, "pf_api": False}
    with pytest.raises(sa.exc.DBAPIError, match="not a month-partitioned daily fact"), db.begin() as conn:
        conn.exec_driver_sql(MAKE, ("post", "{2001-01-01}"))
    with db.connect() as conn:  # best effort: logged, not raised
        assert facts.ensure_months(conn, "post", ["2001-01-01"]) == 0


def test_a_failed_creation_leaves_the_rows_to_default(seeded, write_csv, monkeypatch, caplog):
    """The safety net: when the months cannot be made first (here: the function refuses the name), the load loads,
    through DEFAULT, and finish_batch moves the rows into their month."""
    real = facts.ensure_months

    def broken(conn, table, days):
        return real(conn, table.replace("post_metric_daily", "post_metric_daly"), days)

    monkeypatch.setattr("etl_jobs.fast_metrics.ensure_months", broken)
    part = "post_metric_daily_p2008_03"
    try:
        load_queued(seeded, write_csv("a.csv", metrics_file([dt.date(2008, 3, 9)]), "post_metrics"))
        assert where_rows_are(seeded, "post_metric_daily") == {"post_metric_daily_default": 3}
        assert "before the load failed" in caplog.text
        with seeded.begin() as conn:
            assert facts.ensure(conn) == 1
        assert where_rows_are(seeded, "post_metric_daily") == {part: 3}
        rollups.apply(seeded)
        assert differences(seeded) == {}
    finally:
        drop(seeded, part)


@pytest.fixture()
def etl_login(db):
    """An engine for a new LOGIN role in pf_etl: the deployed ETL's privileges, not the owner's."""
    name = f"pf_test_etl_{uuid.uuid4().hex[:8]}"
    with db.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{name}" LOGIN IN ROLE pf_etl')
    login = sa.create_engine(db.url.set(username=name, password=None), poolclass=sa.pool.NullPool)
    yield login
    login.dispose()
    with db.begin() as conn:
        conn.exec_driver_sql(f'DROP ROLE "{name}"')


def test_as_the_etl_role_the_fast_path_copies_into_month_partitions(
    seeded, write_csv, db_today, etl_login, fast_calls, copied_into
):
    """pf_etl may INSERT into the month partitions of post_metric_daily (the fast path's COPY), both a new
    backfilled month and the current month made by the batch step; nothing falls back to the exact path."""
    current = f"post_metric_daily_p{db_today:%Y_%m}"
    try:
        for name, days, part in (
            ("old.csv", [dt.date(2009, 6, 1), dt.date(2009, 6, 2)], "post_metric_daily_p2009_06"),
            ("new.csv", [db_today.replace(day=1)], current),
        ):
            path = write_csv(name, metrics_file(days), "post_metrics")
            outcome = load_file(
                etl_login, SourceFile(path=path, key=str(path)), kind="post_metrics", refresh_rollups=False
            )
            assert (outcome.status, outcome.rows_loaded) == ("loaded", 3 * len(days)), outcome
            assert copied_into[-1] == part
        assert fast_calls == [True, True]
        assert where_rows_are(seeded, "post_metric_daily") == {"post_metric_daily_p2009_06": 6, current: 3}
        rollups.apply(seeded)
        assert differences(seeded) == {}
        with seeded.begin() as conn:  # a detached month is an archive: the ETL may no longer write it
            detached = [
                p.name for p in facts.detach_before(conn, dt.date(2009, 7, 1), ("post_metric_daily",))
            ]
        assert "post_metric_daily_p2009_06" in detached
        insert = "SELECT has_table_privilege('pf_etl', :t, 'INSERT')"
        assert rows(seeded, insert, t="post_metric_daily_p2009_06") == [(False,)]
        assert rows(seeded, insert, t=current) == [(True,)]
        assert rows(seeded, insert, t="post_metric_daily_default") == [(False,)]
        drop(seeded, *detached)
    finally:
        drop(seeded, "post_metric_daily_p2009_06")
