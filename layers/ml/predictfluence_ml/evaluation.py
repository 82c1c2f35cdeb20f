"""Holdout metrics of a bundle, always next to the peer baseline measured on the same rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, r2_score

from predictfluence_ml.bundle import TIER_NAMES, ModelBundle
from predictfluence_ml.dataset import Dataset
from predictfluence_ml.training import tier_labels


def regression_metrics(y: np.ndarray, point: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    return {
        "mae": float(mean_absolute_error(y, point)),
        "r2": float(r2_score(y, point)) if y.size > 1 else float("nan"),
        "interval_coverage": float(np.mean((y >= low) & (y <= high))),
        "interval_width": float(np.mean(high - low)),
    }


def evaluate(bundle: ModelBundle, holdout: Dataset, baseline: Any | None = None) -> dict[str, float]:
    """Regressor MAE / R² / 80 % interval coverage, classifier accuracy / macro-F1, and the baseline
    (median ER of the same platform × tier × category, learned on *bundle*'s training data unless another
    baseline is given)."""
    y = holdout.y
    point, low, high = bundle.predict(holdout.X)
    metrics = regression_metrics(y, point, low, high)
    base = (baseline or bundle.peers).predict(holdout.X.cat)
    metrics["baseline_mae"] = float(mean_absolute_error(y, base))
    metrics["baseline_r2"] = float(r2_score(y, base)) if y.size > 1 else float("nan")
    metrics["mae_ratio"] = metrics["mae"] / metrics["baseline_mae"] if metrics["baseline_mae"] > 0 else float("nan")
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
