"""Holdout metrics of a bundle, always next to two baselines measured on the same rows: the peer median
(platform × tier × category) and persistence (the creator's own last-90-day ER for this content type,
else the creator's overall last-90-day ER, else the peer median), overall and per segment of history
(posts of this content type in the last 90 days: none, < 5, 5–14, ≥ 15)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score

from predictfluence_ml import peers
from predictfluence_ml.bundle import TIER_NAMES, ModelBundle
from predictfluence_ml.dataset import Dataset
from predictfluence_ml.features import FeatureMatrix
from predictfluence_ml.peers import SEGMENTS
from predictfluence_ml.training import tier_labels


def regression_metrics(y: np.ndarray, point: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    return {
        "mae": float(mean_absolute_error(y, point)),
        "r2": float(r2_score(y, point)) if y.size > 1 else float("nan"),
        "interval_coverage": float(np.mean((y >= low) & (y <= high))),
        "interval_width": float(np.mean(high - low)),
    }


def persistence(X: FeatureMatrix, fallback: np.ndarray) -> np.ndarray:
    """What a manager predicts by eye: the creator's last-90-day ER for this content type, else the
    creator's overall last-90-day ER, else *fallback* (the peer median)."""
    return peers.persistence(X.num, X.spec.numeric, fallback)


def segment_of(X: FeatureMatrix) -> np.ndarray:
    return peers.segment_of(X.num, X.spec.numeric)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("nan")


def baseline_metrics(y: np.ndarray, point: np.ndarray, peer: np.ndarray, X: FeatureMatrix) -> dict[str, float]:
    """persistence_mae, mae_vs_persistence and, per segment, rows / model / peer / persistence MAE and
    the model's ratio to persistence."""
    persist = persistence(X, peer)
    out = {"persistence_mae": float(mean_absolute_error(y, persist))}
    out["mae_vs_persistence"] = _ratio(float(mean_absolute_error(y, point)), out["persistence_mae"])
    segments = segment_of(X)
    for name, _lo, _hi in SEGMENTS:
        sel = segments == name
        out[f"segment_{name}_rows"] = int(sel.sum())
        if not sel.any():
            continue
        model, peer_mae, persist_mae = (float(np.mean(np.abs(y[sel] - p[sel]))) for p in (point, peer, persist))
        out[f"segment_{name}_mae"] = model
        out[f"segment_{name}_baseline_mae"] = peer_mae
        out[f"segment_{name}_persistence_mae"] = persist_mae
        out[f"segment_{name}_mae_vs_persistence"] = _ratio(model, persist_mae)
    return out


def evaluate(bundle: ModelBundle, holdout: Dataset, baseline: Any | None = None) -> dict[str, float]:
    """Regressor MAE / R² / 80 % interval coverage, classifier accuracy / macro-F1, and the baseline
    (median ER of the same platform × tier × category, learned on *bundle*'s training data unless another
    baseline is given), and persistence overall and per history segment (`baseline_metrics`)."""
    y = holdout.y
    point, low, high = bundle.predict(holdout.X)
    metrics = regression_metrics(y, point, low, high)
    base = (baseline or bundle.peers).predict(holdout.X.cat)
    metrics["baseline_mae"] = float(mean_absolute_error(y, base))
    metrics["baseline_r2"] = float(r2_score(y, base)) if y.size > 1 else float("nan")
    metrics["mae_ratio"] = metrics["mae"] / metrics["baseline_mae"] if metrics["baseline_mae"] > 0 else float("nan")
    metrics.update(baseline_metrics(y, point, base, holdout.X))
    labels = np.array(TIER_NAMES, dtype=object)[tier_labels(holdout.X.cat, y)]
    predicted, _ = bundle.predict_tier(holdout.X)
    metrics["tier_accuracy"] = float(accuracy_score(labels, predicted))
    metrics["tier_macro_f1"] = float(f1_score(labels, predicted, average="macro"))
    metrics["holdout_rows"] = int(y.size)
    return metrics


def table(rows: dict[str, dict[str, float]], keys: tuple[str, ...] = ("mae", "r2", "interval_coverage")) -> str:
    """A small text table: one line per model."""
    head = f"{'model':<22s}" + "".join(f"{k:>20s}" for k in keys)
    lines = [head]
    for name, m in rows.items():
        cells = "".join(f"{m[k]:>20.5f}" if isinstance(m.get(k), float) else f"{'—':>20s}" for k in keys)
        lines.append(f"{name:<22s}{cells}")
    return "\n".join(lines)
