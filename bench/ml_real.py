"""Cross-validation on the real top-200 Instagram list (shared/data/top_insta_influencers_data.csv).

    .venv/bin/python bench/ml_real.py [--csv PATH] [--folds 5] [--repeats 5]

Predict the "60 Day Eng Rate" from the file's other columns with the same kind of model as the
warehouse regressor (HistGradientBoosting on log ER, country as a categorical), repeated K-fold, against
the baseline of the training folds' median ER. Two feature sets, reported side by side:

- `no_like_columns` (the headline, leak-free): influence score, posts, followers, country only — what
  the profile alone predicts;
- `all_columns_leaky`: the same plus avg likes, avg likes of new posts, total likes and the
  like-per-follower ratios derived from them. It uses likes to predict a likes-based rate (the like
  columns are nearly the target's own numerator), so it is NOT a forecast and not a headline figure.

Values like `475.8m`, `3.3k`, `1.39%` are parsed with etl_jobs.values (the ETL's parsers). The last
output line is JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "core"), str(ROOT / "layers" / "ml")]

DEFAULT_CSV = Path("/work/shared/data/top_insta_influencers_data.csv")


def load(path: Path) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    from etl_jobs.values import is_null, parse_count, parse_rate

    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))

    def count(row: dict[str, str], column: str) -> float:
        value = parse_count(row[column])
        return float(value) if value is not None else np.nan

    numeric = {
        "influence_score": np.array([float(r["influence Score"]) for r in rows]),
        "posts": np.array([count(r, "Total Posts") for r in rows]),
        "followers": np.array([count(r, "Followers") for r in rows]),
        "avg_likes": np.array([count(r, "Avg likes") for r in rows]),
        "new_post_avg_likes": np.array([count(r, "Avg Like") for r in rows]),
        "total_likes": np.array([count(r, "Total Likes") for r in rows]),
    }
    country = np.array([("unknown" if is_null(r["Country"]) else r["Country"].strip()) for r in rows], dtype=object)
    er = np.array([parse_rate(r["60 Day Eng Rate"], percent=True) or np.nan for r in rows], dtype=np.float64)
    return numeric, country, er


def design(numeric: dict[str, np.ndarray], country: np.ndarray, with_likes: bool) -> tuple[np.ndarray, list[str]]:
    cols = {
        "log_followers": np.log(numeric["followers"]),
        "log_posts": np.log1p(numeric["posts"]),
        "influence_score": numeric["influence_score"],
    }
    if with_likes:
        with np.errstate(divide="ignore", invalid="ignore"):
            cols |= {
                "log_avg_likes": np.log1p(numeric["avg_likes"]),
                "log_new_post_avg_likes": np.log1p(numeric["new_post_avg_likes"]),
                "log_total_likes": np.log1p(numeric["total_likes"]),
                "avg_likes_per_follower": numeric["avg_likes"] / numeric["followers"],
                "new_likes_per_follower": numeric["new_post_avg_likes"] / numeric["followers"],
            }
    x = np.empty((country.size, 1 + len(cols)), dtype=object)
    x[:, 0] = country
    for j, v in enumerate(cols.values(), start=1):
        x[:, j] = v
    return x, ["country", *cols]


def model():
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OrdinalEncoder

    return Pipeline(
        [
            ("encode", ColumnTransformer(
                [("country", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=np.nan,
                                            min_frequency=3), [0])],
                remainder="passthrough",
            )),
            ("float", FunctionTransformer(np.asarray, kw_args={"dtype": np.float64})),
            ("hgb", HistGradientBoostingRegressor(max_iter=150, learning_rate=0.05, min_samples_leaf=8,
                                                  max_leaf_nodes=8, l2_regularization=1.0,
                                                  categorical_features=[0], random_state=0)),
        ]
    )


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int, repeats: int) -> dict[str, float]:
    from sklearn.metrics import mean_absolute_error, r2_score
    from sklearn.model_selection import RepeatedKFold

    maes, base_maes, r2s, base_r2s = [], [], [], []
    for train, test in RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=0).split(x):
        fitted = model().fit(x[train], np.log(np.maximum(y[train], 1e-5)))
        pred = np.exp(fitted.predict(x[test]))
        base = np.full(test.size, np.median(y[train]))
        maes.append(mean_absolute_error(y[test], pred))
        base_maes.append(mean_absolute_error(y[test], base))
        r2s.append(r2_score(y[test], pred))
        base_r2s.append(r2_score(y[test], base))
    return {
        "mae": float(np.mean(maes)),
        "mae_std": float(np.std(maes)),
        "baseline_mae": float(np.mean(base_maes)),
        "r2": float(np.mean(r2s)),
        "baseline_r2": float(np.mean(base_r2s)),
        "mae_ratio": float(np.mean(maes) / np.mean(base_maes)),
    }


def run(path: Path = DEFAULT_CSV, folds: int = 5, repeats: int = 5) -> dict[str, object]:
    numeric, country, er = load(path)
    ok = ~np.isnan(er) & (numeric["followers"] > 0)
    numeric = {k: v[ok] for k, v in numeric.items()}
    country, er = country[ok], er[ok]
    result: dict[str, object] = {"rows": int(ok.sum()), "folds": folds, "repeats": repeats,
                                 "median_er": float(np.median(er))}
    for label, with_likes in (("no_like_columns", False), ("all_columns_leaky", True)):
        x, names = design(numeric, country, with_likes)
        result[label] = {"features": names, **cross_validate(x, er, folds, repeats)}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from predictfluence_ml.training import ml_threads

    with ml_threads():
        result = run(args.csv, args.folds, args.repeats)
    print(f"{result['rows']} influencers, {args.folds}-fold CV × {args.repeats} repeats; median 60-day ER "
          f"{result['median_er']:.2%}")
    print(f"{'features':<18s} {'MAE':>9s} {'baseline MAE':>13s} {'ratio':>6s} {'R²':>7s} {'baseline R²':>12s}")
    for label in ("no_like_columns", "all_columns_leaky"):
        m = result[label]
        print(f"{label:<18s} {m['mae']:>9.5f} {m['baseline_mae']:>13.5f} {m['mae_ratio']:>6.2f} {m['r2']:>7.3f} "
              f"{m['baseline_r2']:>12.3f}")
    print("all_columns_leaky uses the likes columns to predict a likes-based rate: a leak, not a forecast")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
