"""The post_metrics fast path (stream + COPY) gives exactly the set-based path's results."""

from __future__ import annotations

import datetime as dt

import pytest

from etl_jobs import fast_metrics
from tests.etl.conftest import rows

HEADER = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"


def _metrics(db):
    return rows(db, "SELECT p.external_id, m.date::text, m.likes, m.comments, m.views FROM post_metric_daily m "
                    "JOIN post p ON p.id = m.post_id ORDER BY 1, 2")


def test_new_and_existing_posts_in_one_file(seeded, load, write_csv, fast_calls):
    load(write_csv("a.csv", HEADER + "instagram,p1,2026-03-02,1,1,1,1,,,\n"), kind="post_metrics")
    text = HEADER + ("tiktok,t1,2026-03-02,7,0,0,0,70,,\n"          # new post: COPYed straight in
                     "instagram,p1,2026-03-02,2,1,1,1,,,\n"          # existing day changes: spooled, upserted
                     "instagram,p1,2026-03-03,3,0,0,0,,,\n"          # existing post, new day
                     "tiktok,t1,2026-03-03,8,0,0,0,80,,\n")
    outcome = load(write_csv("b.csv", text), kind="post_metrics")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 4, 4)
    assert fast_calls == [True, True]
    assert _metrics(seeded) == [
        ("p1", "2026-03-02", 2, 1, None), ("p1", "2026-03-03", 3, 0, None),
        ("t1", "2026-03-02", 7, 0, 70), ("t1", "2026-03-03", 8, 0, 80),
    ]


def test_reload_writes_only_changed_rows(seeded, load, write_csv, fast_calls):
    first = HEADER + "instagram,p1,2026-03-02,1,1,1,1,,,\ninstagram,p1,2026-03-03,5,1,1,1,,,\n"
    load(write_csv("a.csv", first), kind="post_metrics")
    before = dict(rows(seeded, "SELECT date::text, xmin::text FROM post_metric_daily"))
    second = HEADER + "instagram,p1,2026-03-02,1,1,1,1,,,\ninstagram,p1,2026-03-03,6,1,1,1,,,\n"
    outcome = load(write_csv("b.csv", second), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 2)
    assert fast_calls == [True, True]
    after = dict(rows(seeded, "SELECT date::text, xmin::text FROM post_metric_daily"))
    assert after["2026-03-02"] == before["2026-03-02"]  # unchanged: not rewritten
    assert after["2026-03-03"] != before["2026-03-03"]
    assert _metrics(seeded) == [("p1", "2026-03-02", 1, 1, None), ("p1", "2026-03-03", 6, 1, None)]


@pytest.mark.parametrize("existing", [False, True], ids=["first-load", "reload"])
def test_duplicate_inside_a_clean_looking_file_falls_back_and_is_reported(
    seeded, load, write_csv, fast_calls, existing
):
    if existing:
        load(write_csv("a.csv", HEADER + "instagram,p1,2026-03-01,1,1,1,1,,,\n"), kind="post_metrics")
    text = HEADER + "instagram,p1,2026-03-02,1,1,1,1,,,\ninstagram,p1,2026-03-02,9,1,1,1,,,\n"
    outcome = load(write_csv("b.csv", text), kind="post_metrics")
    assert fast_calls[-1] is False
    assert [(r.line, r.reason) for r in outcome.rejections] == [(3, "duplicate post day (first on line 2)")]
    assert rows(seeded, "SELECT likes FROM post_metric_daily WHERE date = '2026-03-02'") == [(1,)]


@pytest.mark.parametrize(
    "row",
    [
        "Instagram,p1,2026-03-02,1,1,1,1,,,",        # upper-case platform: the exact path normalises it
        "instagram, p1 ,2026-03-02,1,1,1,1,,,",      # spaces: trimmed by the exact path
        '"instagram","p1","2026-03-02",1,1,1,1,,,',  # quoted cells
        "instagram,p1,2026-03-02,,1,1,1,,,",         # empty likes: 0 on the exact path
    ],
)
def test_unusual_but_valid_rows_load_through_the_exact_path(seeded, load, write_csv, fast_calls, row):
    outcome = load(write_csv("m.csv", HEADER + row + "\n"), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded, fast_calls) == ("loaded", 1, [False])
    assert rows(seeded, "SELECT date, comments FROM post_metric_daily") == [(dt.date(2026, 3, 2), 1)]


