"""Features as of a cutoff: exact values from hand-made rows, and nothing from on/after the cutoff."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from predictfluence_ml.dataset import window_examples
from predictfluence_ml.features import discover_spec, scoring_matrix

CUTOFF = dt.date(2026, 10, 1)


def _at(days: int) -> dt.datetime:
    return dt.datetime.combine(CUTOFF, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=days)


@pytest.fixture()
def one_creator(db: Engine) -> int:
    with db.begin() as conn:
        iid = conn.execute(
            sa.text(
                "INSERT INTO influencer (platform, handle, category, country, followers) "
                "VALUES ('instagram', 'ana', 'Beauty', 'US', 10000) RETURNING id"
            )
        ).scalar_one()
        posts = {}
        for name, days, ctype, sponsored in (
            ("p1", -10, "reel", False),
            ("p2", -60, "image", True),
            ("p3", 2, "reel", False),
        ):
            posts[name] = conn.execute(
                sa.text(
                    "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type, sponsored) "
                    "VALUES ('instagram', :x, :i, :t, :c, :s) RETURNING id"
                ),
                {"x": name, "i": iid, "t": _at(days), "c": ctype, "s": sponsored},
            ).scalar_one()
        metrics = [
            ("p1", -10, 300, 20, 5, 5),
            ("p1", -9, 100, 10, 0, 0),
            ("p1", 1, 1000, 0, 0, 0),  # on/after the cutoff: invisible to features
            ("p2", -60, 180, 10, 5, 5),
            ("p3", 2, 500, 50, 0, 0),
        ]
        for name, days, likes, comments, shares, saves in metrics:
            conn.execute(
                sa.text(
                    "INSERT INTO post_metric_daily (post_id, date, likes, comments, shares, saves) "
                    "VALUES (:p, :d, :l, :c, :sh, :sv)"
                ),
                {
                    "p": posts[name],
                    "d": (CUTOFF + dt.timedelta(days=days)),
                    "l": likes,
                    "c": comments,
                    "sh": shares,
                    "sv": saves,
                },
            )
        for dim, bucket, share in (
            ("country", "US", 0.6),
            ("country", "other", 0.4),
            ("age_group", "18-24", 0.7),
            ("age_group", "25-34", 0.3),
            ("gender", "female", 0.8),
            ("gender", "male", 0.2),
        ):
            conn.execute(
                sa.text("INSERT INTO audience_share VALUES (:i, :d, :b, :s)"),
                {"i": iid, "d": dim, "b": bucket, "s": share},
            )
        for days, followers in ((-80, 9000), (-5, 10000), (1, 20000)):
            conn.execute(
                sa.text(
                    "INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers) "
                    "VALUES (:i, :d, 'test', :f)"
                ),
                {"i": iid, "d": CUTOFF + dt.timedelta(days=days), "f": followers},
            )
    return iid


def test_features_use_only_data_before_the_cutoff(db: Engine, one_creator: int) -> None:
    with db.connect() as conn:
        spec = discover_spec(conn)
        matrix = scoring_matrix(conn, spec, CUTOFF)
    assert spec.age_buckets == ("18-24", "25-34") and spec.gender_buckets == ("female", "male")
    assert matrix.ids.tolist() == [one_creator, one_creator]
    assert matrix.cat.tolist() == [
        ["instagram", "Beauty", "US", "micro", "image"],
        ["instagram", "Beauty", "US", "micro", "reel"],
    ]
    names = spec.numeric
    reel = dict(zip(names, matrix.num[1].tolist(), strict=True))
    image = dict(zip(names, matrix.num[0].tolist(), strict=True))
    expected = {
        "log_followers": math.log(10000),
        "posts_per_week": 2 / (90 / 7),
        "er_30": 440 / 10000,  # p1 only, its day-after-cutoff row excluded
        "er_90": (440 + 200) / 2 / 10000,
        "likes_per_comment": (300 + 100 + 180) / (20 + 10 + 10),
        "sponsored_share": 0.5,
        "days_since_last_post": 10.0,
        "top_country_share": 0.6,
        "follower_growth_90": 10000 / 9000 - 1,
        "age_18-24": 0.7,
        "age_25-34": 0.3,
        "gender_female": 0.8,
        "gender_male": 0.2,
        "er_ct_30": 0.044,
        "er_ct_90": 0.044,
        "posts_ct_90": 1.0,
        "ct_share_90": 0.5,
    }
    assert reel == pytest.approx(expected, rel=1e-9)
    assert image["er_ct_90"] == pytest.approx(0.02)
    assert np.isnan(image["er_ct_30"])
    assert image["posts_ct_90"] == 1.0


def test_target_window_examples(db: Engine, one_creator: int) -> None:
    with db.connect() as conn:
        spec = discover_spec(conn)
        ds = window_examples(
            conn, spec, CUTOFF, CUTOFF + dt.timedelta(days=30), CUTOFF + dt.timedelta(days=37)
        )
    assert ds.X.ids.tolist() == [one_creator]
    assert ds.X.content_type.tolist() == ["reel"]
    assert ds.y.tolist() == pytest.approx([550 / 10000])
    assert ds.posts.tolist() == [1.0]
    er_30 = ds.X.num[0, spec.numeric.index("er_30")]
    assert er_30 == pytest.approx(0.044)  # the target post is not in its own features


def _same_tables(conn: sa.Connection, spec, cutoff: dt.date, ids) -> None:
    from predictfluence_ml.features import content_table, influencer_table

    fast, rows = (
        influencer_table(conn, spec, cutoff, ids),
        influencer_table(conn, spec, cutoff, ids, as_rows=True),
    )
    assert np.array_equal(fast.ids, rows.ids) and fast.cat.tolist() == rows.cat.tolist()
    assert np.array_equal(fast.followers, rows.followers)
    assert np.array_equal(fast.num, rows.num, equal_nan=True) and fast.num.shape == rows.num.shape
    assert content_table(conn, cutoff, ids) == content_table(conn, cutoff, ids, as_rows=True)


def test_features_read_as_one_value_equal_the_rows_through_the_driver(db: Engine, warehouse) -> None:
    """read_columns (one string_agg split here) gives the floats pg8000 gives row by row — float8, numeric
    (posts per week, sponsored share, days since the last post) and NULLs — and falls back to the rows
    when a text value holds its separator."""
    from predictfluence_ml._sql import SEPARATOR
    from predictfluence_ml.dataset import data_bounds

    with db.connect() as conn:
        spec, cutoff = discover_spec(conn), data_bounds(conn)[1]
        _same_tables(conn, spec, cutoff, None)
        _same_tables(conn, spec, cutoff, (20, 90))
        _same_tables(conn, spec, cutoff, (10**9, 10**9 + 1))  # no one
        assert np.isnan(scoring_matrix(conn, spec, cutoff).num).any()
    with db.begin() as conn:
        conn.execute(
            sa.text("UPDATE influencer SET category = :c WHERE id = 30"), {"c": f"odd{SEPARATOR}one"}
        )
    with db.connect() as conn:
        _same_tables(conn, spec, cutoff, None)
        from predictfluence_ml.features import influencer_table

        assert f"odd{SEPARATOR}one" in influencer_table(conn, spec, cutoff).cat[:, 1].tolist()
