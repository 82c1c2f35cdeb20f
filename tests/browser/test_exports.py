"""Export CSV on the Influencers list (the current filters, every page) and on a shortlist page (issue 13.4):
the file downloads both ways the API answers — the CSV body, or (a large export) JSON with a presigned S3
link to the file the API wrote into the stack's models bucket, which the browser follows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Stack
from tests.browser.seed import seed

pytestmark = pytest.mark.browser
READY = "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
HEADER = ("id,handle,name,platform,category,country,language,followers,follower_tier,posts,avg_engagement_rate,"
          "avg_likes,avg_views,avg_comments,figures_source,growth_30d,growth_90d")
# tiktok is 151–200 (followers 5,000 + 1,000 × n), fitness every third from 152: 152, 155, …, 200 → 17 rows
TIKTOK_FITNESS = [str(n) for n in range(200, 151, -3)]


@pytest.fixture()
def seeded(db, api_key: str, stack: Stack) -> str:  # noqa: ANN001
    seed(db)
    return api_key


def _download(page: Any, tmp_path, name: str) -> tuple[str, list[str]]:
    with page.expect_download() as download:
        page.get_by_test_id("export-csv").click()
    path = tmp_path / name
    download.value.save_as(path)
    return download.value.suggested_filename, path.read_text(encoding="utf-8").splitlines()


def _influencers(page: Any, stack: Stack) -> None:
    page.goto(f"{stack.web_url}#/influencers?platform=tiktok&category=fitness&sort=followers&order=desc&page_size=25")
    page.wait_for_function(READY)
    assert page.get_by_test_id("result-summary").inner_text() == "Showing 1–17 of 17 influencers"


def test_influencer_list_exports_the_current_filters(page, stack: Stack, seeded, tmp_path) -> None:  # noqa: ANN001
    _influencers(page, stack)
    name, lines = _download(page, tmp_path, "direct.csv")
    assert name == "influencers.csv"
    assert lines[0] == HEADER
    assert [line.split(",")[0] for line in lines[1:]] == TIKTOK_FITNESS
    assert lines[1] == "200,creator_200,Creator 200,tiktok,fitness,GB,en,205000,mid,0,,,,,,,"


def test_a_large_export_downloads_through_its_s3_link(page, stack: Stack, seeded, tmp_path, monkeypatch,  # noqa: ANN001
                                                     problems) -> None:
    from predictfluence.api import csv_export

    # Chromium reports a navigation that turns into a download (Content-Disposition: attachment) as
    # net::ERR_ABORTED: that request is the download itself, checked below
    problems.allow("/exports/")
    monkeypatch.setattr(csv_export, "DIRECT_MAX_ROWS", 5)  # the API runs in this process: 17 rows > 5 → S3
    _influencers(page, stack)
    with page.expect_response(lambda r: "/influencers.csv?" in r.url) as answer:
        name, lines = _download(page, tmp_path, "linked.csv")
    link = answer.value.json()
    assert (link["delivery"], link["rows"], link["filename"]) == ("link", 17, "influencers.csv")
    assert link["key"].startswith("exports/") and link["url"].startswith("http://127.0.0.1:")  # the stack's S3
    assert name == "influencers.csv"
    assert lines[0] == HEADER and [line.split(",")[0] for line in lines[1:]] == TIKTOK_FITNESS


def test_shortlist_page_exports_its_creators(page, stack: Stack, seeded, tmp_path) -> None:  # noqa: ANN001
    created = stack.api("POST", "/shortlists", seeded, {"name": "Export picks", "influencer_ids": [3, 1]})
    stack.api("PATCH", f"/shortlists/{created['id']}/items/3", seeded, {"note": "=SUM(A1:A9)"})
    page.goto(f"{stack.web_url}#/shortlists/{created['id']}")
    page.wait_for_function(READY)
    name, lines = _download(page, tmp_path, "shortlist.csv")
    assert name == f"shortlist-{created['id']}.csv"
    assert lines[0].startswith("id,handle,name,platform,category,country,language,followers,follower_tier,posts,")
    assert lines[0].endswith(",flags,cost_content_type,cost_per_post,cost_low,cost_high,note,added_at")
    assert [line.split(",")[0] for line in lines[1:]] == ["3", "1"]  # the order they were added
    assert lines[1].startswith("3,creator_003,Creator 003,instagram,tech,DE,en,8000,nano,1,")
    assert ",'=SUM(A1:A9)," in lines[1]  # the note, neutralised
