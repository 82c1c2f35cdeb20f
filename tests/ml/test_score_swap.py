"""The scoring swap by partition (issue 16.3, migration b3d8e6f1a2c4): each chunk writes its complete rows
into its run's own table, and the last chunk swaps that table in as influencer_score's one partition —
no score row written or read by the swap. A reader on a second connection sees the previous run until the
last chunk commits and the new run after; a chunk whose transaction failed leaves nothing in the run's
table and its retry writes its rows once; a superseded run's table is dropped and its late chunks skipped;
an influencer's new follower tier and its deletion reach a run's table before it is swapped in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence.queries import score_runs
from predictfluence_ml import scoring
from tests.ml.test_score_runs import _champion, _run_row, _scores

# the DEFAULT partition of influencer_score (its only one)
PARTITION = "SELECT partdefid::regclass::text FROM pg_partitioned_table WHERE partrelid = 'influencer_score'::regclass"
# this transaction's row and scan counts on influencer_score's tables (pg_stat_xact_user_tables)
XACT = (
    "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0), coalesce(sum(seq_scan), 0), "
    "coalesce(sum(coalesce(idx_scan, 0)), 0) FROM pg_stat_xact_user_tables WHERE relname LIKE 'influencer_score%'"
)


def _partition(db: Engine) -> str:
    with db.connect() as conn:
        return conn.execute(sa.text(PARTITION)).scalar_one()


def _oid(db: Engine, table: str) -> int | None:
    with db.connect() as conn:
        return conn.execute(sa.text("SELECT to_regclass(:t)::oid"), {"t": table}).scalar()


def test_a_second_connection_reads_the_previous_run_until_the_last_chunk_commits(
    db, aws, warehouse, fast_params
) -> None:
    bundle, version = _champion(db, fast_params)
    scoring.score_all(db, bundle, version, chunk_size=10**9)
    previous, previous_table = _scores(db), _partition(db)
    plan = scoring.start_run(db, bundle, version, chunk_size=50)
    table = score_runs.run_table(plan.run_id)
    assert len(plan.chunks) == 3 and previous_table != table
    with db.connect() as reader:

        def read() -> tuple[list[tuple], set[str]]:
            rows = [
                tuple(r)
                for r in reader.execute(
                    sa.text(
                        "SELECT influencer_id, content_type, predicted_er, rationale FROM influencer_score ORDER BY 1, 2"
                    )
                )
            ]
            tables = set(reader.execute(sa.text("SELECT DISTINCT tableoid::regclass::text FROM influencer_score"))
                         .scalars())  # fmt: skip
            reader.rollback()  # READ COMMITTED, one statement at a time, as the API's requests
            return rows, tables

        before = read()
        assert before[1] == {previous_table} and len(before[0]) == len(previous)
        for k, _lo, _hi in plan.chunks[:-1]:
            assert not scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform).completed_run
            assert read() == before  # the run's rows are in its own table, not yet a partition
            assert _run_row(db, plan.run_id)[4] > 0
        assert scoring.score_chunk(
            db, bundle, plan.run_id, plan.chunks[-1][0], plan.types_by_platform
        ).completed_run
        rows, tables = read()
    assert tables == {table} and len(rows) == _run_row(db, plan.run_id)[3] == len(previous)
    assert _oid(db, previous_table) is None  # the previous run's table is dropped


def test_the_swap_writes_and_reads_no_score_row(db, aws, warehouse, fast_params, monkeypatch) -> None:
    """The swap's transaction counts no inserted, updated or deleted row and no scan on influencer_score's
    tables between before and after the swap (pg_stat_xact_user_tables): ATTACH adopts the run's indexes
    and foreign keys and validates nothing; and the partition read afterwards is the very table (same oid)
    the chunks wrote."""
    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=50)
    table = f"influencer_score_run_{plan.run_id}"
    oid = _oid(db, table)
    counted: list[tuple] = []
    real = score_runs.swap

    def counting(conn: sa.Connection, run_id: int) -> int:
        before = tuple(conn.execute(sa.text(XACT)).one())
        written = real(conn, run_id)
        counted.append((before, tuple(conn.execute(sa.text(XACT)).one()), written))
        return written

    monkeypatch.setattr(score_runs, "swap", counting)
    for k, _lo, _hi in plan.chunks:
        scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform)
    ((before, after, written),) = counted
    assert before == after, (before, after)
    assert written == _run_row(db, plan.run_id)[3] == len(_scores(db)) > 0
    assert oid is not None and _oid(db, table) == oid and _partition(db) == table


def test_a_chunk_rolled_back_after_writing_leaves_nothing_and_its_retry_writes_once(
    db, aws, warehouse, fast_params, monkeypatch
) -> None:
    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=50)
    real = score_runs.finish_chunk
    monkeypatch.setattr(
        score_runs, "finish_chunk", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("lost"))
    )
    with pytest.raises(RuntimeError, match="lost"):
        scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform)
    assert _run_row(db, plan.run_id)[1:] == (0, 3, 0, 0)  # the chunk's rows were rolled back with it
    with db.connect() as conn:  # and its run-level figures kept for the retry
        assert conn.execute(sa.text("SELECT count(*) FROM score_run_influencer WHERE run_id = :r"),
                            {"r": plan.run_id}).scalar_one() == plan.influencers  # fmt: skip
    monkeypatch.setattr(score_runs, "finish_chunk", real)
    first = scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform)
    assert first.rows > 0 and _run_row(db, plan.run_id)[1:] == (1, 3, first.rows, first.rows)
    for k, _lo, _hi in plan.chunks[1:]:
        scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform)
    scores = _scores(db)
    assert len(scores) == len({s[:2] for s in scores}) == _run_row(db, plan.run_id)[3]
    assert all(s[8] is not None for s in scores)  # the clusters of chunk 0's retry too


def test_a_superseded_run_is_dropped_and_its_late_chunks_skipped(db, aws, warehouse, fast_params) -> None:
    bundle, version = _champion(db, fast_params)
    old = scoring.start_run(db, bundle, version, chunk_size=50)
    scoring.score_chunk(db, bundle, old.run_id, 0, old.types_by_platform)
    assert _oid(db, score_runs.run_table(old.run_id)) is not None
    new = scoring.start_run(db, bundle, version, chunk_size=50)
    assert _run_row(db, old.run_id)[0] == "superseded" and _oid(db, score_runs.run_table(old.run_id)) is None
    assert scoring.score_chunk(db, bundle, old.run_id, 1, old.types_by_platform).status == "skipped"
    for k, _lo, _hi in new.chunks:
        scoring.score_chunk(db, bundle, new.run_id, k, new.types_by_platform)
    assert _partition(db) == score_runs.run_table(new.run_id) and _run_row(db, new.run_id)[0] == "complete"
    assert scoring.score_chunk(db, bundle, old.run_id, 2, old.types_by_platform).status == "skipped"
    assert len(_scores(db)) == _run_row(db, new.run_id)[3] > 0


def test_a_new_tier_and_a_deletion_reach_the_run_before_its_swap(db, aws, warehouse, fast_params) -> None:
    """The follower_tier copy (migration c7a1e9d3b5f2's trigger) is kept in a running run's table too, and an
    influencer deleted mid-run leaves it by its foreign key (ON DELETE CASCADE)."""
    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=50)
    scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform)
    lo, hi = plan.chunks[0][1:]
    with db.begin() as conn:
        moved, gone = conn.execute(sa.text(
            f"SELECT influencer_id FROM {score_runs.run_table(plan.run_id)} WHERE influencer_id BETWEEN :lo AND :hi "  # noqa: S608
            "GROUP BY 1 ORDER BY 1 LIMIT 2"), {"lo": lo, "hi": hi}).scalars()  # fmt: skip
        tier = conn.execute(
            sa.text(
                "UPDATE influencer SET followers = CASE WHEN followers >= 1000000 THEN 100 "
                "ELSE 2000000 END WHERE id = :i RETURNING follower_tier"
            ),
            {"i": moved},
        ).scalar_one()
        conn.execute(sa.text("DELETE FROM influencer WHERE id = :i"), {"i": gone})
    for k, _lo, _hi in plan.chunks[1:]:
        scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform)
    with db.connect() as conn:
        tiers = set(conn.execute(sa.text("SELECT follower_tier FROM influencer_score WHERE influencer_id = :i"),
                                 {"i": moved}).scalars())  # fmt: skip
        left = conn.execute(sa.text("SELECT count(*) FROM influencer_score WHERE influencer_id = :i"),
                            {"i": gone}).scalar_one()  # fmt: skip
    assert tiers == {tier} and left == 0


def test_a_reader_that_outlasts_the_lock_timeout_fails_the_swap_and_the_retry_swaps(
    db, aws, warehouse, fast_params, monkeypatch
) -> None:
    """The DETACH waits for every open reader of influencer_score and every new query queues behind it: without a
    lock timeout a long reader (a planner request) stalled the whole API for its length. The last chunk fails
    instead, leaves the previous run readable, and its retry (SQS delivers it again) swaps."""
    bundle, version = _champion(db, fast_params)
    scoring.score_all(db, bundle, version, chunk_size=10**9)
    previous_table = _partition(db)
    plan = scoring.start_run(db, bundle, version, chunk_size=10**9)
    monkeypatch.setattr(score_runs, "SWAP_LOCK_TIMEOUT", "200ms")
    with db.connect() as reader:
        reader.execute(sa.text("SELECT count(*) FROM influencer_score")).scalar_one()  # its transaction stays open
        with pytest.raises(sa.exc.DBAPIError, match="lock timeout"):
            scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform)
        assert _partition(db) == previous_table and _run_row(db, plan.run_id)[1:3] == (0, 1)
        reader.rollback()
    assert scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform).completed_run
    assert _partition(db) == score_runs.run_table(plan.run_id)
