"""The profiles kind's writer thread (etl_jobs.profile_writes.BatchWriter, issue 16.8): batches are written
in order on the load's connection, a write's error reaches the loader, and the connection is free again
when the writer is left — also when the loader itself failed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs.base import SourceFile
from etl_jobs.profile_writes import BatchWriter


def _row(handle: str, followers: int | None = 10, platform: str | None = "instagram") -> dict:
    return {"platform": platform, "handle": handle, "name": handle.title(), "as_of": dt.date(2024, 1, 5),
            "followers": followers, "extra": None}


def _influencers(db: Engine) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(
            "SELECT handle, name, followers FROM influencer ORDER BY handle"))]


def test_batches_are_written_in_order(db: Engine) -> None:
    with db.begin() as conn, BatchWriter(conn, "file:t") as writer:
        assert writer.put([_row("a", 1), _row("b", 2)]) == 2
        writer.put([_row("a", 3)])  # a later batch of the same handle: its values win
        writer.put([_row("c", None)])
    assert _influencers(db) == [("a", "A", 3), ("b", "B", 2), ("c", "C", None)]


def test_a_failed_write_reaches_the_loader_and_nothing_is_kept(db: Engine) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="not-null constraint"), db.begin() as conn:
        with BatchWriter(conn, "file:t") as writer:
            writer.put([_row("a")])
            writer.put([_row("b", platform=None)])  # NOT NULL platform: the database refuses it
            writer.put([_row("c")])  # queued after the error: drained, never written
    assert _influencers(db) == []


def test_the_loaders_own_error_waits_for_the_writes(db: Engine) -> None:
    with pytest.raises(RuntimeError, match="parse failed"), db.begin() as conn:
        with BatchWriter(conn, "file:t") as writer:
            writer.put([_row("a")])
            raise RuntimeError("parse failed")
    assert _influencers(db) == []  # the transaction rolled back on a connection the writer had left


def test_a_bad_file_after_many_batches_is_rejected_whole(db: Engine, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Invalid UTF-8 late in the file: FileRejected while earlier batches were being written; none kept."""
    from etl_jobs.base import FileRejected
    from etl_jobs.kinds import profiles

    monkeypatch.setattr(profiles, "BATCH_ROWS", 50)
    lines = [f"creator{i},{100 + i},0.5%" for i in range(5_000)]  # ~100 kB: decoding fails long after the start
    path = tmp_path / "instagram_export.csv"
    path.write_bytes(("handle,followers,engagement_rate\n" + "\n".join(lines) + "\n").encode() + b"bad,\xff\xfe,1\n")
    with pytest.raises(FileRejected, match="not valid UTF-8"), db.begin() as conn:
        profiles.loader.load(conn, SourceFile(path, str(path)))
    assert _influencers(db) == []
