"""Imported creators (issue 12.5): the real top-200 Instagram list loaded through the ETL's profiles kind;
cristiano has no post metrics, so the list and the profile show his snapshot's figures with a
"snapshot · <source> · <as-of>" marker — in Chromium against the real API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Stack, shoot

pytestmark = pytest.mark.browser

REAL_DATASET = Path(__file__).resolve().parents[3] / "shared" / "data" / "top_insta_influencers_data.csv"
SOURCE = "file:top_insta_influencers_data"


@pytest.fixture()
def data(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    from etl_jobs.base import SourceFile
    from etl_jobs.kinds.profiles import loader
    from predictfluence.queries import rollups

    with db.begin() as conn:
        result = loader.load(conn, SourceFile(REAL_DATASET, str(REAL_DATASET), None))
    assert result.rows_loaded == 199
    rollups.refresh(db)
    return {"key": api_key, "as_of": dt.datetime.now(dt.UTC).date().isoformat()}


def open_page(pg: Any, stack: Stack, route: str) -> None:
    pg.goto(f"{stack.web_url}#{route}")
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def test_cristiano_shows_snapshot_figures_in_list_and_profile(page, stack: Stack, data) -> None:
    marker = f"snapshot · {SOURCE} · {data['as_of']}"
    items = stack.api("GET", "/influencers?q=cristiano", data["key"])["items"]
    (row,) = [i for i in items if i["handle"] == "cristiano"]
    assert (row["avg_engagement_rate"], row["avg_likes"], row["followers"]) == (
        0.0139,
        8_700_000.0,
        475_800_000,
    )

    open_page(page, stack, "/influencers?q=cristiano")
    page.locator("button[data-view=table]").click()
    line = page.locator("tr", has_text="@cristiano")
    text = line.inner_text()
    assert "1.39%" in text and "8,700,000" in text and "475,800,000" in text, text
    assert line.get_by_test_id("snapshot-marker").inner_text().strip() == marker
    shoot(page, "30-imported-creator-list")

    page.locator("button[data-view=cards]").click()
    card = page.get_by_test_id("influencer-card").filter(has_text="@cristiano")
    assert card.get_by_test_id("snapshot-marker").inner_text().strip() == marker
    assert "1.39%" in card.inner_text()

    open_page(page, stack, f"/influencers/{row['id']}")
    stats = page.get_by_test_id("profile-stats")
    values = dict(
        zip(stats.locator("dt").all_inner_texts(), stats.locator("dd").all_inner_texts(), strict=True)
    )
    assert values["Avg engagement rate"].startswith("1.39%") and marker in values["Avg engagement rate"]
    assert values["Avg likes"].startswith("8,700,000") and marker in values["Avg likes"]
    assert values["Followers"].startswith("475,800,000")
    assert page.get_by_test_id("snapshot-history").is_visible()
    # the file wrote "Spain"; the stored country is its ISO code (issue 12 follow-up 2)
    assert "ES" in page.locator(".profile-head .meta").first.inner_text()
    assert (
        page.get_by_test_id("source-text").inner_text().strip() == "as written in the file: country “Spain”"
    )
    shoot(page, "31-imported-creator-profile")
