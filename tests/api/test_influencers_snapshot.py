"""Imported creators (issue 12.5): figures from the latest snapshot when there are no post metrics.

The acceptance check loads the real top-200 Instagram list through the ETL's profiles kind and reads
cristiano back from GET /influencers and GET /influencers/{id}.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

REAL_DATASET = Path(__file__).resolve().parents[3] / "shared" / "data" / "top_insta_influencers_data.csv"


def _get(client, path, headers):
    response = client.http.get(path, headers=headers)
    assert response.status_code == 200, response.body
    return response.json_body


def _add_snapshot_only_creators(db) -> None:
    """Two creators with snapshots and no posts (one with two snapshots), on top of the known dataset."""
    from predictfluence.queries.rollups import refresh

    with db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO influencer (id, platform, handle, name, followers) OVERRIDING SYSTEM VALUE "
                "VALUES (10, 'tiktok', 'tt_snap', 'Snap S', NULL), (11, 'instagram', 'ig_snap', NULL, 900000)"
            )
        )
        conn.execute(
            sa.text(
                """INSERT INTO influencer_snapshot (influencer_id, as_of, source, followers, posts, avg_likes,
               avg_views, engagement_rate, extra) VALUES
               (10, DATE '2026-09-01', 'tiktok_sept', 300000, 40, 9000, 120000, 0.05, '{"avg_comments": 150}'),
               (10, DATE '2026-10-01', 'tiktok_oct', 320000, 44, 11000, 150000, 0.06, '{"avg_comments": 210}'),
               (11, DATE '2026-10-01', 'ig_oct', 900000, 500, 20000, NULL, 0.0125, '{"avg_comments": "n/a"}')"""
            )
        )
    refresh(db, concurrently=False)


def test_snapshot_only_creators_get_the_latest_snapshot_figures(client, auth, dataset):
    _add_snapshot_only_creators(dataset)
    body = _get(client, "/influencers?q=snap&sort=avg_er", auth["viewer"])
    tt, ig = body["items"]
    assert (
        tt["handle"],
        tt["followers"],
        tt["posts"],
        tt["avg_engagement_rate"],
        tt["avg_likes"],
        tt["avg_views"],
        tt["avg_comments"],
    ) == ("tt_snap", 320000, 0, 0.06, 11000.0, 150000.0, 210.0)
    assert (tt["figures_source"], tt["snapshot_source"], tt["snapshot_as_of"], tt["snapshot_posts"]) == (
        "snapshot",
        "tiktok_oct",
        "2026-10-01",
        44,
    )
    assert (ig["avg_engagement_rate"], ig["avg_views"], ig["avg_comments"], ig["figures_source"]) == (
        0.0125,
        None,
        None,
        "snapshot",
    )
    # a creator with measured posts keeps its post figures, though it has snapshots too
    alice = _get(client, "/influencers?q=ig_alice", auth["viewer"])["items"][0]
    assert (alice["figures_source"], alice["avg_likes"], alice["snapshot_as_of"]) == ("posts", 1500.0, None)


@pytest.mark.parametrize(
    ("query", "handles"),
    [
        ("figures_source=snapshot", ["ig_snap", "tt_snap"]),
        ("figures_source=posts&sort=name&order=asc", ["ig_alice", "ig_bob", "tt_carol"]),
        ("min_er=0.05&sort=avg_er", ["ig_alice", "tt_carol", "tt_snap", "ig_bob"]),
        ("min_er=0.01&max_er=0.02", ["ig_snap"]),
        ("min_avg_likes=10000&sort=avg_likes", ["ig_snap", "tt_snap"]),
        ("min_avg_comments=200&figures_source=snapshot", ["tt_snap"]),
        ("sort=avg_comments&figures_source=snapshot", ["tt_snap", "ig_snap"]),
    ],
)
def test_snapshot_figures_filter_and_sort_like_post_figures(client, auth, dataset, query, handles):
    _add_snapshot_only_creators(dataset)
    body = _get(client, f"/influencers?{query}", auth["viewer"])
    assert [i["handle"] for i in body["items"]] == handles
    assert body["page_info"]["total"] == len(handles)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("min_er=0.5&max_er=0.1", "min_er"),
        ("max_er=2", "max_er"),
        ("figures_source=guess", "figures_source"),
        ("min_avg_likes=-1", "min_avg_likes"),
    ],
)
def test_bad_figure_filters_are_400_naming_the_field(client, auth, dataset, query, field):
    response = client.http.get(f"/influencers?{query}", headers=auth["viewer"])
    assert response.status_code == 400
    assert field in response.body.decode()


def test_profile_of_snapshot_only_creator_has_history_and_sources(client, auth, dataset):
    _add_snapshot_only_creators(dataset)
    body = _get(client, "/influencers/10", auth["viewer"])
    assert (body["followers"], body["followers_source"], body["figures_source"], body["snapshot_as_of"]) == (
        320000,
        "snapshot",
        "snapshot",
        "2026-10-01",
    )
    assert [
        (s["as_of"], s["source"], s["followers"], s["engagement_rate"], s["avg_comments"])
        for s in body["snapshots"]
    ] == [
        ("2026-09-01", "tiktok_sept", 300000, 0.05, 150.0),
        ("2026-10-01", "tiktok_oct", 320000, 0.06, 210.0),
    ]
    alice = _get(client, "/influencers/1", auth["viewer"])
    assert (alice["figures_source"], alice["followers_source"], len(alice["snapshots"])) == (
        "posts",
        "profile",
        2,
    )
    assert alice["scores"][0]["cost_per_post"] is None


def test_real_top_instagram_list_cristiano_shows_snapshot_figures(client, auth, api_db):
    """Acceptance (issue 12.5.6): the real list through the ETL; ER 1.39 %, 8.7 M likes, 475.8 M followers."""
    from etl_jobs.base import SourceFile
    from etl_jobs.kinds.profiles import loader
    from predictfluence.queries.rollups import refresh

    with api_db.begin() as conn:
        result = loader.load(conn, SourceFile(REAL_DATASET, str(REAL_DATASET), None))
    assert result.rows_loaded == 199
    refresh(api_db, concurrently=False)
    items = _get(client, "/influencers?q=cristiano", auth["viewer"])["items"]
    (row,) = [i for i in items if i["handle"] == "cristiano"]
    today = dt.datetime.now(dt.UTC).date().isoformat()  # the file has no date: as of the load
    expected = {
        "followers": 475_800_000,
        "avg_engagement_rate": pytest.approx(0.0139),
        "avg_likes": 8_700_000.0,
        "figures_source": "snapshot",
        "snapshot_source": "file:top_insta_influencers_data",
        "snapshot_as_of": today,
        "snapshot_posts": 3_300,
    }
    assert {k: row[k] for k in expected} == expected
    profile = _get(client, f"/influencers/{row['id']}", auth["viewer"])
    assert {k: profile[k] for k in expected} == expected
    assert len(profile["snapshots"]) == 1


def test_profile_gives_the_imported_files_own_category_and_country_text(client, auth, api_db, tmp_path):
    """Issue 12 follow-up 2: GET /influencers/{id} returns category_source / country_source, the file's
    text when it said more than the normalised value, else null."""
    from etl_jobs.base import SourceFile
    from etl_jobs.kinds.profiles import loader

    path = tmp_path / "instagram_sources.csv"
    path.write_text(
        "Username,Category,Country,Followers\n@SrcOne,Beauty & Fashion,Estados Unidos,1.2M\nsrc_two,beauty,us,900\n",
        encoding="utf-8",
    )
    mapping = {"Username": "handle", "Category": "category", "Country": "country", "Followers": "followers"}
    with api_db.begin() as conn:
        assert (
            loader.load(conn, SourceFile(path, "raw/profiles/instagram_sources.csv", mapping)).rows_loaded
            == 2
        )
        ids = dict(conn.execute(sa.text("SELECT handle, id FROM influencer WHERE handle LIKE 'src%'")).all())
    fields = ("handle", "category", "category_source", "country", "country_source")
    one = _get(client, f"/influencers/{ids['srcone']}", auth["viewer"])
    assert tuple(one[k] for k in fields) == ("srcone", "Beauty", "Beauty & Fashion", "US", "Estados Unidos")
    two = _get(client, f"/influencers/{ids['src_two']}", auth["viewer"])
    assert tuple(two[k] for k in fields) == ("src_two", "Beauty", None, "US", None)
