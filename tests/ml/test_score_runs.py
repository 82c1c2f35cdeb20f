"""Scoring fanned out in id-range chunks (issue 16.3): a run of ≥ 3 chunks writes exactly the one-shot
scores, readers see the previous scores until the last chunk commits, a chunk delivered twice changes
nothing, a failed chunk leaves the run incomplete until its retry, and the score handler runs the chunks
from a (moto) SQS queue through the devstack's dispatcher. The rationale's batched contributions equal
the per-candidate reference bit for bit (missing values included), and so do a chunk's rows."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_ml import registry, scoring
from predictfluence_ml.retrain import run

SCORE_SQL = (
    "SELECT influencer_id, content_type, model_version_id, predicted_er, er_low, er_high, performance_tier, "
    "tier_probability, cluster, anomaly_score, anomaly_reasons, rationale, cost_per_post, cost_low, cost_high, "
    "engagements, engagements_low, engagements_high, engagements_per_dollar, per_dollar_low, per_dollar_high "
    "FROM influencer_score ORDER BY influencer_id, content_type"
)


def _scores(db: Engine) -> list[tuple]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(SCORE_SQL)).all()]


def _run_row(db: Engine, run_id: int) -> tuple:
    """(status, chunks_done, chunks_total, rows, rows written to the run's own table while it is not yet
    influencer_score's partition — 0 once it is swapped in, or dropped)."""
    with db.connect() as conn:
        row = tuple(conn.execute(sa.text(
            "SELECT status, chunks_done, chunks_total, rows FROM score_run WHERE id = :r"), {"r": run_id}).one())
        table = conn.execute(sa.text(
            "SELECT relname FROM pg_class WHERE relname = :t AND relkind = 'r' AND NOT relispartition"
        ), {"t": f"influencer_score_run_{run_id}"}).scalar()  # fmt: skip
        staged = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one() if table else 0  # noqa: S608
    return (*row, staged)


def _champion(db: Engine, fast_params) -> tuple[object, int]:
    result = run(db, score=False, params=fast_params)
    assert result.status == "champion", result.reason
    record = registry.champion(db)
    return registry.load(record), record.id


def test_chunked_run_equals_one_shot_and_readers_never_see_a_mix(db, aws, warehouse, fast_params) -> None:
    bundle, version = _champion(db, fast_params)
    one_shot = scoring.score_all(db, bundle, version, chunk_size=10**9)
    expected = _scores(db)
    assert one_shot.chunks == 1 and one_shot.rows == len(expected) > 300
    # the previous run's scores, told apart from the new ones
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE influencer_score SET rationale = 'previous run', predicted_er = 0.5"))
    previous = _scores(db)

    plan = scoring.start_run(db, bundle, version, chunk_size=40)
    assert len(plan.chunks) >= 3
    assert plan.influencers == one_shot.influencers and plan.flagged == one_shot.flagged
    *first, last = plan.chunks
    staged = 0
    for k, _lo, _hi in first:
        done = scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform)
        assert done.status == "done" and not done.completed_run and done.rows > 0
        staged += done.rows
        assert _scores(db) == previous  # mid-run: the API still reads the previous run, untouched
        assert _run_row(db, plan.run_id) == ("running", k + 1, len(plan.chunks), staged, staged)
    # SQS delivers a message twice: the second delivery is skipped and the staging is unchanged
    again = scoring.score_chunk(db, bundle, plan.run_id, first[1][0], plan.types_by_platform)
    assert again.status == "skipped"
    assert _run_row(db, plan.run_id) == ("running", len(first), len(plan.chunks), staged, staged)

    final = scoring.score_chunk(db, bundle, plan.run_id, last[0], plan.types_by_platform)
    assert final.status == "done" and final.completed_run
    assert _scores(db) == expected  # exactly the one-shot scores, every column
    assert _run_row(db, plan.run_id) == ("complete", len(plan.chunks), len(plan.chunks), len(expected), 0)
    with db.connect() as conn:
        chunk_rows = conn.execute(sa.text(
            "SELECT status, rows, seconds > 0, attempts FROM score_chunk WHERE run_id = :r ORDER BY chunk"
        ), {"r": plan.run_id}).all()  # fmt: skip
        leftovers = conn.execute(sa.text("SELECT count(*) FROM score_run_influencer")).scalar_one()
    assert [r[0] for r in chunk_rows] == ["done"] * len(plan.chunks)
    assert sum(r[1] for r in chunk_rows) == len(expected) and all(r[2] for r in chunk_rows)
    assert leftovers == 0
    # a late redelivery after completion changes nothing either
    assert scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform).status == "skipped"
    assert _scores(db) == expected


