"""Scoring runs fanned out in chunks (issue 16.3): the bookkeeping SQL of score_run / score_chunk, the
chunks' writes into their run's own table and the swap of a finished run's table into influencer_score.

A run is created with its id-range chunks and its own table, `influencer_score_run_<id>` (made by the
SECURITY DEFINER function pf_score_run_table of migration b3d8e6f1a2c4: influencer_score's columns, key,
foreign keys and indexes, CHECK run_id = id). Each chunk writes its complete score rows there (the run's
model version, clusters and anomaly figures, the influencer's follower tier) and is marked done in the same
transaction, counting `chunks_done` up under the run row's lock. influencer_score is partitioned by run
with one partition, the champion run's table: the transaction that brings `chunks_done` to `chunks_total`
swaps the run's table in (pf_score_swap: DETACH the old partition, ATTACH the new one) — catalog
changes, no row written or read; the old table is dropped after that commit (`drop_detached`). Readers (READ COMMITTED) see the previous run's scores until that
commit and the new run's after it, never a mix. A chunk already done is skipped (SQS may deliver a message
twice); a run superseded by a newer one ignores its late chunks and its table is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

# the columns a chunk computes (influencer_score's, without the run-level cluster and anomaly figures); they
# are copied into CHUNK_TABLE (temporary) and written to the run's table with the run-level ones
CHUNK_TABLE = "pf_score_chunk"
STAGE_COLUMNS = (
    "run_id",
    "influencer_id",
    "content_type",
    "predicted_er",
    "er_low",
    "er_high",
    "performance_tier",
    "tier_probability",
    "rationale",
    "cost_per_post",
    "cost_low",
    "cost_high",
    "engagements",
    "engagements_low",
    "engagements_high",
    "engagements_per_dollar",
    "per_dollar_low",
    "per_dollar_high",
)
# how long the swap waits for influencer_score's readers (see swap)
SWAP_LOCK_TIMEOUT = "3s"
RUN_INFLUENCER_COLUMNS = ("run_id", "influencer_id", "cluster", "anomaly_score", "anomaly_reasons")
_SCORE_FIGURES = STAGE_COLUMNS[3:]


@dataclass(frozen=True)
class Run:
    id: int
    model_version_id: int
    as_of: Any
    status: str
    chunks_total: int
    chunks_done: int
    rows: int
    influencers: int
    flagged: int


@dataclass(frozen=True)
class Chunk:
    run_id: int
    chunk: int
    lo_id: int
    hi_id: int
    status: str
    rows: int | None
    seconds: float | None
    attempts: int
    error: str | None


def id_ranges(ids: Sequence[int], size: int) -> list[tuple[int, int]]:
    """Contiguous inclusive id ranges of at most `size` of the sorted `ids` each, covering min(ids)..max(ids)."""
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    if not ids:
        return []
    starts = [int(ids[k]) for k in range(0, len(ids), size)]
    ends = [s - 1 for s in starts[1:]] + [int(ids[-1])]
    return list(zip(starts, ends, strict=True))


def run_table(run_id: int) -> str:
    """The table a run's chunks write (a partition of influencer_score once the run is swapped in)."""
    return f"influencer_score_run_{int(run_id)}"


def supersede_running(conn: sa.Connection) -> list[int]:
    """Mark every unfinished run superseded (a new run starts) and drop its table and figures. The tables
    are dropped first: DROP waits for a chunk still writing one, before this transaction holds any run row
    that chunk's transaction will update (the other order deadlocks)."""
    running = conn.execute(sa.text("SELECT id FROM score_run WHERE status = 'running' ORDER BY id")).scalars()
    for run_id in list(running):
        conn.execute(sa.text("SELECT pf_score_run_drop(:run)"), {"run": run_id})
    ids = [int(r[0]) for r in conn.execute(
        sa.text("UPDATE score_run SET status = 'superseded', finished_at = now() WHERE status = 'running' RETURNING id")
    )]  # fmt: skip
    drop_detached(conn)  # and any previous champion's table a stopped process left behind
    if ids:
        conn.execute(sa.text("DELETE FROM score_stage WHERE run_id = ANY(CAST(:ids AS bigint[]))"), {"ids": ids})
        conn.execute(
            sa.text("DELETE FROM score_run_influencer WHERE run_id = ANY(CAST(:ids AS bigint[]))"), {"ids": ids}
        )
    return ids


