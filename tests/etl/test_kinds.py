"""Every warehouse kind loads through the real pipeline into PostgreSQL with exact values."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from tests.etl.conftest import rows, scalar

DATA = Path(__file__).resolve().parents[1] / "data" / "etl"
UTC = dt.UTC


def test_influencers(seeded):
    """Categories are filed under the taxonomy (vocab.CATEGORIES); the file's text only differs in case, so no
    category_source is kept."""
    assert rows(seeded, "SELECT platform, handle, name, category, category_source, country, language, followers, "
                        "follower_tier FROM influencer ORDER BY id") == [
        ("instagram", "ana", "Ana Lima", "Beauty", None, "BR", "pt", 12000, "micro"),
        ("tiktok", "bo", "Bo Chen", "Gaming", None, "US", "en", 560000, "macro"),
        ("youtube", "cy", "Cy", "Tech", None, "DE", "de", None, None),
    ]


def test_influencers_update_keeps_values_of_empty_cells_and_missing_columns(seeded, load, write_csv):
    text = "Handle , PLATFORM,followers,category\n ana ,Instagram,13500,\ncy,youtube,2000000,science\n"
    outcome = load(write_csv("update.csv", text, "influencers"))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 2)
    assert rows(seeded, "SELECT handle, name, category, followers, follower_tier FROM influencer "
                        "WHERE handle IN ('ana', 'cy') ORDER BY handle") == [
        ("ana", "Ana Lima", "Beauty", 13500, "micro"),
        ("cy", "Cy", "Science", 2000000, "mega"),
    ]


def test_campaigns(seeded):
    assert rows(seeded, "SELECT name, brand, objective, status, start_date, end_date, budget, currency "
                        "FROM campaign ORDER BY id") == [
        ("Spring Glow", "Lumi", "awareness", "active", dt.date(2026, 3, 1), dt.date(2026, 5, 31),
         Decimal("25000.50"), "USD"),
        ("Launch", "Zed", "conversions", "draft", dt.date(2026, 6, 1), None, Decimal("1000.00"), "USD"),
    ]


def test_posts(seeded):
    assert rows(seeded, "SELECT p.platform, p.external_id, i.handle, p.posted_at, p.content_type, p.sponsored, "
                        "c.name FROM post p JOIN influencer i ON i.id = p.influencer_id "
                        "LEFT JOIN campaign c ON c.id = p.campaign_id ORDER BY p.id") == [
        ("instagram", "p1", "ana", dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), "reel", True, "Spring Glow"),
        ("tiktok", "t1", "bo", dt.datetime(2026, 3, 3, 12, 30, tzinfo=UTC), "video", False, None),
        ("youtube", "y1", "cy", dt.datetime(2026, 3, 4, 0, 0, tzinfo=UTC), "video", False, None),
    ]


def test_post_metrics(seeded, load):
    outcome = load(DATA / "post_metrics.csv", kind="post_metrics")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 3, 0)
    assert rows(seeded, "SELECT p.external_id, m.date, m.likes, m.comments, m.shares, m.saves, m.views, m.reach, "
                        "m.impressions FROM post_metric_daily m JOIN post p ON p.id = m.post_id "
                        "ORDER BY p.external_id, m.date") == [
        ("p1", dt.date(2026, 3, 2), 120, 14, 3, 9, None, 900, 1500),
        ("p1", dt.date(2026, 3, 3), 80, 5, 1, 2, None, 700, 1100),
        ("t1", dt.date(2026, 3, 3), 5000, 320, 150, 40, 90000, 60000, 95000),
    ]


def test_post_metrics_upsert_replaces_the_day(seeded, load, write_csv):
    load(DATA / "post_metrics.csv", kind="post_metrics")
    text = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n" \
           "instagram,p1,2026-03-03,95,6,1,2,,,\n"
    outcome = load(write_csv("fix.csv", text), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)
    assert rows(seeded, "SELECT m.date, m.likes, m.comments, m.reach, m.impressions FROM post_metric_daily m "
                        "JOIN post p ON p.id = m.post_id WHERE p.external_id = 'p1' ORDER BY m.date") == [
        (dt.date(2026, 3, 2), 120, 14, 900, 1500),
        (dt.date(2026, 3, 3), 95, 6, None, None),
    ]


def test_audience_rejects_the_whole_group_that_does_not_sum_to_one(seeded, load):
    outcome = load(DATA / "audience.csv", kind="audience")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 6, 4, 2)
    assert rows(seeded, "SELECT i.handle, a.dimension, a.bucket, a.share FROM audience_share a "
                        "JOIN influencer i ON i.id = a.influencer_id ORDER BY 1, 2, 3") == [
        ("ana", "country", "BR", 0.7),
        ("ana", "country", "US", 0.3),
        ("ana", "gender", "female", 0.62),
        ("ana", "gender", "male", 0.38),
    ]
    assert [(r.line, r.reason, r.column, r.value) for r in outcome.rejections] == [
        (6, "shares of age_group for tiktok/bo sum to 1.0200, not 1 ± 0.01", "share", "0.5"),
        (7, "shares of age_group for tiktok/bo sum to 1.0200, not 1 ± 0.01", "share", "0.52"),
    ]


def test_audience_group_replaces_stored_buckets(seeded, load, write_csv):
    load(DATA / "audience.csv", kind="audience")
    text = "platform,handle,dimension,bucket,share\ninstagram,ana,country,PT,1\n"
    assert load(write_csv("a2.csv", text), kind="audience").rows_loaded == 1
    assert rows(seeded, "SELECT dimension, bucket, share FROM audience_share ORDER BY 1, 2") == [
        ("country", "PT", 1.0), ("gender", "female", 0.62), ("gender", "male", 0.38),
    ]


def test_hires(seeded, load):
    outcome = load(DATA / "hires.csv", kind="hires")
    assert (outcome.status, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 0)
    got = rows(seeded, "SELECT c.name, i.handle, h.status, h.agreed_cost, h.hired_at FROM campaign_influencer h "
                       "JOIN campaign c ON c.id = h.campaign_id JOIN influencer i ON i.id = h.influencer_id "
                       "ORDER BY h.id")
    assert got[0] == ("Spring Glow", "ana", "live", Decimal("1500.00"), dt.datetime(2026, 2, 20, 9, tzinfo=UTC))
    assert got[1][:4] == ("Spring Glow", "bo", "contracted", Decimal("2500.75"))
    assert got[1][4].date() == dt.datetime.now(UTC).date()  # empty hired_at: the load time
    assert got[2] == ("Launch", "ana", "proposed", Decimal("0.00"), dt.datetime(2026, 5, 1, tzinfo=UTC))
    # reloading the same hires (forced) keeps hired_at of the hire whose cell is empty
    first = got[1][4]
    assert load(DATA / "hires.csv", kind="hires", force=True).status == "loaded"
    assert scalar(seeded, "SELECT hired_at FROM campaign_influencer h JOIN influencer i "
                          "ON i.id = h.influencer_id WHERE i.handle = 'bo'") == first


def test_conversions(seeded, load):
    outcome = load(DATA / "conversions.csv", kind="conversions")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 3)
    assert rows(seeded, "SELECT c.name, i.handle, d.date, d.clicks, d.orders, d.revenue FROM conversion_daily d "
                        "JOIN campaign c ON c.id = d.campaign_id JOIN influencer i ON i.id = d.influencer_id "
                        "ORDER BY i.handle, d.date") == [
        ("Spring Glow", "ana", dt.date(2026, 3, 5), 340, 12, Decimal("599.40")),
        ("Spring Glow", "ana", dt.date(2026, 3, 6), 210, 7, Decimal("349.65")),
        ("Spring Glow", "bo", dt.date(2026, 3, 5), 1200, 31, Decimal("0.00")),
    ]


def test_load_row_and_report(seeded, load, tmp_path):
    outcome = load(DATA / "audience.csv", kind="audience")
    assert rows(seeded, "SELECT kind, status, rows_in, rows_loaded, rows_rejected, report_key, error "
                        "FROM etl_load WHERE id = :id", id=outcome.load_id) == [
        ("audience", "loaded", 6, 4, 2, str(tmp_path / "data" / "reports" / "audience" / "audience.csv.json"), None),
    ]
    report = json.loads(Path(outcome.report_key).read_text())
    assert report["rows_rejected"] == 2 and report["status"] == "loaded"
    assert report["rejections"][0] == {
        "line": 6, "reason": "shares of age_group for tiktok/bo sum to 1.0200, not 1 ± 0.01",
        "column": "share", "value": "0.5",
    }


def test_kind_from_header_when_the_key_has_no_prefix(seeded, load, write_csv):
    text = "date,post_id,platform,likes\n2026-03-05,t1,tiktok,7\n"  # any order, subset of columns
    outcome = load(write_csv("whatever.csv", text))
    assert (outcome.kind, outcome.status, outcome.rows_loaded) == ("post_metrics", "loaded", 1)
    assert rows(seeded, "SELECT likes, comments, views FROM post_metric_daily") == [(7, 0, None)]


def test_kind_from_s3_style_key_prefix(seeded, load, write_csv):
    path = write_csv("c.csv", "campaign,platform,handle,date,clicks\nLaunch,tiktok,bo,2026-06-02,3\n")
    outcome = load(path, key="raw/conversions/2026/c.csv")
    assert (outcome.kind, outcome.rows_loaded) == ("conversions", 1)


def test_mapping_renames_headers(seeded, load, write_csv):
    text = "Network,Post,Day,Hearts\ntiktok,t1,2026-03-07,42\n"
    mapping = {"Network": "platform", "Post": "post_id", "Day": "date", "hearts": "likes"}
    outcome = load(write_csv("m.csv", text), kind="post_metrics", mapping=mapping)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)
    assert rows(seeded, "SELECT date, likes FROM post_metric_daily") == [(dt.date(2026, 3, 7), 42)]


def test_extra_columns_are_ignored_with_a_note(seeded, load, write_csv):
    text = "platform,post_id,date,likes,mood\ntiktok,t1,2026-03-07,42,happy\n"
    outcome = load(write_csv("x.csv", text), kind="post_metrics")
    assert outcome.rows_loaded == 1
    assert "ignored unknown column(s): 'mood'" in outcome.message


def test_campaigns_may_be_planned_ahead_but_not_absurdly(seeded, load, write_csv, db_today):
    """A campaign's planned dates may lie in the future (facts may not); ten years ahead is the limit."""
    ahead = db_today + dt.timedelta(days=400)
    text = (
        "name,brand,status,start_date,end_date,budget\n"
        f"Next Year,Lumi,draft,{ahead.isoformat()},{(ahead + dt.timedelta(days=30)).isoformat()},5000\n"
        "Far Future,Lumi,draft,2199-01-01,,10\n"
    )
    outcome = load(write_csv("planned.csv", text, "campaigns"))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 1)
    assert [(r.line, r.column, r.reason) for r in outcome.rejections] == [
        (3, "start_date", "date out of range (before 2000-01-01 or more than 10 years ahead)")
    ]
    assert rows(seeded, "SELECT start_date, budget FROM campaign WHERE name = 'Next Year'") == [
        (ahead, Decimal("5000.00"))
    ]