def test_batched_rationale_equals_the_per_candidate_reference(db, aws, warehouse, fast_params) -> None:
    from predictfluence_ml.features import scoring_matrix
    from predictfluence_ml.rationale import RegressorPass, contributions, contributions_per_candidate, explain

    bundle, _version = _champion(db, fast_params)
    with db.connect() as conn:
        matrix = scoring_matrix(conn, bundle.spec, scoring.data_bounds(conn)[1])
    point, low, high = bundle.predict(matrix)
    # the point from the shared pass of leaves is the regressor's own prediction, float for float
    model_pass = RegressorPass.of(bundle, matrix)
    assert np.array_equal(bundle.predict(matrix, model_pass.model_point)[0], point)
    fast, candidates = contributions(bundle, matrix, point, model_pass=model_pass)
    reference, same = contributions_per_candidate(bundle, matrix, point)
    assert candidates == same and len(candidates) == 8
    assert np.array_equal(fast, reference)
    assert np.count_nonzero(fast) > 0.5 * fast.size
    assert explain(bundle, matrix, point, low, high) == explain(bundle, matrix, point, low, high, per_candidate=True)


def test_batched_rationale_is_exact_with_missing_values_and_missing_peer_values(
    db, aws, warehouse, fast_params
) -> None:
    """Missing feature values and a peer group whose median is missing take the trees' missing-value
    branches: the rows re-evaluated per tree (predictfluence_ml.trees) must still be exactly the ones
    whose leaf changes."""
    from predictfluence_ml.features import scoring_matrix
    from predictfluence_ml.rationale import contributions, contributions_per_candidate, explain

    bundle, _version = _champion(db, fast_params)
    with db.connect() as conn:
        matrix = scoring_matrix(conn, bundle.spec, scoring.data_bounds(conn)[1])
    candidates = list(bundle.rationale_columns)
    rng = np.random.default_rng(3)
    for j in candidates:  # a quarter of every candidate's values missing
        matrix.num[rng.random(len(matrix)) < 0.25, j] = np.nan
    group = bundle.peers.groups(matrix.cat)[0]
    bundle.peers.features[group] = bundle.peers.features[group].copy()
    bundle.peers.features[group][candidates[::2]] = np.nan  # this group's peers: half the medians missing
    point, low, high = bundle.predict(matrix)
    fast, _ = contributions(bundle, matrix, point)
    reference, _ = contributions_per_candidate(bundle, matrix, point)
    assert np.array_equal(fast, reference)
    assert np.count_nonzero(fast) > 0.3 * fast.size
    assert explain(bundle, matrix, point, low, high) == explain(bundle, matrix, point, low, high, per_candidate=True)


def test_chunk_rows_equal_the_reference_scorer(db, aws, warehouse, fast_params) -> None:
    """A chunk's staged rows — ER, interval, tier, rationale text, cost and objectives — from the shared
    pass of leaves equal the reference path's (the regressor's own predict, one full prediction per
    rationale candidate), value for value."""
    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=10**9)
    (_k, lo, hi), = plan.chunks
    fast = scoring.score_rows(db, bundle, plan.run_id, (lo, hi), plan.as_of, plan.types_by_platform)
    reference = scoring.score_rows(db, bundle, plan.run_id, (lo, hi), plan.as_of, plan.types_by_platform,
                                   per_candidate=True)  # fmt: skip
    assert len(fast) > 300 and fast == reference


