"""Discovery filters (issue 13.1) in Chromium against the real API: set filters in the filter bar → the URL's
hash query changes → reloading that URL gives the same results and the same filter bar.

Data: tests/api/dataset.py plus the extra rows of tests/api/test_influencers_filters.py (alice is flagged;
audience US: alice 0.6, carol 0.5; erin has no audience)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack, shoot

pytestmark = pytest.mark.browser


@pytest.fixture()
def data(db, api_key: str, stack: Stack) -> str:  # noqa: ANN001
    from predictfluence.queries.rollups import refresh
    from tests.api.dataset import load
    from tests.api.test_influencers_filters import EXTRA

    load(db)
    with db.begin() as conn:
        for statement in EXTRA:
            conn.execute(sa.text(statement))
    refresh(db, concurrently=False)
    return api_key


def wait_ready(pg: Any) -> None:
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def handles(pg: Any) -> list[str]:
    return [t.strip().lstrip("@") for t in pg.locator(".influencer-table tbody .cell-sub").all_inner_texts()]


def hash_query(pg: Any) -> dict[str, list[str]]:
    return parse_qs(pg.evaluate("location.hash").split("?", 1)[1])


def test_filters_go_to_the_url_and_a_reload_reproduces_the_view(page, stack: Stack, data: str) -> None:
    page.goto(f"{stack.web_url}#/influencers")
    wait_ready(page)
    page.locator("button[data-view=table]").click()
    assert handles(page) == ["yt_dave", "tt_carol", "ig_erin", "ig_alice", "ig_bob"]

    page.get_by_test_id("filter-platform").select_option(["instagram", "tiktok"])
    wait_ready(page)
    assert handles(page) == ["tt_carol", "ig_erin", "ig_alice", "ig_bob"]
    page.get_by_test_id("hide-flagged").check()
    wait_ready(page)
    assert handles(page) == ["tt_carol", "ig_erin", "ig_bob"]

    page.get_by_label("Audience country").fill("US")
    page.get_by_label("Min share of audience %").fill("50")
    page.get_by_role("button", name="Apply").click()
    wait_ready(page)
    assert handles(page) == ["tt_carol"]
    query = hash_query(page)
    assert query["platform"] == ["instagram,tiktok"] and query["hide_flagged"] == ["true"]
    assert query["audience_country"] == ["US"] and query["min_audience_country_share"] == ["0.5"]
    assert (
        stack.api("GET", "/influencers?" + page.evaluate("location.hash").split("?", 1)[1], data)[
            "page_info"
        ]["total"]
        == 1
    )
    shoot(page, "40-discovery-filters")
    assert axe_violations(page, "form.filters") == []

    url = page.url
    page.reload()
    wait_ready(page)
    assert page.url == url
    assert handles(page) == ["tt_carol"]
    assert page.get_by_test_id("hide-flagged").is_checked()
    selected = page.get_by_test_id("filter-platform").evaluate(
        "s => [...s.selectedOptions].map(o => o.value)"
    )
    assert selected == ["instagram", "tiktok"]
    assert page.get_by_label("Audience country").input_value() == "US"
    assert page.get_by_label("Min share of audience %").input_value() == "50"

    page.get_by_test_id("hide-flagged").uncheck()
    wait_ready(page)
    assert handles(page) == ["tt_carol", "ig_alice"]
    assert "hide_flagged" not in hash_query(page)
