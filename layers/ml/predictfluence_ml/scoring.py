"""Batch scoring: every influencer × content type of its platform → `influencer_score`, as a run of
id-range chunks (issue 16.3).

Besides the ER forecast, each row carries the cost forecast of one post (predictfluence_ml.costs) and
the ranking objectives derived from both (predictfluence_ml.objectives).

A run (`start_run`) computes what needs the whole population once — anomaly flags (robust z-scores per
platform × tier and an isolation forest) and clusters — into `score_run_influencer`, and splits the
influencers into chunks of `chunk_size` ids (`PF_SCORE_CHUNK_SIZE`, default 10,000). Each chunk
(`score_chunk`) reads its influencers' features (set-based queries restricted to its id range), predicts,
writes the rationale and writes its complete rows into the run's own table in one transaction that also
marks it done; the chunk that completes the run swaps that table in as influencer_score's partition in
the same transaction (predictfluence.queries.score_runs: no row copied), so the API reads either the old
scores or the new ones, never a mix. A chunk already done is skipped, so SQS's at-least-once delivery changes nothing.

In AWS the chunks go to the scoring queue (`PF_SCORE_QUEUE_URL`), one message each, handled in parallel by
the score function (functions/events/score.py); locally the devstack's dispatcher polls that queue, and
without a queue (tests, the CLI) `score_all` runs every chunk in-process, one after the other.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from predictfluence.config import get_settings
from predictfluence.queries import score_runs
from predictfluence_ml._sql import copy_binary, copy_rows
from predictfluence_ml.anomaly import flag
from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.clusters import assign_clusters
from predictfluence_ml.costs import CostModel, scoring_cost_model
from predictfluence_ml.costs_data import COST_CATEGORICAL
from predictfluence_ml.dataset import data_bounds
from predictfluence_ml.features import (
    CATEGORICAL,
    FeatureMatrix,
    assemble,
    influencer_table,
    platform_content_types,
    scoring_matrix,
)
from predictfluence_ml.objectives import objectives
from predictfluence_ml.rationale import RegressorPass, explain, snapshot_text
from predictfluence_ml.snapshots import SnapshotFacts, latest_snapshots, widen, with_snapshots
from predictfluence_ml.training import ml_threads

Progress = Callable[[str], None]
COLUMNS = score_runs.STAGE_COLUMNS
# the chunk table's (score_stage's) column types for the binary COPY: i bigint, f double precision, s text (one per COLUMNS)
STAGE_KINDS = "iisfffsfsfffffffff"
# the cost model's categorical inputs (costs_data.COST_CATEGORICAL) as columns of the feature matrix
COST_COLUMNS = [CATEGORICAL.index(c) for c in COST_CATEGORICAL]


class StaleChunk(LookupError):
    """A chunk message whose run, chunk or model version no longer exists (nothing left to score)."""


def chunk_size_setting() -> int:
    """Influencers per chunk (`PF_SCORE_CHUNK_SIZE`): a chunk must stay well under a minute in Lambda."""
    return get_settings().score_chunk_size


@dataclass
class ScoreResult:
    rows: int
    influencers: int
    as_of: dt.date
    flagged: int
    run_id: int | None = None
    chunks: int = 0
    chunk_seconds: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class RunPlan:
    """A started run: its id, as-of date, chunks (number, lo id, hi id) and population figures."""

    run_id: int
    as_of: dt.date
    chunks: tuple[tuple[int, int, int], ...]
    influencers: int
    flagged: int
    types_by_platform: dict[str, list[str]]

    def message(self, chunk: int) -> dict[str, Any]:
        """The scoring queue's message body for one chunk."""
        return {"run_id": self.run_id, "chunk": chunk, "types_by_platform": self.types_by_platform}


@dataclass(frozen=True)
class ChunkResult:
    run_id: int
    chunk: int
    status: str  # done | skipped (already done, or its run is no longer running)
    rows: int = 0
    seconds: float = 0.0
    completed_run: bool = False


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else round(float(v), 8)


def _nums(values: np.ndarray) -> list[float | None]:
    """_num of every value (Python's round, as the scorer always wrote these columns)."""
    return [None if v != v else round(v, 8) for v in values.astype(np.float64).tolist()]