def test_file_without_final_newline_and_crlf(seeded, load, write_csv, fast_calls):
    text = HEADER.replace("\n", "\r\n") + "instagram,p1,2026-03-02,4,1,1,1,,,\r\ninstagram,p1,2026-03-03,5,1,1,1,,,"
    outcome = load(write_csv("m.csv", text), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded, fast_calls) == ("loaded", 2, [True])
    assert rows(seeded, "SELECT likes FROM post_metric_daily ORDER BY date") == [(4,), (5,)]


_TABLE_READS = ("SELECT CASE WHEN relname = 'post' THEN 'post' ELSE 'post_metric_daily' END, sum(seq_tup_read), "
                "sum(coalesce(idx_scan, 0)), sum(coalesce(idx_tup_fetch, 0)) FROM pg_stat_xact_user_tables "
                "WHERE relname = 'post' OR relname LIKE 'post_metric_daily%' GROUP BY 1")  # partitions summed


def test_a_load_reads_only_the_files_posts_not_the_whole_post_dimension(seeded, load, write_csv, monkeypatch):
    """Issue 16.8: the fast path resolved its keys from a map of EVERY post (and probed post_metric_daily
    for each), a cost that grew with the warehouse, not the file. Counted by this transaction's table
    statistics around the fast path (pg_stat_xact_user_tables), not by time. And a daily delta (a new day
    for posts that have earlier metrics) cannot collide: it is COPYed straight in, not staged."""
    with seeded.begin() as conn:  # 3,000 more posts with a day of metrics each
        conn.exec_driver_sql(
            "INSERT INTO post (platform, external_id, influencer_id, posted_at, content_type) "
            "SELECT 'instagram', 'bulk' || g, (SELECT id FROM influencer WHERE handle = 'ana'), "
            "'2026-03-01', 'reel' FROM generate_series(1, 3000) g")
        conn.exec_driver_sql("INSERT INTO post_metric_daily (post_id, date, likes) "
                             "SELECT id, '2026-03-01', 1 FROM post WHERE external_id LIKE 'bulk%'")
    calls = []
    real = fast_metrics.try_fast_load

    def counted(conn, source):
        before = {r[0]: r[1:] for r in conn.exec_driver_sql(_TABLE_READS)}
        result = real(conn, source)
        after = {r[0]: r[1:] for r in conn.exec_driver_sql(_TABLE_READS)}
        staged = conn.exec_driver_sql("SELECT count(*) FROM pf_fast").scalar_one()  # dropped at commit
        calls.append(({t: [int(a - b) for a, b in zip(after[t], before.get(t, (0, 0, 0)), strict=True)]
                       for t in after}, staged))
        return result

    monkeypatch.setattr("etl_jobs.kinds.post_metrics.try_fast_load", counted)
    text = HEADER + ("instagram,p1,2026-03-02,1,1,1,1,,,\n"        # a post without metrics
                     "instagram,bulk7,2026-03-01,5,0,0,0,,,\n"     # a stored day changes: upserted
                     "instagram,bulk7,2026-03-02,2,0,0,0,,,\n")
    outcome = load(write_csv("m.csv", text), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded, outcome.rows_rejected) == ("loaded", 3, 0)
    counts, staged = calls[0]
    post_seq_rows, _, post_fetched = counts["post"]
    assert post_seq_rows == 0 and post_fetched <= 4, counts  # two posts resolved by index, not 3,003 read
    metric_seq_rows, metric_probes, _ = counts["post_metric_daily"]
    assert metric_seq_rows == 0 and metric_probes <= 12, counts  # has-metrics probes of two posts, the upsert's
    assert staged == 2  # bulk7's rows: it has metrics on a day of the file
    delta = HEADER + "instagram,bulk7,2026-03-03,3,0,0,0,,,\ninstagram,bulk8,2026-03-03,4,0,0,0,,,\n"
    assert load(write_csv("d.csv", delta), kind="post_metrics").rows_loaded == 2
    assert calls[1][1] == 0  # a new day: straight in, although both posts have metrics
    assert rows(seeded, "SELECT p.external_id, m.date::text, m.likes FROM post_metric_daily m JOIN post p "
                        "ON p.id = m.post_id WHERE p.external_id IN ('p1', 'bulk7', 'bulk8') ORDER BY 1, 2") == [
        ("bulk7", "2026-03-01", 5), ("bulk7", "2026-03-02", 2), ("bulk7", "2026-03-03", 3),
        ("bulk8", "2026-03-01", 1), ("bulk8", "2026-03-03", 4), ("p1", "2026-03-02", 1)]
