"""GET /influencers discovery filters (issue 13.1): audience shares, growth, language, multi-select,
hide_flagged and the text search over category — exact results on the known dataset (tests/api/dataset.py).

Extra rows inserted here: gender shares for alice (female 0.8) and carol (female 0.55); a snapshot of
alice 40 days ago (19,000 followers), so her 30-day base differs from her 90-day one:
  latest (today-1) 19,900; 30 days: the latest at or before today-31 → today-40 19,000 → 900 / 19,000
  90 days: at or before today-91 → today-100 15,000 → 4,900 / 15,000; carol: one snapshot → unknown.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

EXTRA = [
    "INSERT INTO audience_share (influencer_id, dimension, bucket, share) VALUES "
    "(1, 'gender', 'female', 0.8), (1, 'gender', 'male', 0.2), (3, 'gender', 'female', 0.55)",
    "INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers) VALUES "
    "(1, CURRENT_DATE - 40, 'export', 19000), (3, CURRENT_DATE - 3, 'export', 150000)",
]


@pytest.fixture()
def world(dataset):
    from predictfluence.queries.rollups import refresh

    with dataset.begin() as conn:
        for statement in EXTRA:
            conn.execute(sa.text(statement))
    refresh(dataset, concurrently=False)
    return dataset


def _handles(client, auth, query: str) -> list[str]:
    response = client.http.get(f"/influencers?{query}", headers=auth["viewer"])
    assert response.status_code == 200, response.body
    body = response.json_body
    assert body["page_info"]["total"] == len(body["items"])
    return [item["handle"] for item in body["items"]]


@pytest.mark.parametrize(
    ("query", "handles"),
    [
        # audience country share: alice US 0.6, carol US 0.5
        ("audience_country=US", ["tt_carol", "ig_alice"]),
        ("audience_country=us&min_audience_country_share=0.55", ["ig_alice"]),
        ("audience_country=US&min_audience_country_share=0.5", ["tt_carol", "ig_alice"]),
        ("audience_country=UK&min_audience_country_share=0.5", ["ig_bob"]),
        ("audience_country=FR", []),
        # age group: alice 18-24 0.7, 25-34 0.3
        ("audience_age_group=18-24&min_audience_age_group_share=0.7", ["ig_alice"]),
        ("audience_age_group=25-34&min_audience_age_group_share=0.31", []),
        # gender: alice female 0.8, carol female 0.55
        ("audience_gender=female&min_audience_gender_share=0.6", ["ig_alice"]),
        ("audience_gender=FEMALE", ["tt_carol", "ig_alice"]),
        ("audience_gender=male&audience_country=US", ["ig_alice"]),
        # engagement rate: alice (0.095+0.15+0.025)/3 = 0.09, carol 0.0666…, bob 0.05
        ("min_er=0.06&max_er=0.07", ["tt_carol"]),
        ("min_er=0.05", ["tt_carol", "ig_alice", "ig_bob"]),
        # growth: alice 30d 900/19000 = 0.0474, 90d 4900/15000 = 0.3267; the others unknown (left out)
        ("min_growth_30d=0.04", ["ig_alice"]),
        ("min_growth_30d=0.05", []),
        ("max_growth_30d=0.05", ["ig_alice"]),
        ("min_growth_90d=0.3&max_growth_90d=0.33", ["ig_alice"]),
        ("min_growth_90d=-1", ["ig_alice"]),
        # language
        ("language=de", ["yt_dave"]),
        ("language=EN&platform=tiktok", ["tt_carol"]),
        # multi-select: comma lists, any of them, case-insensitive, blanks around items ignored
        ("platform=tiktok,youtube", ["yt_dave", "tt_carol"]),
        ("platform=Instagram", ["ig_erin", "ig_alice", "ig_bob"]),
        ("category=tech,%20fitness", ["yt_dave", "ig_bob"]),
        ("country=de,uk", ["yt_dave", "ig_bob"]),
        ("platform=instagram,tiktok&category=beauty&country=US", ["tt_carol", "ig_erin", "ig_alice"]),
        # hide_flagged: alice has an image score with anomaly reasons
        ("hide_flagged=true", ["yt_dave", "tt_carol", "ig_erin", "ig_bob"]),
        ("hide_flagged=false&platform=instagram", ["ig_erin", "ig_alice", "ig_bob"]),
        ("hide_flagged=true&audience_country=US", ["tt_carol"]),
        # free text over handle, name and category
        ("q=tec", ["yt_dave"]),
        ("q=FITN", ["ig_bob"]),
        ("q=bea&sort=name&order=asc", ["ig_alice", "tt_carol", "ig_erin"]),
        ("q=ali", ["ig_alice"]),
    ],
)
def test_filter_results(client, auth, world, query, handles):
    assert _handles(client, auth, query) == handles


def test_audience_changes_reach_the_filters_after_apply(client, auth, world):
    """The shares are read from the rollup row (influencer_stats.audience): a write to audience_share queues its
    influencers, and the next apply recomputes their rows; buckets differing only in case count by their largest
    share, and a share of 0 matches only when asked for at least 0 of it (never by "any share")."""
    from predictfluence.queries.rollups import apply

    with world.begin() as conn:
        conn.execute(sa.text("UPDATE audience_share SET share = 0.3 WHERE influencer_id = 1 AND bucket = 'female'"))
        conn.execute(sa.text("INSERT INTO audience_share (influencer_id, dimension, bucket, share) VALUES "
                             "(3, 'gender', 'Female', 0.9), (3, 'gender', 'other', 0)"))
    assert _handles(client, auth, "audience_gender=female&min_audience_gender_share=0.6") == ["ig_alice"]  # not yet
    apply(world)
    assert _handles(client, auth, "audience_gender=female&min_audience_gender_share=0.6") == ["tt_carol"]
    assert _handles(client, auth, "audience_gender=other") == []
    with world.begin() as conn:
        conn.execute(sa.text("DELETE FROM audience_share WHERE influencer_id = 3"))
    apply(world)
    assert _handles(client, auth, "audience_gender=female") == ["ig_alice"]


def test_flag_without_reasons_does_not_hide(client, auth, world):
    with world.begin() as conn:
        conn.execute(sa.text("UPDATE influencer_score SET anomaly_reasons = '[]' WHERE influencer_id = 1"))
    assert _handles(client, auth, "hide_flagged=true&platform=instagram") == ["ig_erin", "ig_alice", "ig_bob"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("platform=instagram,,tiktok", "platform"),
        ("category=" + "x" * 65, "category"),
        ("country=" + ",".join(["US"] * 21), "country"),
        ("min_audience_country_share=0.3", "min_audience_country_share"),
        ("audience_country=US&min_audience_country_share=1.5", "min_audience_country_share"),
        ("audience_gender=female&min_audience_age_group_share=0.2", "min_audience_age_group_share"),
        ("min_growth_30d=abc", "min_growth_30d"),
        ("max_growth_90d=-2", "max_growth_90d"),
        ("hide_flagged=maybe", "hide_flagged"),
        ("language=" + "e" * 33, "language"),
    ],
)
def test_bad_filter_values_are_400_naming_the_field(client, auth, world, query, field):
    response = client.http.get(f"/influencers?{query}", headers=auth["viewer"])
    assert response.status_code == 400, response.body
    assert field in [d["field"] for d in response.json_body["error"]["details"]]


def test_growth_range_upside_down_is_400(client, auth, world):
    response = client.http.get("/influencers?min_growth_30d=0.5&max_growth_30d=0.1", headers=auth["viewer"])
    assert response.status_code == 400
    assert "min_growth_30d must not exceed max_growth_30d" in response.body.decode()
