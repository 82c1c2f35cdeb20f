"""The real top-200 Instagram dataset loads as is through the profiles kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl_jobs.kinds.profiles import loader

from .conftest import REAL_DATASET, LoadProfiles

SQL = sa.text(
    """
    SELECT i.platform, i.handle, i.name, i.category, i.country, i.followers, i.follower_tier,
           s.as_of, s.source, s.followers AS snap_followers, s.posts, s.avg_likes, s.avg_views,
           s.engagement_rate, s.extra
    FROM influencer i JOIN influencer_snapshot s ON s.influencer_id = i.id
    WHERE i.handle = :handle
    """
)


def _row(db: Engine, handle: str) -> dict[str, Any]:
    with db.connect() as conn:
        return dict(conn.execute(SQL, {"handle": handle}).mappings().one())


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def test_real_dataset_loads_all_rows(db: Engine, load_profiles: LoadProfiles) -> None:
    result = load_profiles(REAL_DATASET)

    assert (result.rows_in, result.rows_loaded, result.rejections) == (199, 199, [])
    assert result.notes == [
        "header 'Avg Like' also matches 'avg_likes'; 'Avg likes' is used and 'Avg Like' is kept in extra as "
        "'new_post_avg_likes'",
        "platform 'instagram' taken from the file name",
        "line 133, column 'Country': repaired mis-encoded text \"CÃ´te d'Ivoire\" → \"Côte d'Ivoire\"",
    ]
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one() == 199
        assert conn.execute(sa.text("SELECT count(*) FROM influencer_snapshot")).scalar_one() == 199
        ranks = conn.execute(
            sa.text("SELECT array_agg((extra->>'rank')::int ORDER BY 1) FROM influencer_snapshot")
        )
        assert sorted(ranks.scalar_one()) == [r for r in range(1, 201) if r != 96]
        platforms = conn.execute(sa.text("SELECT DISTINCT platform FROM influencer")).scalars().all()
        assert platforms == ["instagram"]
        # The BOM did not leak into the first header: every snapshot has a clean "rank" key.
        keys = conn.execute(
            sa.text("SELECT DISTINCT jsonb_object_keys(extra) FROM influencer_snapshot ORDER BY 1")
        )
        assert keys.scalars().all() == ["influence_score", "new_post_avg_likes", "rank", "total_likes"]

    assert _row(db, "cristiano") == {
        "platform": "instagram",
        "handle": "cristiano",
        "name": None,
        "category": None,
        "country": "ES",  # ISO 3166 (issue 12.4)
        "followers": 475_800_000,
        "follower_tier": "mega",
        "as_of": _today(),
        "source": "file:top_insta_influencers_data",
        "snap_followers": 475_800_000,
        "posts": 3_300,
        "avg_likes": 8_700_000.0,
        "avg_views": None,
        "engagement_rate": 0.0139,
        "extra": {
            "rank": 1,
            "influence_score": 92,
            "new_post_avg_likes": 6_500_000,
            "total_likes": 29_000_000_000,
        },
    }
    messi = _row(db, "leomessi")
    assert messi["country"] is None  # "unknown"
    assert (messi["followers"], messi["posts"], messi["avg_likes"], messi["engagement_rate"]) == (
        357_300_000,
        890,  # 0.89k
        6_800_000.0,
        0.0124,
    )
    assert messi["extra"] == {
        "rank": 3,
        "influence_score": 90,
        "new_post_avg_likes": 4_400_000,
        "total_likes": 6_000_000_000,
    }
    hrithik = _row(db, "hrithikroshan")
    assert hrithik["country"] == "CI"  # Côte d'Ivoire as ISO 3166
    assert (hrithik["followers"], hrithik["posts"], hrithik["engagement_rate"]) == (43_700_000, 580, 0.0382)

    therock = _row(db, "therock")
    assert (therock["avg_likes"], therock["engagement_rate"], therock["extra"]["new_post_avg_likes"]) == (
        1_900_000.0,
        0.002,
        665_300,
    )
    rkive = _row(db, "rkive")  # "0%" and an "Avg Like" of 0
    assert (rkive["posts"], rkive["engagement_rate"], rkive["extra"]["new_post_avg_likes"]) == (110, 0.0, 0)
    assert _row(db, "j.m")["engagement_rate"] == 0.2641
    last = _row(db, "raisa6690")
    assert (last["followers"], last["posts"], last["avg_likes"], last["country"]) == (
        32_800_000,
        4_200,
        232_200.0,
        "ID",  # Indonesia as ISO 3166
    )
    assert _row(db, "5-minute crafts girly")["followers"] is not None  # spaces kept; case-folded (issue 12.4)


def test_reload_is_an_upsert(db: Engine, load_profiles: LoadProfiles) -> None:
    load_profiles(REAL_DATASET)
    again = load_profiles(REAL_DATASET)
    assert (again.rows_in, again.rows_loaded, again.rejections) == (199, 199, [])
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one() == 199
        assert conn.execute(sa.text("SELECT count(*) FROM influencer_snapshot")).scalar_one() == 199


def test_existing_values_are_not_blanked(db: Engine, load_profiles: LoadProfiles) -> None:
    with db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO influencer (platform, handle, name, category, country, followers) "
                "VALUES ('instagram', 'leomessi', 'Lionel Messi', 'Sports', 'Argentina', 1000)"
            )
        )
    load_profiles(REAL_DATASET)
    messi = _row(db, "leomessi")
    # The file's country is "unknown": the known country stays; followers are refreshed.
    assert (messi["name"], messi["category"], messi["country"], messi["followers"]) == (
        "Lionel Messi",
        "Sports",
        "Argentina",
        357_300_000,
    )
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one() == 199


def test_header_detection() -> None:
    with REAL_DATASET.open(encoding="utf-8-sig") as f:
        header = f.readline().strip().split(",")
    assert loader.matches_header(header)
    assert loader.matches_header(["\ufeffrank", *header[1:]])
    assert not loader.matches_header(
        ["platform", "handle", "name", "category", "country", "language", "followers"]
    )
    assert not loader.matches_header(["platform", "post_id", "date", "likes", "comments"])
    assert loader.matches_header(["Channel", "Subscribers", "Views avg."])