def test_a_failed_chunk_leaves_the_run_incomplete_until_retried(
    db, aws, warehouse, fast_params, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=60)
    assert len(plan.chunks) == 3
    broken_lo = plan.chunks[1][1]
    real = scoring.score_rows

    def flaky(engine, bundle_, run_id, ids, *args, **kwargs):
        if ids[0] == broken_lo:
            raise RuntimeError("worker lost")
        return real(engine, bundle_, run_id, ids, *args, **kwargs)

    monkeypatch.setattr(scoring, "score_rows", flaky)
    scoring.score_chunk(db, bundle, plan.run_id, 0)
    with pytest.raises(RuntimeError, match="worker lost"):
        scoring.score_chunk(db, bundle, plan.run_id, 1)
    done = scoring.score_chunk(db, bundle, plan.run_id, 2)
    assert not done.completed_run
    status, chunks_done, total, rows, staged = _run_row(db, plan.run_id)
    assert (status, chunks_done, total) == ("running", 2, 3) and rows == staged > 0
    assert _scores(db) == []  # nothing was scored before: readers still see no scores
    with db.connect() as conn:
        failed = conn.execute(sa.text(
            "SELECT status, error, attempts FROM score_chunk WHERE run_id = :r AND chunk = 1"
        ), {"r": plan.run_id}).one()  # fmt: skip
    assert tuple(failed) == ("failed", "RuntimeError: worker lost", 1)

    monkeypatch.setattr(scoring, "score_rows", real)  # SQS redelivers the message
    retried = scoring.score_chunk(db, bundle, plan.run_id, 1)
    assert retried.completed_run
    assert _run_row(db, plan.run_id)[:3] == ("complete", 3, 3)
    with db.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT status, error, attempts FROM score_chunk WHERE run_id = :r AND chunk = 1"
        ), {"r": plan.run_id}).one() == ("done", None, 2)  # fmt: skip
    assert len(_scores(db)) == _run_row(db, plan.run_id)[3] > 0


def test_score_handler_runs_the_chunks_from_sqs(db, aws, warehouse, fast_params, monkeypatch) -> None:
    import boto3

    from app import app
    from predictfluence.storage import reset_clients
    from predictfluence_ml.retrain import score_champion
    from predictfluence_tools.devstack.dispatcher import SqsDispatcher

    _champion(db, fast_params)
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="pf-test-score")["QueueUrl"]
    monkeypatch.setenv("PF_SCORE_QUEUE_URL", url)
    monkeypatch.setenv("PF_SCORE_CHUNK_SIZE", "50")
    reset_clients()

    started = score_champion(db)  # the retrain's scoring step: a run, its chunks sent to the queue
    assert started.rows == 0 and started.chunks == 3
    assert _scores(db) == [] and _run_row(db, started.run_id)[:3] == ("running", 0, 3)
    sqs.send_message(QueueUrl=url, MessageBody="not a chunk")  # logged and dropped, not retried
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"run_id": started.run_id, "chunk": 0}))  # a duplicate

    dispatcher = SqsDispatcher(url, app.handler_map["score"], "us-east-1", batch_size=1, wait_seconds=0)
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    while dispatcher.poll_once(sqs, queue_arn):
        pass
    assert dispatcher.batches == 5 and dispatcher.failures == 0
    status, done, total, rows, staged = _run_row(db, started.run_id)
    assert (status, done, total, staged) == ("complete", 3, 3, 0)
    with db.connect() as conn:
        influencers = conn.execute(sa.text("SELECT count(*) FROM influencer WHERE followers > 0")).scalar_one()
    scores = _scores(db)
    assert len(scores) == rows > 0 and len({s[0] for s in scores}) == influencers
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_two_last_chunks_finishing_together_complete_the_run_once(db, aws, warehouse, fast_params) -> None:
    """The run row's lock serialises the chunks' counting: of two chunks committing at the same time,
    exactly one sees chunks_done == chunks_total and swaps the run in."""
    from concurrent.futures import ThreadPoolExecutor

    bundle, version = _champion(db, fast_params)
    plan = scoring.start_run(db, bundle, version, chunk_size=50)
    assert len(plan.chunks) == 3
    scoring.score_chunk(db, bundle, plan.run_id, 0, plan.types_by_platform)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda k: scoring.score_chunk(db, bundle, plan.run_id, k, plan.types_by_platform),
                                (1, 2)))  # fmt: skip
    assert sorted(r.completed_run for r in results) == [False, True]
    status, done, total, rows, staged = _run_row(db, plan.run_id)
    assert (status, done, total, staged) == ("complete", 3, 3, 0)
    assert len(_scores(db)) == rows == sum(r.rows for r in results) + _chunk_rows(db, plan.run_id, 0)


def _chunk_rows(db: Engine, run_id: int, chunk: int) -> int:
    with db.connect() as conn:
        return conn.execute(sa.text("SELECT rows FROM score_chunk WHERE run_id = :r AND chunk = :c"),
                            {"r": run_id, "c": chunk}).scalar_one()  # fmt: skip
