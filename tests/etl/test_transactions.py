"""Idempotency (same checksum loads once, also when delivered concurrently) and all-or-nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import sqlalchemy as sa

from etl_jobs import fast_metrics
from etl_jobs.base import SourceFile
from etl_jobs.kinds import post_metrics
from etl_jobs.pipeline import load_file
from tests.etl.conftest import rows, scalar

DATA = Path(__file__).resolve().parents[1] / "data" / "etl"


def test_same_file_three_times_loads_once(seeded, load):
    outcomes = [load(DATA / "post_metrics.csv", kind="post_metrics") for _ in range(3)]
    assert [o.status for o in outcomes] == ["loaded", "skipped_duplicate", "skipped_duplicate"]
    assert {o.load_id for o in outcomes} == {outcomes[0].load_id}
    assert scalar(seeded, "SELECT count(*) FROM etl_load WHERE kind = 'post_metrics'") == 1
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 3


def test_force_reloads_and_updates_the_same_load_row(seeded, load):
    first = load(DATA / "post_metrics.csv", kind="post_metrics")
    with seeded.begin() as conn:
        conn.execute(sa.text("UPDATE post_metric_daily SET likes = 0"))
    again = load(DATA / "post_metrics.csv", kind="post_metrics", force=True)
    assert (again.status, again.load_id, again.rows_loaded) == ("loaded", first.load_id, 3)
    assert rows(seeded, "SELECT likes FROM post_metric_daily ORDER BY likes") == [(80,), (120,), (5000,)]


def _blocked_by(engine, pid: int, timeout: float = 10.0) -> list[int]:
    """The backends of this database that PostgreSQL reports as waiting on a lock held by `pid`, polled
    until there is one or `timeout` passes (a deadline, not a sleep-for-synchronisation)."""
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            waiting = conn.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND :holder = ANY(pg_blocking_pids(pid))"), {"holder": pid}).scalars().all()
        if waiting or time.monotonic() > deadline:
            return list(waiting)
        time.sleep(0.01)


def test_concurrent_double_delivery_loads_once(seeded, monkeypatch):
    """Two deliveries of the same object at once: the second blocks on the claim, then skips.

    The second delivery must be seen by PostgreSQL waiting on a lock the first one's session holds
    (pg_blocking_pids) before the first is released; a thread that merely has not started yet proves
    nothing."""
    real = post_metrics.PostMetricsLoader.load
    first_inside = threading.Event()
    release = threading.Event()
    first_pid: list[int] = []

    def slow_load(self, conn, source):
        first_pid.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
        first_inside.set()
        release.wait(10)
        return real(self, conn, source)

    monkeypatch.setattr(post_metrics.PostMetricsLoader, "load", slow_load)
    source = SourceFile(path=DATA / "post_metrics.csv", key="raw/post_metrics/post_metrics.csv")
    results = {}

    def run(name):
        results[name] = load_file(seeded, source)

    one = threading.Thread(target=run, args=("one",))
    one.start()
    assert first_inside.wait(10)
    two = threading.Thread(target=run, args=("two",))
    two.start()
    try:
        waiting = _blocked_by(seeded, first_pid[0])
        assert len(waiting) == 1, "the second delivery never waited on the first one's claim"
        assert two.is_alive()
        assert first_pid == [first_pid[0]]  # only the first delivery got inside the loader
    finally:
        release.set()
        one.join(10)
        two.join(10)
    assert results["one"].status == "loaded"
    assert results["two"].status == "skipped_duplicate"
    assert results["two"].load_id == results["one"].load_id
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 3
    assert scalar(seeded, "SELECT count(*) FROM etl_load WHERE kind = 'post_metrics'") == 1


def test_failure_mid_file_leaves_nothing_and_a_retry_loads(seeded, load, monkeypatch):
    """The fast path: the rows are COPYed into the table, then the load dies before commit."""
    before = rows(seeded, "SELECT id, platform, external_id FROM post ORDER BY id")
    real = fast_metrics._upsert_staged

    def crash_after_writing(conn):
        real(conn)
        assert conn.exec_driver_sql("SELECT count(*) FROM post_metric_daily").scalar_one() == 3
        raise ConnectionError("simulated crash mid-file")

    monkeypatch.setattr(fast_metrics, "_upsert_staged", crash_after_writing)
    failed = load(DATA / "post_metrics.csv", kind="post_metrics")
    assert failed.status == "failed"
    assert "ConnectionError: simulated crash mid-file" in failed.message
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 0
    assert rows(seeded, "SELECT status FROM etl_load WHERE kind = 'post_metrics'") == [("failed",)]
    assert rows(seeded, "SELECT id, platform, external_id FROM post ORDER BY id") == before

    monkeypatch.setattr(fast_metrics, "_upsert_staged", real)
    retry = load(DATA / "post_metrics.csv", kind="post_metrics")
    assert (retry.status, retry.rows_loaded) == ("loaded", 3)
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 3
    assert rows(seeded, "SELECT status FROM etl_load WHERE kind = 'post_metrics' ORDER BY id") == [
        ("failed",), ("loaded",)
    ]


def test_failure_of_a_dimension_load_rolls_back_every_row(seeded, load, write_csv, monkeypatch):
    from etl_jobs import staging

    def boom(conn, rows_in):
        raise RuntimeError("disk full")

    monkeypatch.setattr(staging, "collect", boom)
    text = "platform,handle,followers\ninstagram,new1,5\ninstagram,ana,99\n"
    outcome = load(write_csv("i.csv", text), kind="influencers")
    assert outcome.status == "failed"
    assert rows(seeded, "SELECT handle, followers FROM influencer ORDER BY id") == [
        ("ana", 12000), ("bo", 560000), ("cy", None)
    ]


def test_deleting_a_post_deletes_its_metrics(seeded, load):
    """post_metric_daily has no FK trigger; the statement-level trigger on post keeps the cascade."""
    load(DATA / "post_metrics.csv", kind="post_metrics")
    with seeded.begin() as conn:
        conn.execute(sa.text("DELETE FROM post WHERE external_id = 'p1'"))
    assert rows(seeded, "SELECT count(*) FROM post_metric_daily") == [(1,)]
    with seeded.begin() as conn:
        conn.execute(sa.text("DELETE FROM influencer WHERE handle = 'bo'"))  # cascades to post, then metrics
    assert rows(seeded, "SELECT count(*) FROM post_metric_daily") == [(0,)]


def test_failure_mid_file_on_the_exact_path(seeded, load, write_csv, monkeypatch):
    """A file with a bad row takes the set-based path; a crash after its upsert leaves nothing either."""
    real = post_metrics.PostMetricsLoader.upsert

    def crash_after_writing(self, conn, hmap):
        real(self, conn, hmap)
        assert conn.exec_driver_sql("SELECT count(*) FROM post_metric_daily").scalar_one() == 3
        raise ConnectionError("simulated crash mid-file")

    monkeypatch.setattr(post_metrics.PostMetricsLoader, "upsert", crash_after_writing)
    path = write_csv("m.csv", (DATA / "post_metrics.csv").read_text() + "instagram,p1,2026-03-09,-1,0,0,0,,,\n")
    assert load(path, kind="post_metrics").status == "failed"
    assert scalar(seeded, "SELECT count(*) FROM post_metric_daily") == 0
    monkeypatch.setattr(post_metrics.PostMetricsLoader, "upsert", real)
    retry = load(path, kind="post_metrics")
    assert (retry.status, retry.rows_loaded, retry.rows_rejected) == ("loaded", 3, 1)
