"""Every row-level rejection reason: the bad row is reported with its line, the good rows load."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.etl.conftest import rows, scalar

METRICS_HEADER = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
GOOD = "instagram,p1,2026-03-02,10,1,0,0,,,\n"
TOMORROW_PLUS_2 = "<database's current_date + 2>"  # replaced in the test by db_today + 2 days


def _rejections(outcome):
    return [(r.line, r.reason, r.column, r.value) for r in outcome.rejections]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("instagram,p1,2026-03-03,ten,1,0,0,,,", (3, "not an integer", "likes", "ten")),
        ("instagram,p1,2026-03-03,1.5,1,0,0,,,", (3, "not a whole number", "likes", "1.5")),
        ("instagram,p1,2026-03-03,-4,1,0,0,,,", (3, "negative count", "likes", "-4")),
        ("instagram,p1,2026-03-03,1,1,0,0,1000000000000,,",
         (3, "absurdly large (more than 12 digits)", "views", "1000000000000")),
        ("instagram,p1,2026-03-03,NaN,1,0,0,,,", (3, "not a finite number", "likes", "NaN")),
        ("instagram,p1,2026-03-03,1,inf,0,0,,,", (3, "not a finite number", "comments", "inf")),
        ("instagram,p1,03/04/2026,1,1,0,0,,,", (3, "not a date (expected YYYY-MM-DD)", "date", "03/04/2026")),
        ("instagram,p1,2026-02-30,1,1,0,0,,,", (3, "not a real calendar day", "date", "2026-02-30")),
        ("instagram,p1,1999-12-31,1,1,0,0,,,",
         (3, "date out of range (before 2000-01-01 or after tomorrow)", "date", "1999-12-31")),
        (f"instagram,p1,{TOMORROW_PLUS_2},1,1,0,0,,,",
         (3, "date out of range (before 2000-01-01 or after tomorrow)", "date", TOMORROW_PLUS_2)),
        ("instagram,nope,2026-03-03,1,1,0,0,,,", (3, "unknown post", "post_id", "instagram/nope")),
        (",p1,2026-03-03,1,1,0,0,,,", (3, "missing value", "platform", None)),
        ("instagram,p1,2026-03-02,11,1,0,0,,,",
         (3, "duplicate post day (first on line 2)", None, "instagram / p1 / 2026-03-02")),
    ],
)
def test_bad_metric_row_is_rejected_and_the_good_row_loads(seeded, load, write_csv, db_today, row, expected):
    day_after_tomorrow = (db_today + dt.timedelta(days=2)).isoformat()
    row = row.replace(TOMORROW_PLUS_2, day_after_tomorrow)
    expected = tuple(day_after_tomorrow if v == TOMORROW_PLUS_2 else v for v in expected)
    outcome = load(write_csv("m.csv", METRICS_HEADER + GOOD + row + "\n"), kind="post_metrics")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 2, 1, 1)
    assert _rejections(outcome) == [expected]
    assert rows(seeded, "SELECT date, likes FROM post_metric_daily") == [(dt.date(2026, 3, 2), 10)]


def test_tomorrow_is_still_in_range(seeded, load, write_csv, db_today):
    tomorrow = (db_today + dt.timedelta(days=1)).isoformat()
    outcome = load(write_csv("m.csv", METRICS_HEADER + f"instagram,p1,{tomorrow},1,1,0,0,,,\n"), kind="post_metrics")
    assert (outcome.rows_loaded, outcome.rows_rejected) == (1, 0)


def test_one_row_with_several_bad_cells_counts_once_and_lists_each_cell(seeded, load, write_csv):
    outcome = load(write_csv("m.csv", METRICS_HEADER + "instagram,p1,2026-03-03,-1,x,,,,,\n"), kind="post_metrics")
    assert (outcome.rows_rejected, outcome.rows_loaded) == (1, 0)
    assert _rejections(outcome) == [(2, "not an integer", "comments", "x"), (2, "negative count", "likes", "-1")]


def test_unknown_influencer_and_campaign(seeded, load, write_csv):
    text = ("platform,post_id,handle,posted_at,content_type,sponsored,campaign\n"
            "instagram,p9,ghost,2026-03-02T10:00:00Z,reel,true,\n"
            "instagram,p8,ana,2026-03-02T10:00:00Z,reel,true,No Such Campaign\n"
            "instagram,p7,ana,2026-03-02T25:00:00Z,reel,maybe,\n")
    outcome = load(write_csv("p.csv", text), kind="posts")
    assert _rejections(outcome) == [
        (2, "unknown influencer", "handle", "instagram/ghost"),
        (3, "unknown campaign", "campaign", "No Such Campaign"),
        (4, "not a timestamp (expected ISO 8601)", "posted_at", "2026-03-02T25:00:00Z"),
        (4, "not a boolean (true/false)", "sponsored", "maybe"),
    ]
    assert scalar(seeded, "SELECT count(*) FROM post") == 3


def test_unknown_dimension_and_share_out_of_range(seeded, load, write_csv):
    text = ("platform,handle,dimension,bucket,share\n"
            "instagram,ana,zodiac,leo,1\n"
            "instagram,ana,gender,female,1.2\n"
            "instagram,ana,country,BR,1\n")
    outcome = load(write_csv("a.csv", text), kind="audience")
    assert _rejections(outcome) == [
        (2, "unknown dimension (expected one of country, age_group, gender)", "dimension", "zodiac"),
        (3, "not a fraction between 0 and 1", "share", "1.2"),
    ]
    assert rows(seeded, "SELECT dimension, bucket, share FROM audience_share") == [("country", "BR", 1.0)]


def test_campaign_checks(seeded, load, write_csv):
    text = ("name,status,start_date,end_date,budget,currency\n"
            "A,running,,,,\n"
            "B,,2026-05-01,2026-04-01,,\n"
            "C,,,,-5,\n"
            "D,,,,10,us1\n"
            "E,active,,,12.5,eur\n")
    outcome = load(write_csv("c.csv", text), kind="campaigns")
    assert _rejections(outcome) == [
        (2, "unknown campaign status (expected one of draft, active, paused, completed, archived)", "status",
         "running"),
        (3, "end_date before start_date", "end_date", "2026-04-01"),
        (4, "negative amount", "budget", "-5"),
        (5, "not a 3-letter currency code", "currency", "US1"),
    ]
    assert rows(seeded, "SELECT name, status, budget, currency FROM campaign WHERE name = 'E'") == [
        ("E", "active", 12.5, "EUR")
    ]


def test_hire_and_conversion_references(seeded, load, write_csv):
    hires = ("campaign,platform,handle,status,agreed_cost\n"
             "Nope,instagram,ana,live,1\n"
             "Launch,instagram,ghost,live,1\n"
             "Launch,instagram,ana,fired,1\n")
    outcome = load(write_csv("h.csv", hires), kind="hires")
    assert _rejections(outcome) == [
        (2, "unknown campaign", "campaign", "Nope"),
        (3, "unknown influencer", "handle", "instagram/ghost"),
        (4, "unknown hire status (expected one of proposed, contracted, live, completed, cancelled)", "status",
         "fired"),
    ]
    conversions = ("campaign,platform,handle,date,clicks,orders,revenue\n"
                   "Launch,tiktok,bo,2026-06-02,1,1,abc\n"
                   "Launch,tiktok,bo,2026-06-03,1,-1,1\n")
    outcome = load(write_csv("c.csv", conversions), kind="conversions")
    assert _rejections(outcome) == [
        (2, "not a number", "revenue", "abc"),
        (3, "negative count", "orders", "-1"),
    ]


def test_line_numbers_count_records_when_cells_hold_newlines(seeded, load, write_csv):
    text = ('platform,handle,name,followers\n'
            'instagram,zed,"Zed\nsecond line",5\n'
            'instagram,yan,Yan,-5\n')
    outcome = load(write_csv("i.csv", text), kind="influencers")
    assert _rejections(outcome) == [(3, "negative count", "followers", "-5")]  # record 2 + header
    assert scalar(seeded, "SELECT name FROM influencer WHERE handle = 'zed'") == "Zed\nsecond line"


def test_report_neutralises_spreadsheet_formulas(seeded, load, write_csv):
    text = METRICS_HEADER + "instagram,p1,2026-03-03,=1+2,1,0,0,,,\n" \
        + "instagram,p1,2026-03-04,-3,1,0,0,,,\n" + "instagram,p1,2026-03-05,1,@x,0,0,,,\n"
    outcome = load(write_csv("m.csv", text), kind="post_metrics")
    report = json.loads(Path(outcome.report_key).read_text())
    assert [(r["line"], r["value"]) for r in report["rejections"]] == [
        (2, "'=1+2"), (3, "'-3"), (4, "'@x"),
    ]
    assert report["reasons"] == {"not an integer": 2, "negative count": 1}
