"""Rows processed while a load runs (issue 13.9, etl_jobs.progress): the ETL reports them per COPY block (or
per batch / chunk) on its own connection, so that another session — the API's query — reads them mid-load,
while the load's own `etl_load` row is still uncommitted. Each observation below is made by the API's query
layer from its own connection at the moment the ETL writes a progress value."""

from __future__ import annotations

from typing import Any

import pytest

from etl_jobs import progress, staging
from predictfluence.queries import etl_loads
from tests.etl.conftest import rows

N = 400
HEADER = "platform,handle,name,category,country,language,followers\n"


def _influencers(n: int) -> str:
    return HEADER + "".join(f"instagram,prog_{i:04d},Progress {i},beauty,US,en,{10_000 + i}\n" for i in range(n))


@pytest.fixture()
def observed(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What GET /etl/loads's query returns each time the ETL has written a progress value."""
    seen: list[dict[str, Any]] = []
    write = progress.Progress._write

    def spy(self: progress.Progress, rows_processed: int) -> None:
        write(self, rows_processed)
        items, total = etl_loads.list_loads()
        seen.append({"written": rows_processed, "total": total, "items": items,
                     "one": etl_loads.get_load(self.load_id)})

    monkeypatch.setattr(progress.Progress, "_write", spy)
    return seen


def test_a_running_load_shows_rows_processed_to_other_sessions(db, load, write_csv, observed, monkeypatch):
    monkeypatch.setattr(staging, "COPY_BLOCK_BYTES", 4096)  # ~80 rows per block instead of 1 MiB
    outcome = load(write_csv("many.csv", _influencers(N), "influencers"), kind="influencers")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", N)

    written = [o["written"] for o in observed]
    assert written[0] == 0 and written == sorted(set(written))  # one write per block, never backwards
    assert len(written) >= 5 and 0 < written[2] < N
    for o in observed:  # another session sees the load as processing, with the count just written
        assert o["total"] == 1
        (item,) = o["items"]
        assert (item["id"], item["status"], item["rows_processed"]) == (outcome.load_id, "processing", o["written"])
        assert (item["kind"], item["rows_in"], item["finished_at"]) == ("influencers", 0, None)
        assert o["one"] == item
    # ended: the committed row, every row processed, and no progress row left
    (done,), _ = etl_loads.list_loads()
    assert (done["status"], done["rows_in"], done["rows_processed"]) == ("loaded", N, N)
    assert rows(db, "SELECT count(*) FROM etl_load_progress") == [(0,)]


def test_a_forced_rerun_shows_as_processing_until_it_commits(db, load, write_csv, observed, monkeypatch):
    path = write_csv("again.csv", _influencers(50), "influencers")
    first = load(path, kind="influencers")
    observed.clear()
    monkeypatch.setattr(staging, "COPY_BLOCK_BYTES", 1024)
    again = load(path, kind="influencers", force=True)
    assert again.load_id == first.load_id and again.status == "loaded"
    mid = [o["one"] for o in observed]
    assert mid and all(m["status"] == "processing" for m in mid)
    assert [m["rows_processed"] for m in mid] == [o["written"] for o in observed]
    assert all(m["rows_in"] == 50 for m in mid)  # the previous run's counts until the re-run commits
    assert etl_loads.get_load(first.load_id)["status"] == "loaded"


def test_a_failed_load_leaves_no_progress(db, load, write_csv, observed, monkeypatch):
    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(staging, "COPY_BLOCK_BYTES", 1024)
    monkeypatch.setattr(staging, "collect", boom)  # after the COPY, before the commit
    outcome = load(write_csv("bad.csv", _influencers(60), "influencers"), kind="influencers")
    assert outcome.status == "failed"
    assert observed and observed[-1]["one"]["status"] == "processing"
    assert rows(db, "SELECT count(*) FROM etl_load_progress") == [(0,)]
    (failed,), _ = etl_loads.list_loads()
    assert (failed["status"], failed["rows_processed"]) == ("failed", 0)


def test_progress_that_cannot_be_written_never_fails_the_load(db, load, write_csv, monkeypatch, caplog):
    from etl_jobs import progress as module

    monkeypatch.setattr(module, "_UPSERT", module.sa.text("INSERT INTO no_such_table VALUES (:id)"))
    outcome = load(write_csv("ok.csv", _influencers(10), "influencers"), kind="influencers")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 10)
    assert "no more progress" in caplog.text


def test_the_metrics_fast_path_reports_per_chunk(seeded, load, write_csv, observed, monkeypatch):
    import datetime as dt

    from etl_jobs import fast_metrics

    monkeypatch.setattr(fast_metrics, "CHUNK_CHARS", 1024)  # ~25 rows per chunk instead of 1 MiB
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=d) for d in range(150)]
    text = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n" + "".join(
        f"{platform},{post},{day},{i},1,1,1,,,\n" for platform, post in (("instagram", "p1"), ("tiktok", "t1"))
        for i, day in enumerate(days))
    observed.clear()
    outcome = load(write_csv("metrics.csv", text, "post_metrics"), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 300)
    written = [o["written"] for o in observed]
    assert written[0] == 0 and written == sorted(set(written)) and len(written) >= 5
    assert 0 < written[2] < 300
    assert all(o["one"]["status"] == "processing" and o["one"]["kind"] == "post_metrics" for o in observed)
    assert etl_loads.get_load(outcome.load_id)["rows_processed"] == 300
