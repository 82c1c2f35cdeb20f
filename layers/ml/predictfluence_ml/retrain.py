"""One retraining run: build the time split → fit → evaluate → register → maybe promote → score.

A new version becomes champion only when its holdout MAE beats the current champion's MAE measured on
the *same* holdout (the champion is re-evaluated on the new rows) AND is below both baselines measured on
that holdout: the peer median (platform × tier × category) and persistence (the creator's own last-90-day
ER). A first version has no champion to beat and must beat the peer baseline: without a champion there
are no predictions at all (a small young warehouse, e.g. `make run`'s first load), and its reason says
whether it also beats persistence, which every later version must. Otherwise it stays in the registry
as `rejected` with its metrics. The cost model (predictfluence_ml.costs) is trained on the hires history in
the same run, pickled in the same bundle, and its held-out figures (`cost_*`) join the version's metrics;
it takes no part in the promotion decision. Scoring always uses the
champion, so fresh data is scored even when the challenger lost.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import sqlalchemy as sa

from predictfluence_ml import registry
from predictfluence_ml.bundle import ModelBundle
from predictfluence_ml.costs import train_costs
from predictfluence_ml.dataset import Split, build_split, window_examples
from predictfluence_ml.evaluation import evaluate
from predictfluence_ml.features import CATEGORICAL
from predictfluence_ml.scoring import ScoreResult, score_fanned_out
from predictfluence_ml.training import TrainParams, fit, ml_threads

Progress = Callable[[str], None]
LOCK_KEY = 74_110_423  # pg advisory lock: one retraining at a time


@dataclass
class Decision:
    status: str  # champion | rejected
    reason: str
    metrics: dict[str, Any]
    record: registry.ModelRecord


@dataclass
class RetrainResult:
    status: str  # champion | rejected | skipped
    reason: str
    version: str | None = None
    model_version_id: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    scored_rows: int = 0
    score_run_id: int | None = None  # the scoring run (its chunks may still be running in AWS)
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _holdout_for(engine: sa.Engine, split: Split, bundle: ModelBundle) -> Any:
    """The split's holdout rows, with the features the champion was trained on."""
    if bundle.spec == split.spec:
        return split.holdout
    (start, end) = split.holdout.windows[0]
    with engine.connect() as conn:
        return window_examples(conn, bundle.spec, start, end, split.data_end)


def beats_baselines(metrics: dict[str, Any]) -> tuple[bool, str]:
    """Is the holdout MAE below both the peer baseline and persistence? (and the reason, in words)"""
    mae, peer, persist = metrics["mae"], metrics["baseline_mae"], metrics["persistence_mae"]
    ok = mae < peer and mae < persist
    return ok, (
        f"MAE {mae:.5f} {'beats' if ok else 'does not beat'} both baselines "
        f"(peer {peer:.5f}, persistence {persist:.5f})"
    )


def decide(
    engine: sa.Engine, bundle: ModelBundle, split: Split, extra: dict[str, Any] | None = None
) -> Decision:
    """Evaluate, register as challenger, compare with the champion on the same holdout, set the status."""
    metrics: dict[str, Any] = evaluate(bundle, split.holdout)
    metrics.update(extra or {})
    current = registry.champion(engine)
    baselines_ok, baselines_reason = beats_baselines(metrics)
    if current is None:
        promote = metrics["mae"] < metrics["baseline_mae"]
        reason = f"first version: {baselines_reason}; " + (
            "promoted (a first version needs the peer baseline)" if promote else "rejected"
        )
    else:
        try:
            old = registry.load(current)
            old_metrics = evaluate(old, _holdout_for(engine, split, old), baseline=bundle.peers)
            metrics["champion_version"] = current.version
            metrics["champion_mae_same_holdout"] = old_metrics["mae"]
            beats_champion = metrics["mae"] < old_metrics["mae"]
            promote = beats_champion and baselines_ok
            reason = (
                f"MAE {metrics['mae']:.5f} vs champion {current.version} {old_metrics['mae']:.5f} on the same holdout; "
                f"{baselines_reason}: " + ("promoted" if promote else "kept the champion")
            )
        except registry.ArtifactError as exc:
            promote = baselines_ok
            reason = f"champion {current.version} unusable ({exc}); {baselines_reason}"
    details = {
        "data_window": split.describe(),
        "categorical": list(CATEGORICAL),
        "numeric": list(split.spec.numeric),
    }
    record = registry.register(engine, bundle, metrics, details)
    status = "champion" if promote else "rejected"
    record = registry.set_status(engine, record, status, metrics, reason)
    return Decision(status, reason, metrics, record)


def score_champion(engine: sa.Engine, progress: Progress | None = None) -> ScoreResult | None:
    """Score with the champion: a run of chunks sent to the scoring queue, or scored here without one
    (predictfluence_ml.scoring.score_fanned_out)."""
    current = registry.champion(engine)
    if current is None:
        return None
    return score_fanned_out(engine, registry.load(current), current.id, progress=progress)


def run(
    engine: sa.Engine | None = None,
    *,
    score: bool = True,
    params: TrainParams | None = None,
    window_days: int = 30,
    progress: Progress | None = None,
) -> RetrainResult:
    from predictfluence.db import get_engine

    engine = engine or get_engine()
    say = progress or (lambda _msg: None)
    timings: dict[str, float] = {}
    with engine.connect() as lock_conn, ml_threads():
        got = lock_conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar_one()
        lock_conn.commit()
        if not got:
            return RetrainResult("skipped", "another retraining is running")
        try:
            t0 = time.perf_counter()
            split = build_split(engine, window_days=window_days)
            timings["dataset_s"] = time.perf_counter() - t0
            say(f"dataset: {len(split.train):,} training rows, {len(split.holdout):,} holdout rows")
            t0 = time.perf_counter()
            bundle = fit(split.train, params)
            bundle.cost, cost_metrics = train_costs(engine, before=split.data_end)
            timings["fit_s"] = time.perf_counter() - t0
            say(f"fitted in {timings['fit_s']:.1f} s; cost model: {cost_metrics['cost_model']} "
                f"({cost_metrics['cost_hires']} hires)")  # fmt: skip
            decision = decide(engine, bundle, split, {"train_s": round(timings["fit_s"], 3), **cost_metrics})
            say(f"{decision.record.version}: {decision.status} — {decision.reason}")
            result = RetrainResult(
                decision.status,
                decision.reason,
                decision.record.version,
                decision.record.id,
                decision.metrics,
                timings=timings,
            )
            if score:
                t0 = time.perf_counter()
                scored = score_champion(engine, progress=say)
                timings["score_s"] = time.perf_counter() - t0
                result.scored_rows = scored.rows if scored else 0
                result.score_run_id = scored.run_id if scored else None
            return result
        finally:
            lock_conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            lock_conn.commit()