def _column(values: np.ndarray) -> list[float | None]:
    """_num of every value, vectorised."""
    rounded = np.round(values.astype(np.float64), 8)
    return [None if v != v else v for v in rounded.tolist()]


def _objective_columns(
    cost_model: CostModel, part: FeatureMatrix, er: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, ...]:
    """cost_per_post … per_dollar_high (COLUMNS' order) for the rows of `part`."""
    trailing_er = part.num[:, part.spec.numeric.index("er_90")]
    cost = cost_model.predict(part.cat[:, COST_COLUMNS], part.followers, trailing_er)
    o = objectives(er, part.followers, cost)
    return (*cost, o.engagements, o.engagements_low, o.engagements_high, o.per_dollar, o.per_dollar_low,
            o.per_dollar_high)  # fmt: skip


def _predict(
    bundle: ModelBundle,
    part: FeatureMatrix,
    snapshot: np.ndarray,
    snaps: dict[int, SnapshotFacts],
    per_candidate: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], np.ndarray, np.ndarray]:
    """(point, low, high, rationale, tier, tier probability) per row; rows scored from a snapshot (mask
    `snapshot`) get the wider interval and a rationale naming the snapshot. The models share one
    encoding and binning of the rows (predictfluence_ml.ensembles) and the regressor's trees run once for
    the point and the rationale; `per_candidate` is the reference: every pipeline's own predict, one full
    prediction per rationale candidate (same floats, same texts)."""
    inputs = None if per_candidate else bundle.shared_inputs(part)
    model_pass = None if per_candidate else RegressorPass.of(bundle, part, inputs)
    point, low, high = bundle.predict(part, None if model_pass is None else model_pass.model_point, inputs)
    if snapshot.any():
        low, high = low.copy(), high.copy()
        low[snapshot], high[snapshot] = widen(point[snapshot], low[snapshot], high[snapshot])
    texts = explain(bundle, part, point, low, high, per_candidate=per_candidate, model_pass=model_pass)
    for k in np.flatnonzero(snapshot).tolist():
        f = snaps[int(part.ids[k])]
        texts[k] = snapshot_text(
            f.as_of, f.source, f.engagement_rate, str(part.cat[k, 4]), point[k], low[k], high[k]
        )
    tier, probability = bundle.predict_tier(part, inputs)
    return point, low, high, texts, tier, probability


# --- a run: population step, chunks, the in-process driver ---------------------------------------------


def start_run(
    engine: sa.Engine,
    bundle: ModelBundle,
    model_version_id: int,
    as_of: dt.date | None = None,
    chunk_size: int | None = None,
    progress: Progress | None = None,
) -> RunPlan:
    """Record a new run (superseding any unfinished one) with its population figures and its chunks."""
    say = progress or (lambda _msg: None)
    size = chunk_size or chunk_size_setting()
    with engine.connect() as conn:
        as_of = as_of or data_bounds(conn)[1] or dt.datetime.now(dt.UTC).date()
        inf = influencer_table(conn, bundle.spec, as_of)
        types = platform_content_types(conn)
        snaps = latest_snapshots(conn)
    # one row per influencer that has a content type to be scored for (anomaly flags and clusters read
    # only influencer-level columns, so this is the population the one-shot scorer used)
    scored = np.array([p in types for p in inf.cat[:, 0].tolist()], dtype=bool)
    ids = inf.ids[scored]
    first_types = np.array([types[p][0] for p in inf.cat[scored, 0].tolist()], dtype=object)
    people, _ = assemble(bundle.spec, inf, {}, ids, first_types)
    anomalies = flag(people)  # on post features only: a snapshot's ER says nothing about bought likes
    clusters = assign_clusters(bundle.clusters, with_snapshots(people, snaps)[0])
    flagged = sum(1 for r in anomalies.reasons if r)
    ranges = score_runs.id_ranges(ids.tolist(), size)
    population = [
        (iid, clusters.get(iid), _num(sc), json.dumps(r))
        for iid, sc, r in zip(
            anomalies.ids.tolist(), anomalies.score.tolist(), anomalies.reasons, strict=True
        )
    ]
    with engine.begin() as conn:
        score_runs.supersede_running(conn)
        run_id = score_runs.create_run(conn, model_version_id, as_of, ranges, len(population), flagged)
        copy_rows(conn, "score_run_influencer", score_runs.RUN_INFLUENCER_COLUMNS,
                  ((run_id, *row) for row in population))  # fmt: skip
        if not ranges:
            score_runs.swap(conn, run_id)
    if not ranges:
        with engine.begin() as conn:
            score_runs.drop_detached(conn, run_id)
    say(f"run {run_id}: {len(population):,} influencers as of {as_of} in {len(ranges)} chunk(s) of ≤ {size:,}; "
        f"{flagged:,} flagged")  # fmt: skip
    chunks = tuple((k, lo, hi) for k, (lo, hi) in enumerate(ranges))
    return RunPlan(run_id, as_of, chunks, len(population), flagged, types)


