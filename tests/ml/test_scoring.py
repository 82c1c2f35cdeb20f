"""Batch scoring fills influencer_score: every influencer × its platform's content types, with an ordered
interval, a calibrated tier, a cluster, anomaly flags and a plain-words rationale."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_ml import registry
from predictfluence_ml.retrain import run, score_champion
from predictfluence_tools.synthetic import PLATFORM_CONTENT


def _scores(db: Engine) -> list[sa.Row]:
    with db.connect() as conn:
        return conn.execute(sa.text(
            "SELECT s.influencer_id, s.content_type, s.model_version_id, s.predicted_er, s.er_low, s.er_high, "
            "s.performance_tier, s.tier_probability, s.cluster, s.anomaly_score, s.anomaly_reasons, s.rationale, "
            "i.platform, i.category, i.follower_tier FROM influencer_score s JOIN influencer i ON i.id = s.influencer_id "
            "ORDER BY s.influencer_id, s.content_type"
        )).all()


def test_scoring_fills_every_influencer_and_content_type(db, aws, warehouse, fast_params) -> None:
    result = run(db, score=True, params=fast_params)
    rows = _scores(db)

    with db.connect() as conn:
        platforms = dict(conn.execute(sa.text("SELECT id, platform FROM influencer")).all())
    expected = sorted((iid, t) for iid, p in platforms.items() for t in sorted(PLATFORM_CONTENT[p]))
    assert [(r.influencer_id, r.content_type) for r in rows] == expected
    assert result.scored_rows == len(expected)
    assert {r.model_version_id for r in rows} == {result.model_version_id}
    for r in rows:
        assert 0 < r.er_low <= r.predicted_er <= r.er_high
        assert r.performance_tier in {"top", "middle", "bottom"}
        assert 1 / 3 <= r.tier_probability <= 1
        assert r.cluster is not None and 0 <= r.cluster < fast_params.n_clusters
        assert 0 < r.anomaly_score < 1
        assert isinstance(r.anomaly_reasons, list)
        peers = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}[r.platform]
        assert r.rationale.startswith(f"{peers} ")
        assert " have a median ER of " in r.rationale
        assert f"per {r.content_type} post (80% range " in r.rationale
    # most rationales name at least one feature of the creator
    named = [r for r in rows if "this creator's " in r.rationale]
    assert len(named) >= 0.8 * len(rows)


def test_bought_engagement_is_flagged_with_reasons(db, aws, warehouse, fast_params) -> None:
    run(db, score=True, params=fast_params)
    rows = _scores(db)
    flagged = {r.influencer_id: r for r in rows if r.anomaly_reasons}
    assert flagged, "the synthetic set has creators with bought likes"
    reasons = [reason for r in flagged.values() for reason in r.anomaly_reasons]
    assert any("likes per comment" in reason and "likes without conversation" in reason for reason in reasons)
    mean_flagged = sum(r.anomaly_score for r in flagged.values()) / len(flagged)
    mean_all = sum(r.anomaly_score for r in rows) / len(rows)
    assert mean_flagged > mean_all
    assert all(isinstance(json.dumps(r.anomaly_reasons), str) for r in rows)


def test_rescoring_replaces_the_table_with_the_champion(db, aws, warehouse, fast_params) -> None:
    first = run(db, score=True, params=fast_params)
    before = _scores(db)
    registry.clear_cache()
    again = score_champion(db)
    after = _scores(db)
    assert again is not None and again.rows == len(before) == len(after)
    assert [(r.influencer_id, r.content_type, r.predicted_er, r.rationale) for r in after] == [
        (r.influencer_id, r.content_type, r.predicted_er, r.rationale) for r in before
    ]
    assert {r.model_version_id for r in after} == {first.model_version_id}
