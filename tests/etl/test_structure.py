"""Structurally broken files are rejected whole with a clear reason; nothing of them is loaded."""

from __future__ import annotations

import codecs
import gzip

import pytest

from tests.etl.conftest import rows, scalar

HEADER = "platform,post_id,date,likes,comments,shares,saves,views,reach,impressions\n"
ROW = "instagram,p1,2026-03-02,10,1,0,0,,,\n"


def _assert_rejected(db, outcome, reason_part: str):
    assert outcome.status == "rejected", outcome
    assert reason_part in outcome.message
    assert scalar(db, "SELECT count(*) FROM post_metric_daily") == 0
    assert rows(db, "SELECT status, error IS NOT NULL FROM etl_load WHERE id = :id", id=outcome.load_id) == [
        ("rejected", True)
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\n\r\n  \n", "the file is empty"),
        (gzip.compress((HEADER + ROW).encode()), "the file is gzip-compressed; upload the uncompressed CSV"),
        ((HEADER + "instagram,p1,2026-03-02,10,1,0,0,,,caf\xe9\n").encode("latin-1"),
         "the file is not valid UTF-8 (byte 0xe9 on line 2); save it as UTF-8"),
        ((HEADER + ROW).encode() + b"\x00\x00", "the file contains NUL bytes (line 3)"),
        ((HEADER + ROW + 'instagram,p1,2026-03-03,"10,1\n').encode(), "the file is not well-formed CSV"),
        ((HEADER + ROW + "instagram,p1,2026-03-0").encode(), "line 3: missing data for column"),
        ((HEADER + ROW + "instagram,p1,2026-03-03,1,1,0,0,,,,9\n").encode(),
         "line 3: extra data after last expected column"),
        ((HEADER + ROW).encode()[:-2] + "é".encode()[:1], "ends in the middle of a UTF-8 character"),
        (b"platform,post_id,likes\ninstagram,p1,3\n", "missing required column for post_metrics: date"),
        (b"instagram,p1,2026-03-02,10,1,0,0,,,\n", "no header row"),
    ],
)
def test_rejected_whole(seeded, load, write_csv, content, reason):
    outcome = load(write_csv("bad.csv", content), kind="post_metrics")
    _assert_rejected(seeded, outcome, reason)


def test_no_header_detected_without_a_kind(seeded, load, write_csv):
    outcome = load(write_csv("bad.csv", ROW * 2))
    _assert_rejected(seeded, outcome, "no header row: the first line looks like data, not column names")


def test_unknown_kind_names_the_known_kinds(seeded, load, write_csv):
    outcome = load(write_csv("x.csv", "colour,size\nred,3\n"))
    _assert_rejected(seeded, outcome, "matches no known kind; known kinds: influencers, campaigns, posts")
    outcome = load(write_csv("y.csv", HEADER + ROW), key="raw/tweets/y.csv")
    _assert_rejected(seeded, outcome, "unknown kind 'tweets' in the key 'raw/tweets/y.csv'; known kinds: influencers")
    outcome = load(write_csv("z.csv", HEADER + ROW), kind="nope")
    _assert_rejected(seeded, outcome, "unknown kind 'nope'; known kinds:")


def test_a_rejected_file_is_recorded_once(seeded, load, write_csv):
    path = write_csv("bad.csv", b"")
    first = load(path, kind="post_metrics")
    second = load(path, kind="post_metrics")
    assert first.load_id == second.load_id
    assert scalar(seeded, "SELECT count(*) FROM etl_load WHERE status = 'rejected'") == 1


def test_header_only_loads_zero_rows(seeded, load, write_csv):
    outcome = load(write_csv("h.csv", HEADER), kind="post_metrics")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 0, 0)


def test_utf8_bom_is_handled(seeded, load, write_csv):
    outcome = load(write_csv("bom.csv", codecs.BOM_UTF8 + (HEADER + ROW).encode()))
    assert (outcome.kind, outcome.status, outcome.rows_loaded) == ("post_metrics", "loaded", 1)


def test_utf16_with_bom_is_transcoded(seeded, load, write_csv):
    text = "platform,handle,name\r\ninstagram,zoë,Zoë Ünal\r\n"
    outcome = load(write_csv("u16.csv", text.encode("utf-16")), kind="influencers")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)
    assert rows(seeded, "SELECT handle, name FROM influencer WHERE handle = 'zoë'") == [("zoë", "Zoë Ünal")]


def test_crlf_and_quoted_cells(seeded, load, write_csv):
    text = HEADER.replace("\n", "\r\n") + '"instagram","p1","2026-03-02"," 10 ",1,0,0,"","",""\r\n'
    outcome = load(write_csv("crlf.csv", text), kind="post_metrics")
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 1)
    assert rows(seeded, "SELECT likes, views FROM post_metric_daily") == [(10, None)]


@pytest.mark.parametrize("ending", ["\n\n", "\n\n\n", "\r\n\r\n", ""])
def test_blank_lines_at_the_very_end_are_not_rows(seeded, load, write_csv, ending):
    text = HEADER + ROW + "instagram,p1,2026-03-03,11,1,0,0,,,"
    if ending.startswith("\r"):
        text = text.replace("\n", "\r\n")
    outcome = load(write_csv("t.csv", text + ending), kind="post_metrics")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 2)


def test_a_blank_line_inside_the_file_rejects_it(seeded, load, write_csv):
    outcome = load(write_csv("t.csv", HEADER + ROW + "\n" + ROW.replace("03-02", "03-03")), kind="post_metrics")
    _assert_rejected(seeded, outcome, "line 3: missing data for column")