def score_rows(
    engine: sa.Engine,
    bundle: ModelBundle,
    run_id: int,
    ids: tuple[int, int],
    as_of: dt.date,
    types_by_platform: dict[str, list[str]] | None = None,
    batch_size: int = 50_000,
    per_candidate: bool = False,
) -> list[tuple[Any, ...]]:
    """The staged rows (score_runs.STAGE_COLUMNS) of the influencers in the inclusive id range `ids`."""
    with engine.connect() as conn:
        matrix = scoring_matrix(conn, bundle.spec, as_of, ids=ids, types_by_platform=types_by_platform)
        snaps = latest_snapshots(conn, ids)
        cost_model = scoring_cost_model(conn, bundle.cost)
    matrix, from_snapshot = with_snapshots(matrix, snaps)
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(matrix), batch_size):
        part = matrix.subset(np.arange(start, min(start + batch_size, len(matrix))))
        point, low, high, texts, tier, probability = _predict(
            bundle, part, from_snapshot[start : start + len(part)], snaps, per_candidate
        )
        columns = (
            _nums(point), _nums(low), _nums(high), tier.tolist(), _nums(probability), texts,
            *(_column(c) for c in _objective_columns(cost_model, part, (point, low, high))),
        )  # fmt: skip
        run = [run_id] * len(part)
        rows.extend(zip(run, part.ids.tolist(), part.cat[:, 4].tolist(), *columns, strict=True))
    return rows


def score_chunk(
    engine: sa.Engine,
    bundle: ModelBundle,
    run_id: int,
    chunk: int,
    types_by_platform: dict[str, list[str]] | None = None,
    per_candidate: bool = False,
) -> ChunkResult:
    """Score one chunk of a run and stage its rows; the chunk that completes the run swaps it in.
    Idempotent: a chunk already done (or of a run no longer running) is skipped. A failure is recorded
    on the chunk (status failed, error) and raised, so that SQS retries the message."""
    t0 = time.perf_counter()
    with engine.connect() as conn:
        run = score_runs.get_run(conn, run_id)
        todo = next((c for c in score_runs.chunks(conn, run_id) if c.chunk == chunk), None)
    if run is None or todo is None:
        raise StaleChunk(f"no chunk {chunk} of scoring run {run_id}")
    if run.status != "running" or todo.status == "done":
        return ChunkResult(run_id, chunk, "skipped")
    try:
        with ml_threads():
            rows = score_rows(engine, bundle, run_id, (todo.lo_id, todo.hi_id), run.as_of, types_by_platform,
                              per_candidate=per_candidate)  # fmt: skip
        with engine.begin() as conn:
            locked = score_runs.lock_chunk(conn, run_id, chunk)
            if locked is None or locked[1] != "running" or locked[0].status == "done":
                return ChunkResult(run_id, chunk, "skipped")
            score_runs.clear_chunk(conn, run_id, todo.lo_id, todo.hi_id)
            copy_binary(conn, score_runs.CHUNK_TABLE, COLUMNS, STAGE_KINDS, rows)
            score_runs.write_chunk(conn, run_id, todo.lo_id, todo.hi_id)
            seconds = time.perf_counter() - t0
            done, total = score_runs.finish_chunk(conn, run_id, chunk, len(rows), seconds)
            completed = done >= total
            if completed:
                score_runs.swap(conn, run_id)
    except Exception as exc:
        with engine.begin() as conn:
            score_runs.fail_chunk(conn, run_id, chunk, f"{type(exc).__name__}: {exc}")
        raise
    if completed:  # the previous champion's table, after the swap's commit (a failure here is cleaned up later)
        with engine.begin() as conn:
            score_runs.drop_detached(conn, run_id)
    return ChunkResult(run_id, chunk, "done", len(rows), seconds, completed)


