"""Issue 10.1: nothing streamed into COPY can end the data early while the load reports success.

PostgreSQL (≤ 17) takes an unquoted line holding only `\\.` as the end of CSV COPY data: before the fix a
3-row file with `\\.` after row 1 loaded 1 row and said `loaded 1 of 1`, the other rows neither loaded nor
rejected. Now the line is a rejected row with its line number, the rows after it load, and every COPY's
count is checked against the feed's own count.
"""

from __future__ import annotations

import pytest

from etl_jobs.staging import END_OF_DATA_REASON, CsvFeed
from tests.etl.conftest import rows, scalar

# kind → (header, good row before, good row after, SQL counting the two good rows)
GOOD_ROWS = {
    "influencers": (
        "platform,handle,name,category,country,language,followers",
        "instagram,dot1,Dot One,beauty,BR,pt,100",
        "tiktok,dot2,Dot Two,gaming,US,en,200",
        "SELECT count(*) FROM influencer WHERE handle IN ('dot1', 'dot2')",
    ),
    "campaigns": (
        "name,brand,objective,status,start_date,end_date,budget,currency",
        "Dot A,Lumi,awareness,active,2026-03-01,2026-05-31,100,usd",
        "Dot B,Lumi,awareness,active,2026-03-01,2026-05-31,200,usd",
        "SELECT count(*) FROM campaign WHERE name IN ('Dot A', 'Dot B')",
    ),
    "posts": (
        "platform,post_id,handle,posted_at,content_type,sponsored,campaign",
        "instagram,dp1,ana,2026-03-02T10:00:00Z,reel,false,",
        "tiktok,dp2,bo,2026-03-03T10:00:00Z,video,false,",
        "SELECT count(*) FROM post WHERE external_id IN ('dp1', 'dp2')",
    ),
    "post_metrics": (
        "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions",
        "instagram,p1,2026-03-05,10,1,0,0,,,",
        "tiktok,t1,2026-03-06,20,2,0,0,,,",
        "SELECT count(*) FROM post_metric_daily WHERE date IN ('2026-03-05', '2026-03-06')",
    ),
    "audience": (
        "platform,handle,dimension,bucket,share",
        "instagram,ana,gender,female,1",
        "tiktok,bo,gender,male,1",
        "SELECT count(*) FROM audience_share WHERE dimension = 'gender'",
    ),
    "hires": (
        "campaign,platform,handle,status,agreed_cost,hired_at",
        "Spring Glow,instagram,ana,contracted,100,",
        "Spring Glow,tiktok,bo,contracted,200,",
        "SELECT count(*) FROM campaign_influencer",
    ),
    "conversions": (
        "campaign,platform,handle,date,clicks,orders,revenue",
        "Spring Glow,instagram,ana,2026-03-05,10,1,20",
        "Spring Glow,tiktok,bo,2026-03-06,20,2,40",
        "SELECT count(*) FROM conversion_daily",
    ),
}


@pytest.mark.parametrize("kind", sorted(GOOD_ROWS))
@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_an_end_of_data_line_is_a_rejected_row_and_the_rows_after_it_load(seeded, load, write_csv, kind, eol):
    header, before, after, count_sql = GOOD_ROWS[kind]
    if kind == "conversions":  # conversions need the hires
        hires = GOOD_ROWS["hires"]
        assert load(write_csv("h.csv", "\n".join(hires[:3]) + "\n", "hires")).rows_loaded == 2
    text = eol.join([header, before, "\\.", after]) + eol
    outcome = load(write_csv(f"{kind}.csv", text, kind))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 2, 1)
    assert [(r.line, r.reason, r.column, r.value) for r in outcome.rejections] == [
        (3, END_OF_DATA_REASON, None, "\\.")]
    assert scalar(seeded, count_sql) == 2


def test_profiles_reject_an_end_of_data_line_as_a_short_row(db, load, write_csv):
    text = "Rank,Channel Info,Followers,Avg. Likes,Country\n1,dot1,1.2k,10,US\n\\.\n2,dot2,3k,20,BR\n"
    outcome = load(write_csv("instagram_top.csv", text, "profiles"))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 3, 2)
    assert [(r.line, r.reason) for r in outcome.rejections] == [(3, "row has 1 cells; the header has 5")]


