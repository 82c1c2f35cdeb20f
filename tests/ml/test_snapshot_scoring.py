"""Snapshot-only creators are scored (issue 12.5): from their imported snapshot's ER, with a wider
interval and a rationale naming the snapshot; they reach the recommendations. And the measurement:
on the synthetic world, the holdout creators' post history hidden (one snapshot each), the snapshot path
against the full-history path."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_ml.retrain import run
from predictfluence_ml.snapshots import SNAPSHOT_INTERVAL_SCALE, measure, widen


def _add_imported(db: Engine) -> dict[str, int]:
    """Two instagram creators known only from a snapshot (one with two), one with no snapshot ER."""
    with db.begin() as conn:
        ids = conn.execute(
            sa.text(
                "INSERT INTO influencer (platform, handle, category, country, followers) VALUES "
                "('instagram', 'imported_a', 'beauty', 'US', 475800000), ('instagram', 'imported_b', 'tech', 'DE', 52000), "
                "('instagram', 'imported_c', 'tech', 'DE', 61000) RETURNING handle, id"
            )
        ).all()
        by = dict(ids)
        conn.execute(
            sa.text(
                "INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers, posts, avg_likes, engagement_rate) "
                "VALUES (:a, DATE '2026-09-01', 'top_insta_influencers_data', 470000000, 3200, 8600000, 0.0150), "
                "(:a, DATE '2026-10-01', 'top_insta_influencers_data', 475800000, 3300, 8700000, 0.0139), "
                "(:b, DATE '2026-10-01', 'socialtool', 52000, 300, 2500, 0.052), "
                "(:c, DATE '2026-10-01', 'socialtool', 61000, 200, NULL, NULL)"
            ),
            {"a": by["imported_a"], "b": by["imported_b"], "c": by["imported_c"]},
        )
    return by


def test_widen_scales_the_log_interval_around_the_point() -> None:
    point, low, high = np.array([0.02]), np.array([0.01]), np.array([0.03])
    lo, hi = widen(point, low, high, 2.0)
    assert lo[0] == pytest.approx(0.02 * 0.5**2) and hi[0] == pytest.approx(0.02 * 1.5**2)
    assert widen(point, low, high, 1.0)[0][0] == pytest.approx(0.01)


def test_snapshot_only_creators_are_scored_with_wider_intervals(db, aws, warehouse, fast_params) -> None:
    from predictfluence.queries.recommendations import recommend

    by = _add_imported(db)
    run(db, score=True, params=fast_params)
    with db.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT influencer_id, content_type, predicted_er, er_low, er_high, rationale, cost_per_post "
                "FROM influencer_score WHERE influencer_id IN (:a, :b, :c) ORDER BY influencer_id, content_type"
            ),
            {"a": by["imported_a"], "b": by["imported_b"], "c": by["imported_c"]},
        ).all()
        history = conn.execute(
            sa.text(
                "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ln(er_high / er_low)) FROM influencer_score "
                "WHERE rationale NOT LIKE 'Based on the imported snapshot%'"
            )
        ).scalar_one()
    a = [r for r in rows if r.influencer_id == by["imported_a"]]
    assert [r.content_type for r in a] == ["carousel", "image", "reel"]
    for r in a:
        assert 0 < r.er_low <= r.predicted_er <= r.er_high
        assert r.rationale.startswith(
            "Based on the imported snapshot of 2026-10-01 (source: top_insta_influencers_data): ER 1.39 %, "
            "no post history; "
        )
        assert f"per {r.content_type} post (80% range " in r.rationale
    snap_widths = [math.log(r.er_high / r.er_low) for r in rows if r.rationale.startswith("Based on")]
    assert np.median(snap_widths) > history  # wider than the full-history creators' intervals
    c = [r for r in rows if r.influencer_id == by["imported_c"]]  # no ER in its snapshot: the plain model
    assert c and not any(r.rationale.startswith("Based on") for r in c)
    found = recommend(objective="engagement_rate", platform="instagram", category="tech", limit=500)
    assert by["imported_b"] in {r["influencer_id"] for r in found}


def test_snapshot_path_against_full_history_on_held_out_creators(db, warehouse, fast_params) -> None:
    from predictfluence_ml.dataset import Dataset, build_split
    from predictfluence_ml.training import fit

    split = build_split(db)
    held = np.unique(split.holdout.X.ids)[::4]  # every fourth holdout creator: out of training entirely
    keep = ~np.isin(split.train.X.ids, held)
    t = split.train
    bundle = fit(Dataset(t.X.subset(np.flatnonzero(keep)), t.y[keep], t.posts[keep], t.windows), fast_params)
    sel = np.flatnonzero(np.isin(split.holdout.X.ids, held))
    m = measure(bundle, split.holdout.X.subset(sel), split.holdout.y[sel])
    assert m["rows"] >= 20
    assert m["snapshot_coverage"] >= m["snapshot_coverage_unscaled"]  # the scale only widens
    assert SNAPSHOT_INTERVAL_SCALE > 1
    assert 0 < m["full_mae"] and 0 < m["snapshot_mae"] < 0.05
