"""`predictfluence train | score | models`: the ML layer from the command line.

predictfluence_ml (scikit-learn, numpy) is imported inside the commands, so `predictfluence --help` and
the other commands stay fast and work without the ML dependencies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import click

from predictfluence_tools.localdb import needs_database


def _progress() -> Callable[[str], None]:
    start = time.perf_counter()

    def say(message: str) -> None:
        click.echo(f"[{time.perf_counter() - start:7.1f} s] {message}")

    return say


@click.command()
@click.option("--score/--no-score", default=True, show_default=True, help="Batch-score with the champion afterwards.")
@click.option("--window-days", default=30, show_default=True, help="Target window (and holdout) length in days.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@needs_database
def train(score: bool, window_days: int, as_json: bool) -> None:
    """Train, evaluate on the time holdout, register in S3, promote if it beats the champion, score."""
    from predictfluence.config import get_settings
    from predictfluence.db import require_migrated
    from predictfluence_ml.retrain import run
    from predictfluence_tools.buckets import ensure_bucket

    require_migrated()  # fail fast (before S3 and the ML imports) when the database is not usable
    ensure_bucket(get_settings().models_bucket)
    result = run(score=score, window_days=window_days, progress=_progress())
    if as_json:
        click.echo(json.dumps(result.to_dict(), default=str, indent=2))
        return
    m = result.metrics
    click.echo(f"{result.version}: {result.status} — {result.reason}")
    if m:
        click.echo(
            f"holdout MAE {m['mae']:.5f} (peer baseline {m['baseline_mae']:.5f}, ratio {m['mae_ratio']:.2f}; "
            f"persistence {m['persistence_mae']:.5f}, ratio {m['mae_vs_persistence']:.2f}), "
            f"R² {m['r2']:.3f}, 80% interval coverage {m['interval_coverage']:.3f}, "
            f"tier accuracy {m['tier_accuracy']:.3f}, macro-F1 {m['tier_macro_f1']:.3f}"
        )
        click.echo(_cost_line(m))
    if score:
        click.echo(f"scored {result.scored_rows:,} influencer × content-type rows")


def _cost_line(m: dict) -> str:
    """The cost model's held-out figures (predictfluence_ml.costs) in one line."""
    if "cost_model" not in m:
        return "cost model: none in this version (scoring uses the rate card)"
    head = f"cost model: {m['cost_model']} from {m['cost_hires']} hires"
    if m.get("cost_mae") is None:
        return f"{head} (too few to hold any out)"
    ratio = "—" if m.get("cost_mae_ratio") is None else f"{m['cost_mae_ratio']:.2f}"
    return (
        f"{head}; held-out MAE ${m['cost_mae']:.2f} per post vs rate card ${m['cost_baseline_mae']:.2f} "
        f"(ratio {ratio}, {m['cost_test_hires']} hires), "
        f"80% interval coverage {m['cost_interval_coverage']:.3f}"
    )


@click.command()
@needs_database
def score() -> None:
    """Batch-score every influencer × content type with the champion model into influencer_score."""
    from predictfluence.db import get_engine
    from predictfluence_ml.retrain import ml_threads, score_champion

    with ml_threads():
        result = score_champion(get_engine(), progress=_progress())
    if result is None:
        raise click.ClickException("no champion model yet: run `predictfluence train` first")
    click.echo(f"scored {result.rows:,} rows for {result.influencers:,} influencers as of {result.as_of}; "
               f"{result.flagged:,} influencers flagged")


@click.command()
@click.option("--kind", default=None, help="Only this model kind.")
@needs_database
def models(kind: str | None) -> None:
    """List model versions with their holdout metrics; the champion is marked with *."""
    import sqlalchemy as sa

    from predictfluence.db import get_engine

    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT kind, version, status, metrics, trained_at FROM model_version "
                "WHERE CAST(:kind AS text) IS NULL OR kind = :kind ORDER BY trained_at DESC, id DESC"
            ),
            {"kind": kind},
        ).all()
    if not rows:
        click.echo("no model versions")
        return
    click.echo(f"  {'kind':<12s} {'version':<24s} {'status':<10s} {'mae':>9s} {'baseline':>9s} {'persist':>9s} {'r2':>7s} {'cover':>6s} {'cost$':>8s} {'rate$':>8s} {'cost model':<10s}")
    for k, version, status, metrics, _trained in rows:
        m = metrics or {}
        mark = "*" if status == "champion" else " "

        def num(name: str, fmt: str, m: dict = m) -> str:
            value = m.get(name)
            return format(value, fmt) if isinstance(value, int | float) else "—"

        click.echo(
            f"{mark} {k:<12s} {version:<24s} {status:<10s} {num('mae', '9.5f')} {num('baseline_mae', '9.5f')} "
            f"{num('persistence_mae', '9.5f')} "
            f"{num('r2', '7.3f')} {num('interval_coverage', '6.3f')} {num('cost_mae', '8.2f')} "
            f"{num('cost_baseline_mae', '8.2f')} {m.get('cost_model', '—'):<10s}"
        )


commands = [train, score, models]
