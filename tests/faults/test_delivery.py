"""At-least-once delivery through the real SQS handler (functions/events/etl.py) with moto S3:
the same S3 event 3×, two concurrent deliveries of one object, and a handler dying mid-load."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tests.etl_corpus.seed import fingerprint, seed

INFLUENCERS = "platform,handle,name,followers\n" + "".join(f"instagram,new{i},New {i},{1000 + i}\n" for i in range(40))
PROFILE_ROWS = 2000
PROFILES = "Channel Info,Followers,Country\n" + "".join(f"@p{i},{i + 1}k,Peru\n" for i in range(PROFILE_ROWS))


@pytest.fixture()
def raw(aws: dict[str, str], db: Engine, tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    from predictfluence.config import reset_settings

    monkeypatch.setenv("PF_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    seed(db)
    yield {"s3": boto3.client("s3", region_name="us-east-1"), "bucket": aws["raw_bucket"], "db": db}


def _event(bucket: str, key: str, message_id: str) -> dict[str, Any]:
    body = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket},
                                                                  "object": {"key": key.replace("/", "%2F")}}}]}
    return {"Records": [{"messageId": message_id, "receiptHandle": "r", "body": json.dumps(body), "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:predictfluence-etl",
                         "awsRegion": "us-east-1"}]}


def _deliver(event: dict[str, Any]) -> dict[str, Any]:
    from app import app

    return app.handler_map["etl"](event, None)  # the Chalice SQS wrapper Lambda calls


def _scalar(db: Engine, sql: str) -> Any:
    with db.connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def test_the_same_s3_event_three_times_loads_once(raw: dict[str, Any]) -> None:
    raw["s3"].put_object(Bucket=raw["bucket"], Key="raw/influencers/new.csv", Body=INFLUENCERS.encode())
    results = [_deliver(_event(raw["bucket"], "raw/influencers/new.csv", f"m{i}")) for i in range(3)]
    assert results == [{"batchItemFailures": []}] * 3
    assert _scalar(raw["db"], "SELECT count(*) FROM influencer WHERE handle LIKE 'new%'") == 40
    assert _scalar(raw["db"], "SELECT string_agg(status, ',' ORDER BY id) FROM etl_load") == "loaded"


def test_two_concurrent_deliveries_of_one_file_load_once(raw: dict[str, Any], monkeypatch) -> None:
    """Delivery A is held inside its transaction until delivery B is seen waiting on a lock A's session
    holds (pg_stat_activity + pg_blocking_pids); then A commits and B skips the file by its checksum.
    The wait must have been observed: if B never blocked (or never started), the test fails."""
    from etl_jobs.kinds import influencers

    real = influencers.InfluencersLoader.upsert
    entered = threading.Event()
    holder: list[int] = []
    blocked: list[int] = []

    def held_upsert(self, conn, hmap):
        if not entered.is_set():
            holder.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            entered.set()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # bounded: B blocks on the claim within milliseconds
                with raw["db"].connect() as probe:
                    blocked.extend(probe.execute(sa.text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock' AND :holder = ANY(pg_blocking_pids(pid))"),
                        {"holder": holder[0]}).scalars())
                if blocked:
                    break
                time.sleep(0.01)
        return real(self, conn, hmap)

    monkeypatch.setattr(influencers.InfluencersLoader, "upsert", held_upsert)
    raw["s3"].put_object(Bucket=raw["bucket"], Key="raw/influencers/new.csv", Body=INFLUENCERS.encode())
    results: dict[str, Any] = {}

    def run(name: str) -> None:
        results[name] = _deliver(_event(raw["bucket"], "raw/influencers/new.csv", name))

    first = threading.Thread(target=run, args=("a",))
    first.start()
    assert entered.wait(20)
    second = threading.Thread(target=run, args=("b",))
    second.start()
    first.join(30)
    second.join(30)
    assert not first.is_alive() and not second.is_alive()
    assert len(blocked) == 1 and blocked[0] != holder[0], "delivery B was never seen waiting on delivery A's lock"
    assert results == {"a": {"batchItemFailures": []}, "b": {"batchItemFailures": []}}
    assert _scalar(raw["db"], "SELECT count(*) FROM influencer WHERE handle LIKE 'new%'") == 40
    assert _scalar(raw["db"], "SELECT count(*) FROM etl_load") == 1


def test_a_handler_killed_after_half_the_batches_leaves_nothing_and_the_retry_loads_all(
        raw: dict[str, Any], monkeypatch) -> None:
    from etl_jobs import profile_writes
    from etl_jobs.kinds import profiles

    monkeypatch.setattr(profiles, "BATCH_ROWS", 250)  # 2,000 rows → 8 batches
    real_write = profile_writes.write  # what the profiles writer thread runs per batch (issue 16.8)
    written: list[int] = []

    def dying_write(conn, batch, source):
        if len(written) == 4:
            raise MemoryError("simulated Lambda death after 4 of 8 batches")
        written.append(real_write(conn, batch, source))
        return written[-1]

    monkeypatch.setattr(profile_writes, "write", dying_write)
    raw["s3"].put_object(Bucket=raw["bucket"], Key="raw/profiles/export.csv", Body=PROFILES.encode())
    before = fingerprint(raw["db"])
    event = _event(raw["bucket"], "raw/profiles/export.csv", "m-1")
    assert _deliver(event) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}  # SQS redelivers it
    assert sum(written) == 1000  # half the rows were written inside the transaction …
    assert fingerprint(raw["db"]) == before  # … and none of them survived
    assert _scalar(raw["db"], "SELECT string_agg(status, ',' ORDER BY id) FROM etl_load") == "failed"

    monkeypatch.setattr(profile_writes, "write", real_write)
    assert _deliver(event) == {"batchItemFailures": []}
    assert _scalar(raw["db"], "SELECT count(*) FROM influencer WHERE handle LIKE 'p%'") == PROFILE_ROWS
    assert _scalar(raw["db"], "SELECT count(*) FROM influencer_snapshot") == PROFILE_ROWS
    assert _scalar(raw["db"], "SELECT sum(followers) FROM influencer WHERE handle LIKE 'p%'") == \
        sum((i + 1) * 1000 for i in range(PROFILE_ROWS))
    assert _scalar(raw["db"], "SELECT string_agg(status, ',' ORDER BY id) FROM etl_load") == "failed,loaded"


def test_a_handler_killed_mid_copy_on_the_post_metrics_fast_path_leaves_nothing(raw: dict[str, Any], monkeypatch):
    """The fast path COPYs straight into post_metric_daily chunk by chunk; dying after half the chunks must
    roll all of it back (savepoint + the load's transaction) and the redelivery must load every row."""
    from etl_jobs import fast_metrics

    days = [f"2026-{m:02d}-{d:02d}" for m in (3, 4, 5, 6) for d in range(1, 29)]  # 112 days × 3 posts
    body = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n" + "".join(
        f"{platform},{post},{day},{i},1,0,0,,,\n"
        for i, day in enumerate(days) for platform, post in (("instagram", "p1"), ("tiktok", "t1"), ("youtube", "y1")))
    monkeypatch.setattr(fast_metrics, "CHUNK_CHARS", 2048)  # ~8 chunks instead of one
    real_encode = fast_metrics._Stream.encode
    calls: list[int] = []

    def dying_encode(self, rows, direct):
        calls.append(len(rows))
        if len(calls) == 5:
            raise MemoryError("simulated Lambda death in the middle of the COPY")
        return real_encode(self, rows, direct)

    monkeypatch.setattr(fast_metrics._Stream, "encode", dying_encode)
    raw["s3"].put_object(Bucket=raw["bucket"], Key="raw/post_metrics/days.csv", Body=body.encode())
    before = fingerprint(raw["db"])
    event = _event(raw["bucket"], "raw/post_metrics/days.csv", "m-2")
    assert _deliver(event) == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert sum(calls[:4]) > 0 and len(calls) == 5  # four chunks went into the COPY before the death
    assert fingerprint(raw["db"]) == before

    monkeypatch.setattr(fast_metrics._Stream, "encode", real_encode)
    assert _deliver(event) == {"batchItemFailures": []}
    assert _scalar(raw["db"], "SELECT count(*) FROM post_metric_daily") == len(days) * 3
    assert _scalar(raw["db"], "SELECT sum(likes) FROM post_metric_daily") == 3 * sum(range(len(days)))
    assert _scalar(raw["db"], "SELECT string_agg(status, ',' ORDER BY id) FROM etl_load") == "failed,loaded"
