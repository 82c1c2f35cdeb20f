"""Issue 16.2 follow-up: the post_metrics fast path COPYs each month's rows straight into that month's
partition (multi-inserts; migration d2c7f4a9e613 gave the month partitions the rollup queue triggers).
Each row is queued exactly once whether it arrives through the parent or the partition, and the rollups
equal a recomputation; months without a partition (not made first: the safety net, see
test_partition_backfill) or a partition without the triggers go through the parent; pf_fact_partitions()
gives new months the triggers without queueing the rows it moves; a detached month loses them."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from etl_jobs import fast_metrics
from etl_jobs.base import SourceFile
from etl_jobs.pipeline import load_file
from predictfluence.queries import partitions as facts
from predictfluence.queries import rollups
from tests.etl.conftest import rows
from tests.etl.test_incremental_rollups import differences

HEADER = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
TRIGGERS = {"trg_post_metric_daily_rollup_insert", "trg_post_metric_daily_rollup_update",
            "trg_post_metric_daily_rollup_delete"}
POSTS = (("instagram", "p1"), ("tiktok", "t1"), ("youtube", "y1"))


@pytest.fixture()
def months_not_made_first(monkeypatch):
    """The safety net: making the file's months before the load failed (e.g. lock_timeout), so rows of a month
    without a partition go through the parent into DEFAULT and finish_batch moves them (issue 16.2)."""
    for where in ("etl_jobs.fast_metrics", "etl_jobs.kinds.post_metrics"):
        monkeypatch.setattr(f"{where}.ensure_months", lambda conn, table, days: 0)


def metrics_file(days: list[dt.date], posts=POSTS, bump: int = 0) -> str:
    return HEADER + "".join(f"{p},{e},{d},{n + bump},1,2,3,{10 * n},,\n"
                            for n, (p, e) in enumerate(posts, 1) for d in days)


def load_queued(db, path) -> dict[int, int]:
    """Load without applying the rollups; the metric rows each post's queue entries count (then applied)."""
    outcome = load_file(db, SourceFile(path=path, key=str(path)), kind="post_metrics", refresh_rollups=False)
    assert outcome.status == "loaded", outcome
    queued = dict(rows(db, "SELECT post_id, sum(metric_days)::int FROM rollup_metric_delta GROUP BY 1"))
    return queued


def per_post(db) -> dict[int, int]:
    return dict(rows(db, "SELECT post_id, count(*)::int FROM post_metric_daily GROUP BY 1"))


def triggers_on(db, table: str) -> set[str]:
    return {r[0] for r in rows(db, "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(:t) "
                                   "AND tgname LIKE 'trg_post_metric_daily%%'", t=table)}


def this_month_days(today: dt.date) -> list[dt.date]:
    return [today.replace(day=d) for d in range(1, min(today.day, 3) + 1)]


def test_a_load_into_an_existing_month_partition_queues_each_row_once(seeded, write_csv, db_today, fast_calls,
                                                                      copied_into):
    part = f"post_metric_daily_p{db_today:%Y_%m}"
    assert triggers_on(seeded, part) == TRIGGERS  # the current month's partition, from the migration
    with seeded.connect() as conn:
        assert fast_metrics.month_partitions(conn, {f"{db_today:%Y-%m}", "2001-01"}) == {f"{db_today:%Y-%m}": part}
    days = this_month_days(db_today)
    queued = load_queued(seeded, write_csv("a.csv", metrics_file(days), "post_metrics"))
    assert fast_calls == [True]
    assert copied_into == [part]  # one COPY, straight into the partition
    assert queued == per_post(seeded) == {i: len(days) for i in per_post(seeded)}  # once each, not twice
    assert dict(rows(seeded, "SELECT tableoid::regclass::text, count(*) FROM post_metric_daily GROUP BY 1")) == {
        part: 3 * len(days)}
    rollups.apply(seeded)
    assert differences(seeded) == {}
    # a reload with changes (the upsert through the parent) and a new post-day after: still exact
    more = [*days[1:], days[0]]
    assert load_queued(seeded, write_csv("b.csv", metrics_file(more, bump=5), "post_metrics")) == {}
    rollups.apply(seeded)
    assert differences(seeded) == {}