def create_run(
    conn: sa.Connection,
    model_version_id: int,
    as_of: Any,
    ranges: Sequence[tuple[int, int]],
    influencers: int,
    flagged: int,
) -> int:
    run_id = int(
        conn.execute(
            sa.text(
                "INSERT INTO score_run (model_version_id, as_of, status, chunks_total, influencers, flagged) "
                "VALUES (:mv, :as_of, 'running', :n, :influencers, :flagged) RETURNING id"
            ),
            {"mv": model_version_id, "as_of": as_of, "n": len(ranges), "influencers": influencers, "flagged": flagged},
        ).scalar_one()
    )
    conn.execute(sa.text("SELECT pf_score_run_table(:run)"), {"run": run_id})
    if ranges:
        conn.execute(
            sa.text("INSERT INTO score_chunk (run_id, chunk, lo_id, hi_id) VALUES (:run, :chunk, :lo, :hi)"),
            [{"run": run_id, "chunk": k, "lo": lo, "hi": hi} for k, (lo, hi) in enumerate(ranges)],
        )
    return run_id


_RUN_COLUMNS = "id, model_version_id, as_of, status, chunks_total, chunks_done, rows, influencers, flagged"
_CHUNK_COLUMNS = "run_id, chunk, lo_id, hi_id, status, rows, seconds, attempts, error"


def get_run(conn: sa.Connection, run_id: int) -> Run | None:
    row = conn.execute(sa.text(f"SELECT {_RUN_COLUMNS} FROM score_run WHERE id = :id"), {"id": run_id}).first()  # noqa: S608
    return Run(*row) if row else None


def chunks(conn: sa.Connection, run_id: int) -> list[Chunk]:
    rows = conn.execute(
        sa.text(f"SELECT {_CHUNK_COLUMNS} FROM score_chunk WHERE run_id = :id ORDER BY chunk"),  # noqa: S608
        {"id": run_id},
    ).all()
    return [Chunk(*r) for r in rows]


def lock_chunk(conn: sa.Connection, run_id: int, chunk: int) -> tuple[Chunk, str] | None:
    """The chunk (row-locked for this transaction) and its run's status; None if there is no such chunk."""
    row = conn.execute(
        sa.text(
            f"SELECT {', '.join('c.' + c for c in _CHUNK_COLUMNS.split(', '))}, r.status "  # noqa: S608
            "FROM score_chunk c JOIN score_run r ON r.id = c.run_id "
            "WHERE c.run_id = :run AND c.chunk = :chunk FOR UPDATE OF c"
        ),
        {"run": run_id, "chunk": chunk},
    ).first()
    return (Chunk(*row[:-1]), str(row[-1])) if row else None


def clear_chunk(conn: sa.Connection, run_id: int, lo_id: int, hi_id: int) -> None:
    """Drop a chunk's rows from its run's table (a retried chunk rewrites them) and make the temporary
    table its computed rows are copied into (CHUNK_TABLE, dropped at commit)."""
    conn.execute(
        sa.text(f"DELETE FROM {run_table(run_id)} WHERE influencer_id BETWEEN :lo AND :hi"),  # noqa: S608
        {"lo": lo_id, "hi": hi_id},
    )
    conn.execute(sa.text(f"CREATE TEMP TABLE {CHUNK_TABLE} (LIKE score_stage) ON COMMIT DROP"))


def write_chunk(conn: sa.Connection, run_id: int, lo_id: int, hi_id: int) -> int:
    """Write the chunk's rows (CHUNK_TABLE) into its run's table with the run's model version, the
    influencers' clusters, anomaly figures and follower tiers; the chunk's run-level figures are then
    dropped (score_run_influencer). Returns the rows written."""
    figures = ", ".join(_SCORE_FIGURES)
    staged = ", ".join(f"s.{c}" for c in _SCORE_FIGURES)
    written = conn.execute(
        sa.text(
            f"INSERT INTO {run_table(run_id)} (run_id, influencer_id, content_type, model_version_id, "  # noqa: S608
            f"cluster, anomaly_score, anomaly_reasons, follower_tier, {figures}) "
            f"SELECT r.id, s.influencer_id, s.content_type, r.model_version_id, ri.cluster, ri.anomaly_score, "
            f"coalesce(ri.anomaly_reasons, CAST('[]' AS jsonb)), i.follower_tier, {staged} "
            f"FROM {CHUNK_TABLE} s JOIN score_run r ON r.id = :run "
            # the chunk's id range: an index range read of influencer, not a hash of all of it
            "JOIN influencer i ON i.id = s.influencer_id AND i.id BETWEEN :lo AND :hi "
            # one key lookup per row: the run's population was just written (its statistics may say it is
            # empty, and a join planned on that walked the chunk's figures once per row: 14 s at 100k)
            "LEFT JOIN LATERAL (SELECT cluster, anomaly_score, anomaly_reasons FROM score_run_influencer "
            "WHERE run_id = :run AND influencer_id = s.influencer_id) ri ON true "
            "WHERE s.influencer_id BETWEEN :lo AND :hi"
        ),
        {"run": run_id, "lo": lo_id, "hi": hi_id},
    ).rowcount
    conn.execute(
        sa.text("DELETE FROM score_run_influencer WHERE run_id = :run AND influencer_id BETWEEN :lo AND :hi"),
        {"run": run_id, "lo": lo_id, "hi": hi_id},
    )
    return int(written)