def run_chunks(
    engine: sa.Engine,
    bundle: ModelBundle,
    plan: RunPlan,
    progress: Progress | None = None,
    per_candidate: bool = False,
) -> ScoreResult:
    """Every chunk of the run, one after the other in this process (no queue: tests, the CLI)."""
    say = progress or (lambda _msg: None)
    rows, seconds = 0, []
    for k, lo, hi in plan.chunks:
        done = score_chunk(engine, bundle, plan.run_id, k, plan.types_by_platform, per_candidate)
        rows += done.rows
        seconds.append(done.seconds)
        say(f"chunk {k + 1}/{len(plan.chunks)} (ids {lo}..{hi}): {done.rows:,} rows in {done.seconds:.1f} s")
    say(f"wrote {rows:,} rows to influencer_score (run {plan.run_id})")
    return ScoreResult(
        rows, plan.influencers, plan.as_of, plan.flagged, plan.run_id, len(plan.chunks), seconds
    )


def score_all(
    engine: sa.Engine,
    bundle: ModelBundle,
    model_version_id: int,
    as_of: dt.date | None = None,
    batch_size: int = 50_000,
    progress: Progress | None = None,
    chunk_size: int | None = None,
) -> ScoreResult:
    """Score every influencer in this process: a run whose chunks are scored one after the other."""
    del batch_size  # rows are predicted per chunk (kept for callers of the one-shot signature)
    with ml_threads():
        plan = start_run(engine, bundle, model_version_id, as_of, chunk_size, progress)
        return run_chunks(engine, bundle, plan, progress)


# --- the scoring queue ----------------------------------------------------------------------------------


def score_queue_url() -> str | None:
    """The scoring queue (`PF_SCORE_QUEUE_URL`): set in AWS and by the devstack; unset → in-process."""
    return get_settings().score_queue_url


def send_chunks(plan: RunPlan, queue_url: str) -> int:
    """One message per chunk (batches of 10); returns the messages sent."""
    from predictfluence import storage

    sqs = storage.client("sqs")
    sent = 0
    for start in range(0, len(plan.chunks), 10):
        entries = [
            {"Id": str(k), "MessageBody": json.dumps(plan.message(k))}
            for k, _lo, _hi in plan.chunks[start : start + 10]
        ]
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if response.get("Failed"):
            raise RuntimeError(f"scoring queue refused {len(response['Failed'])} chunk message(s)")
        sent += len(entries)
    return sent


def score_fanned_out(
    engine: sa.Engine,
    bundle: ModelBundle,
    model_version_id: int,
    progress: Progress | None = None,
) -> ScoreResult:
    """Start a run and send its chunks to the scoring queue, or, without one, score them in-process."""
    url = score_queue_url()
    if url is None:
        return score_all(engine, bundle, model_version_id, progress=progress)
    with ml_threads():
        plan = start_run(engine, bundle, model_version_id, progress=progress)
    sent = send_chunks(plan, url) if plan.chunks else 0
    (progress or (lambda _m: None))(f"run {plan.run_id}: {sent} chunk message(s) sent to the scoring queue")
    return ScoreResult(0, plan.influencers, plan.as_of, plan.flagged, plan.run_id, len(plan.chunks))


def score_message(engine: sa.Engine, body: dict[str, Any]) -> ChunkResult:
    """Handle one scoring-queue message: load the run's model version and score the chunk."""
    from predictfluence_ml import registry

    run_id, chunk = int(body["run_id"]), int(body["chunk"])
    with engine.connect() as conn:
        run = score_runs.get_run(conn, run_id)
    if run is None:
        raise StaleChunk(f"no scoring run {run_id}")
    if run.status != "running":
        return ChunkResult(run_id, chunk, "skipped")
    record = registry.get(engine, run.model_version_id)
    if record is None:
        raise StaleChunk(f"model version {run.model_version_id} of scoring run {run_id} is gone")
    types = body.get("types_by_platform")
    return score_chunk(
        engine, registry.load(record), run_id, chunk, types if isinstance(types, dict) else None
    )