def test_a_file_across_a_month_with_and_one_without_partition(seeded, write_csv, db_today, fast_calls, copied_into,
                                                              months_not_made_first):
    old = dt.date(2003, 5, 7)  # no partition (not made first): through the parent, into DEFAULT
    days = [old, *this_month_days(db_today)]
    with seeded.begin() as conn:  # p1 already has metrics on the old day: its rows are staged and upserted
        conn.exec_driver_sql(f"INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves) "
                             f"SELECT id, '{old}', 1, 1, 1, 1 FROM post WHERE external_id = 'p1'")
    rollups.apply(seeded)
    queued = load_queued(seeded, write_csv("a.csv", metrics_file(days, POSTS[::-1]), "post_metrics"))
    assert fast_calls == [True]  # y1 first (no metrics yet): direct COPY, p1's rows spooled and upserted
    assert copied_into == ["post_metric_daily", f"post_metric_daily_p{db_today:%Y_%m}", "pf_fast"]
    where = dict(rows(seeded, "SELECT tableoid::regclass::text, count(*) FROM post_metric_daily GROUP BY 1"))
    assert where == {"post_metric_daily_default": 3, f"post_metric_daily_p{db_today:%Y_%m}": 3 * (len(days) - 1)}
    p1 = rows(seeded, "SELECT id FROM post WHERE external_id = 'p1'")[0][0]
    # every new row once; p1's existing day went through the upsert (an UPDATE: queued as a dirty post)
    assert queued == {i: n - (i == p1) for i, n in per_post(seeded).items()}
    rollups.apply(seeded)
    assert differences(seeded) == {}
    with seeded.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM post_metric_daily WHERE date = '{old}'")


def test_a_partition_without_the_triggers_is_not_written_directly(seeded, write_csv, fast_calls):
    with seeded.begin() as conn:  # made by hand, without the queue triggers
        conn.exec_driver_sql("CREATE TABLE post_metric_daily_p2004_02 PARTITION OF post_metric_daily "
                             "FOR VALUES FROM ('2004-02-01') TO ('2004-03-01')")
    try:
        with seeded.connect() as conn:
            assert fast_metrics.month_partitions(conn, {"2004-02"}) == {}
        days = [dt.date(2004, 2, 3), dt.date(2004, 2, 4)]
        queued = load_queued(seeded, write_csv("a.csv", metrics_file(days), "post_metrics"))
        assert fast_calls == [True]
        assert queued == per_post(seeded) == {i: 2 for i in per_post(seeded)}  # the parent's trigger queued them
        rollups.apply(seeded)
        assert differences(seeded) == {}
    finally:
        with seeded.begin() as conn:
            conn.exec_driver_sql("DROP TABLE post_metric_daily_p2004_02")


def test_new_months_get_the_triggers_the_move_queues_nothing_and_a_detach_drops_them(seeded, write_csv,
                                                                                    months_not_made_first):
    month = dt.date(2001, 3, 1)  # older than any other test's month: the detach below takes only it
    part = f"post_metric_daily_p{month:%Y_%m}"
    assert sa.inspect(seeded).has_table(part) is False  # no test before made this month
    queued = load_queued(seeded, write_csv("a.csv", metrics_file([month + dt.timedelta(days=2)]), "post_metrics"))
    with seeded.begin() as conn:
        assert facts.ensure(conn) >= 1
    assert triggers_on(seeded, part) == TRIGGERS
    assert dict(rows(seeded, "SELECT post_id, sum(metric_days)::int FROM rollup_metric_delta GROUP BY 1")) == queued
    rollups.apply(seeded)
    assert differences(seeded) == {}
    with seeded.begin() as conn:
        assert [p.name for p in facts.detach_before(conn, month + dt.timedelta(days=40))
                if p.table == "post_metric_daily"] == [part]
    try:
        assert triggers_on(seeded, part) == set()
    finally:
        with seeded.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {part}")


def test_a_file_across_two_months_with_partitions(seeded, load, write_csv, db_today, fast_calls, copied_into):
    old = dt.date(2002, 6, 3)
    first = load(write_csv("a.csv", metrics_file([old], POSTS[:1]), "post_metrics"), kind="post_metrics")
    assert first.status == "loaded"  # the load made the 2002-06 partition first, with the triggers
    try:
        assert triggers_on(seeded, "post_metric_daily_p2002_06") == TRIGGERS
        copied_into.clear()
        days = [old + dt.timedelta(days=1), *this_month_days(db_today)]
        queued = load_queued(seeded, write_csv("b.csv", metrics_file(days, POSTS[1:]), "post_metrics"))
        assert fast_calls == [True, True]
        # the last month streams, the other month's rows are spooled and COPYed into their partition after
        assert copied_into == [f"post_metric_daily_p{db_today:%Y_%m}", "post_metric_daily_p2002_06"]
        assert queued == {i: n for i, n in per_post(seeded).items() if n == len(days)}
        assert len(queued) == 2
        rollups.apply(seeded)
        assert differences(seeded) == {}
    finally:
        with seeded.begin() as conn:
            conn.exec_driver_sql("DROP TABLE post_metric_daily_p2002_06")
        rollups.apply(seeded)