def test_a_quoted_end_of_data_value_inside_a_cell_is_data(seeded, load, write_csv):
    text = ("platform,handle,name,category,country,language,followers\n"
            'instagram,dot1,"two\n\\.\nlines",beauty,BR,pt,100\n'
            "tiktok,dot2,Dot Two,gaming,US,en,200\n")
    outcome = load(write_csv("i.csv", text, "influencers"))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 2)
    assert rows(seeded, "SELECT name FROM influencer WHERE handle = 'dot1'") == [("two\n\\.\nlines",)]


@pytest.mark.parametrize("last", ["\\.", "\\.\n\n\n"])
def test_an_end_of_data_line_at_the_end_of_the_file(seeded, load, write_csv, last):
    text = "platform,handle,name,category,country,language,followers\ninstagram,dot1,D,beauty,BR,pt,100\n" + last
    outcome = load(write_csv("i.csv", text, "influencers"))
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 1)
    assert [(r.line, r.reason) for r in outcome.rejections] == [(3, END_OF_DATA_REASON)]


def test_when_copy_reads_fewer_records_than_the_file_holds_the_file_is_rejected(seeded, load, write_csv,
                                                                                 monkeypatch):
    """The safety net under the rewrite: a COPY that stops early (here: the rewrite switched off) rejects
    the file whole instead of loading the rows before the stop."""
    monkeypatch.setattr(CsvFeed, "_rewrite_markers", lambda self, data, in_quote: data)
    before = scalar(seeded, "SELECT count(*) FROM influencer")
    header, first, second, _ = GOOD_ROWS["influencers"]
    outcome = load(write_csv("i.csv", "\n".join([header, first, "\\.", second]) + "\n", "influencers"))
    assert outcome.status == "rejected"
    assert outcome.message == (
        "file rejected: PostgreSQL's COPY read 1 rows where the file holds 3 records; nothing was loaded")
    assert scalar(seeded, "SELECT count(*) FROM influencer") == before


def test_the_fast_path_checks_copys_count(seeded):
    """post_metrics' fast path COPYs rows it wrote itself; a count mismatch sends the file to the exact path."""
    from etl_jobs.fast_metrics import NotClean, _copy

    with seeded.connect() as conn, conn.begin():
        conn.exec_driver_sql("CREATE TEMP TABLE pf_fast (post_id bigint, date date, likes bigint, comments bigint, "
                             "shares bigint, saves bigint, views bigint, reach bigint, impressions bigint) ON COMMIT DROP")
        with pytest.raises(NotClean, match="COPY read 1 of 3 rows"):
            _copy(conn, "pf_fast", [b"1,2026-03-01,1,1,1,1,,,\n\\.\n", b"1,2026-03-02,1,1,1,1,,,\n"])


@pytest.mark.parametrize(
    ("blocks", "records", "markers"),
    [
        ([b"a,b\n1,2\n\\.\n3,4\n"], 4, [3]),
        ([b"a,b\n1,2\n", b"\\.\n3,4"], 4, [3]),  # across blocks, no final line break
        ([b'a,b\n1,"x\n\\.\ny"\n', b"3,4\n"], 3, []),  # quoted: data
        ([b'a,b\n1,"x\n', b'\\.\ny"\n\\.\n'], 3, [3]),  # the quote opens in an earlier block
        ([b"a,b\r1,2\r\\.\r3,4\r"], 4, [3]),  # CR line breaks
        ([b'a,b\n1,"say ""hi"""\n\\.\n'], 3, [3]),  # doubled quotes inside a quoted cell
    ],
)
def test_the_feed_counts_records_and_finds_unquoted_markers(blocks, records, markers):
    feed = CsvFeed(blocks, 2)
    data = b"".join(feed)
    assert (feed.records, feed.markers) == (records, markers)
    assert data.count(b'"\\.",') == len(markers)
