"""Time-split training and holdout sets.

The last complete window of `window_days` (ending `maturity_days` before the newest metric so that its
posts have collected their engagement) is the holdout; up to `train_windows` windows before it are the
training set (rolling origin). Each example is an influencer × content type with at least one post in
its target window; its features come from data strictly before the window start, its target is the mean
per-post ER of the window's posts.

Training windows leave out the influencers the audience-quality flag (predictfluence_ml.anomaly) marks
on that window's own features: bought engagement must not teach the model that inflated likes pay. They
are still scored (and flagged) like everyone else; the holdout keeps every example.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa

from predictfluence_ml.anomaly import flag
from predictfluence_ml.features import (
    FeatureMatrix,
    FeatureSpec,
    assemble,
    content_table,
    discover_spec,
    influencer_table,
)


@dataclass
class Dataset:
    X: FeatureMatrix
    y: np.ndarray  # mean per-post ER of the target window
    posts: np.ndarray  # posts in the target window (weights)
    windows: list[tuple[dt.date, dt.date]]
    flagged_left_out: int = 0  # examples of flagged influencers left out of the training targets

    def __len__(self) -> int:
        return len(self.X)


@dataclass
class Split:
    train: Dataset
    holdout: Dataset
    spec: FeatureSpec
    data_end: dt.date
    window_days: int
    maturity_days: int

    def describe(self) -> dict[str, object]:
        return {
            "data_end": self.data_end.isoformat(),
            "window_days": self.window_days,
            "maturity_days": self.maturity_days,
            "train_windows": [[a.isoformat(), b.isoformat()] for a, b in self.train.windows],
            "holdout_window": [[a.isoformat(), b.isoformat()] for a, b in self.holdout.windows],
            "train_rows": len(self.train),
            "holdout_rows": len(self.holdout),
            "train_flagged_left_out": self.train.flagged_left_out,
        }


class NotEnoughData(RuntimeError):
    """The warehouse has too little history for a training and a holdout window."""


def data_bounds(conn: sa.Connection) -> tuple[dt.date | None, dt.date | None]:
    """(first post date, day after the newest metric row)."""
    first, last = conn.execute(
        sa.text("SELECT (SELECT min(posted_at) FROM post)::date, (SELECT max(date) FROM post_metric_daily)")
    ).one()
    return first, (last + dt.timedelta(days=1)) if last else None


def window_examples(
    conn: sa.Connection, spec: FeatureSpec, start: dt.date, end: dt.date, metrics_end: dt.date
) -> Dataset:
    """Examples whose target window is [start, end); features as of `start`."""
    rows = conn.execute(
        sa.text(
            """
            WITH pe AS (
                SELECT p.id, p.influencer_id, p.content_type,
                       sum(m.likes + m.comments + m.shares + m.saves)::float8 AS eng
                FROM post p JOIN post_metric_daily m ON m.post_id = p.id AND m.date < :metrics_end
                WHERE p.posted_at >= :start AND p.posted_at < :end
                GROUP BY p.id
            )
            SELECT influencer_id, content_type, avg(eng), count(*) FROM pe
            GROUP BY influencer_id, content_type ORDER BY influencer_id, content_type
            """
        ),
        {
            "start": dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC),
            "end": dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC),
            "metrics_end": metrics_end,
        },
    ).all()
    pair_ids = np.array([r[0] for r in rows], dtype=np.int64)
    pair_types = np.array([r[1] for r in rows], dtype=object)
    eng = np.array([r[2] for r in rows], dtype=np.float64)
    posts = np.array([r[3] for r in rows], dtype=np.float64)
    inf = influencer_table(conn, spec, start)
    content = content_table(conn, start)
    matrix, keep = assemble(spec, inf, content, pair_ids, pair_types)
    return Dataset(matrix, eng[keep] / matrix.followers, posts[keep], [(start, end)])


def concat(parts: list[Dataset]) -> Dataset:
    first = parts[0]
    X = FeatureMatrix(
        np.concatenate([p.X.ids for p in parts]),
        np.concatenate([p.X.cat for p in parts]),
        np.concatenate([p.X.num for p in parts]),
        np.concatenate([p.X.followers for p in parts]),
        first.X.spec,
    )
    return Dataset(
        X,
        np.concatenate([p.y for p in parts]),
        np.concatenate([p.posts for p in parts]),
        [w for p in parts for w in p.windows],
        sum(p.flagged_left_out for p in parts),
    )


def without_flagged(data: Dataset) -> Dataset:
    """The examples of influencers the audience-quality flag leaves unmarked (flags from data.X itself)."""
    if len(data) == 0:
        return data
    result = flag(data.X)
    flagged = result.ids[np.array([bool(r) for r in result.reasons], dtype=bool)]
    keep = np.flatnonzero(~np.isin(data.X.ids, flagged))
    return Dataset(data.X.subset(keep), data.y[keep], data.posts[keep], data.windows, len(data) - keep.size)


def build_split(
    engine: sa.Engine,
    window_days: int = 30,
    maturity_days: int = 7,
    train_windows: int = 3,
    min_history_days: int = 30,
    spec: FeatureSpec | None = None,
) -> Split:
    with engine.connect() as conn:
        first, data_end = data_bounds(conn)
        if first is None or data_end is None:
            raise NotEnoughData("no posts with metrics in the warehouse")
        spec = spec or discover_spec(conn)
        holdout_end = data_end - dt.timedelta(days=maturity_days)
        holdout_start = holdout_end - dt.timedelta(days=window_days)
        holdout = window_examples(conn, spec, holdout_start, holdout_end, data_end)
        parts: list[Dataset] = []
        for k in range(1, train_windows + 1):
            start = holdout_start - dt.timedelta(days=k * window_days)
            if start < first + dt.timedelta(days=min_history_days):
                break
            end = start + dt.timedelta(days=window_days)
            part = window_examples(conn, spec, start, end, end + dt.timedelta(days=maturity_days))
            parts.append(without_flagged(part))
    if not parts or min(len(p) for p in parts) == 0 or len(holdout) == 0:
        raise NotEnoughData(
            f"need at least {min_history_days + 2 * window_days + maturity_days} days of posts with metrics"
        )
    return Split(concat(parts), holdout, spec, data_end, window_days, maturity_days)