def finish_chunk(conn: sa.Connection, run_id: int, chunk: int, rows: int, seconds: float) -> tuple[int, int]:
    """Mark the chunk done and count it in its run; returns the run's (chunks_done, chunks_total). The run
    row's lock serialises concurrent chunks: exactly one of them sees chunks_done == chunks_total."""
    conn.execute(
        sa.text(
            "UPDATE score_chunk SET status = 'done', rows = :rows, seconds = :seconds, error = NULL, "
            "attempts = attempts + 1, finished_at = now() WHERE run_id = :run AND chunk = :chunk"
        ),
        {"run": run_id, "chunk": chunk, "rows": rows, "seconds": seconds},
    )
    done, total = conn.execute(
        sa.text(
            "UPDATE score_run SET chunks_done = chunks_done + 1, rows = rows + :rows WHERE id = :run "
            "RETURNING chunks_done, chunks_total"
        ),
        {"run": run_id, "rows": rows},
    ).one()
    return int(done), int(total)


def fail_chunk(conn: sa.Connection, run_id: int, chunk: int, error: str) -> None:
    """Record a failed attempt (the message is retried by SQS; the run stays incomplete meanwhile)."""
    conn.execute(
        sa.text(
            "UPDATE score_chunk SET status = 'failed', error = :error, attempts = attempts + 1 "
            "WHERE run_id = :run AND chunk = :chunk AND status <> 'done'"
        ),
        {"run": run_id, "chunk": chunk, "error": error[:2000]},
    )


def drop_detached(conn: sa.Connection, run_id: int | None = None) -> int:
    """Drop the tables no longer attached nor running (the previous champion's after a swap; any left by a
    process that stopped between a swap and this) and what is left of a finished run's figures. Its own
    transaction, after the swap's: a DROP removes the table's files at commit, and the swap's transaction
    holds influencer_score's lock until then (so does the DELETE's walk past the run's deleted figures)."""
    if run_id is not None:  # each chunk dropped its own figures: the rows of influencers without a score
        conn.execute(sa.text("DELETE FROM score_run_influencer WHERE run_id = :run"), {"run": run_id})
    # a database migrated to b3d8e6f1a2c4 before the function was added to it drops in pf_score_swap itself
    if conn.execute(sa.text("SELECT to_regprocedure('pf_score_drop_detached()')")).scalar() is None:
        return 0
    return int(conn.execute(sa.text("SELECT pf_score_drop_detached()")).scalar_one())


def swap(conn: sa.Connection, run_id: int) -> int:
    """Swap the run's table in as influencer_score's partition (pf_score_swap) and mark the run complete;
    returns the run's rows (written by its chunks). The caller then drops the old table (drop_detached). Runs in the caller's transaction, last: the DETACH holds
    ACCESS EXCLUSIVE on influencer_score until that transaction commits. A run older than one already
    complete is marked superseded instead (its scores are not newer) and its table dropped."""
    newer = conn.execute(
        sa.text("SELECT EXISTS (SELECT 1 FROM score_run WHERE id > :run AND status = 'complete')"), {"run": run_id}
    ).scalar_one()
    rows = conn.execute(
        sa.text("UPDATE score_run SET status = :status, finished_at = now() WHERE id = :run RETURNING rows"),
        {"run": run_id, "status": "superseded" if newer else "complete"},
    ).scalar_one()
    if newer:
        conn.execute(sa.text("SELECT pf_score_run_drop(:run)"), {"run": run_id})
        return 0
    # the DETACH waits for every query already reading influencer_score, and every new one queues behind it: a
    # reader that outlasts SWAP_LOCK_TIMEOUT fails the swap instead (the whole last chunk rolls back; SQS
    # delivers it again and its retry swaps), so that the API stalls at most this long
    conn.execute(sa.text(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'"))
    conn.execute(sa.text("SELECT pf_score_swap(:run)"), {"run": run_id})
    return int(rows)
