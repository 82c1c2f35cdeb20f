"""Issue 10.5 and 10.7: what a load stores and reports is bounded and leaks no SQL.

Before: `etl_load.error` held the failed statement, its bound rows and the server's source file (read by
every viewer through /etl/loads); profiles rejections were uncapped and kept whole raw values, so a
report could be as large as the file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl_jobs.base import MAX_REPORT_VALUE, MAX_REPORTED_REJECTIONS
from tests.etl.conftest import rows

LONG = "x" * 50_000


def test_a_database_error_is_stored_as_a_short_message_and_its_sqlstate(seeded, load, write_csv, monkeypatch):
    from etl_jobs.kinds import influencers

    def failing_upsert(self, conn, hmap):
        conn.exec_driver_sql("SELECT 1 / 0 FROM (VALUES ('secret-row-value')) AS v(x) WHERE x = %s",
                             ("bound-secret",))

    monkeypatch.setattr(influencers.InfluencersLoader, "upsert", failing_upsert)
    outcome = load(write_csv("i.csv", "platform,handle\ninstagram,zed\n", "influencers"))
    assert outcome.status == "failed"
    [(error,)] = rows(seeded, "SELECT error FROM etl_load WHERE status = 'failed'")
    assert error == "database error SQLSTATE 22012: division by zero (details in the ETL's log)"
    assert outcome.message == f"load failed, nothing was loaded: {error}"


def test_another_error_is_one_short_line():
    from etl_jobs.pipeline import failure_message

    assert failure_message(ConnectionError("database went away\nTraceback (most recent call last): …")) == (
        "ConnectionError: database went away")
    assert len(failure_message(RuntimeError("y" * 10_000))) < 250


@pytest.mark.parametrize("kind", ["influencers", "profiles"])
def test_rejections_beyond_the_cap_are_counted_not_kept_and_values_are_clipped(db, load, write_csv, kind):
    bad = MAX_REPORTED_REJECTIONS + 500
    if kind == "influencers":
        header = "platform,handle,name,followers\n"
        body = "".join(f"instagram,h{i},{LONG if i < 3 else 'n'},{5 if i < 3 else -i}\n" for i in range(bad))
    else:
        header = "Channel Info,Followers,Country\n"
        body = "".join(f"h{i},-{i + 1}{LONG if i < 3 else ''},US\n" for i in range(bad))
    good = "instagram,ok,Ok,5\n" if kind == "influencers" else "ok,5,US\n"
    outcome = load(write_csv(f"instagram_{kind}.csv", header + body + good, kind))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == (
        "loaded", bad + 1, 1, bad)
    assert len(outcome.rejections) == MAX_REPORTED_REJECTIONS
    report = json.loads(Path(outcome.report_key).read_text(encoding="utf-8"))
    assert report["rows_rejected"] == bad and report["rejections_listed"] == MAX_REPORTED_REJECTIONS
    assert f"the report lists the first {MAX_REPORTED_REJECTIONS:,} rejections only (500 more not listed)" in (
        report["notes"])
    first = report["rejections"][0]
    if kind == "influencers":
        assert (first["column"], first["value"]) == ("name", "x" * MAX_REPORT_VALUE + "… (50,000 characters)")
    else:
        assert first["column"] == "followers" and first["value"] == "'-1" + "x" * (MAX_REPORT_VALUE - 2) + (
            "… (50,002 characters)")  # a leading '-' is neutralised for spreadsheets
        assert len(first["reason"]) < 600
    longest = max(len(json.dumps(r)) for r in report["rejections"])
    assert longest < 2 * MAX_REPORT_VALUE + 1_000
    assert Path(outcome.report_key).stat().st_size < 3_000_000
