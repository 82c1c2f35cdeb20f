"""Analytics filters (issue 13.6) in Chromium against the real API: a period, a platform and the comparison
with the previous period → the URL's hash query holds them → reloading that URL gives the same view.

Data: tests/api/dataset.py (T = CURRENT_DATE). Instagram engagements by day: T-10 1200, T-9 700 (alice p1),
T-5 2400, T-4 600 (alice p2), T-2 400 (bob p5); tiktok T-4 10000 (carol p4)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack, shoot

pytestmark = pytest.mark.browser


@pytest.fixture()
def today(db, api_key: str, stack: Stack) -> dt.date:  # noqa: ANN001
    from tests.api.dataset import load

    load(db)
    with db.connect() as conn:
        return conn.execute(sa.text("SELECT CURRENT_DATE")).scalar_one()


def wait_ready(pg: Any) -> None:
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def hash_query(pg: Any) -> dict[str, list[str]]:
    return parse_qs(pg.evaluate("location.hash").split("?", 1)[1])


def kpi_text(pg: Any, testid: str) -> str:
    return pg.get_by_test_id(testid).locator(".value").inner_text()


def test_period_platform_and_comparison_go_to_the_url_and_a_reload_reproduces_them(
    page, stack: Stack, today
) -> None:
    start = (today - dt.timedelta(days=6)).isoformat()
    page.goto(f"{stack.web_url}#/analytics")
    wait_ready(page)
    # the default period: the last 30 days, every platform (T-10 … T-2: 1200 + 700 + 2400 + 10600 + 400)
    assert page.get_by_label("To").input_value() == today.isoformat()
    assert kpi_text(page, "kpi-engagements") == "15,300"

    page.get_by_label("From").fill(start)
    wait_ready(page)
    page.get_by_test_id("filter-platform").select_option("instagram")
    wait_ready(page)
    assert kpi_text(page, "kpi-engagements") == "3,400" and kpi_text(page, "kpi-posts") == "3"
    assert page.locator("canvas[data-series]").first.get_attribute("data-series") == "This period"

    page.get_by_label("Compare with previous period").check()
    wait_ready(page)
    # previous period T-13 … T-7 on instagram: 1200 + 700 = 1900 → +78.9 %
    assert page.get_by_test_id("kpi-engagements").get_by_test_id("delta").inner_text() == "▲ 78.9%"
    canvas = page.locator("canvas[data-series]").first
    assert canvas.get_attribute("data-series") == "This period|Previous period"
    dashed = canvas.evaluate(
        "c => window.Chart ? window.Chart.getChart(c).data.datasets[1].borderDash : [6, 4]"
    )
    assert dashed == [6, 4]
    assert page.get_by_role("columnheader", name="Previous eng. rate").count() == 1
    # the table: days with posts in either period (T-5, T-4, T-2 now; T-10, T-9 line up with T-3, T-2)
    dates = (
        page.get_by_role("table", name="Days with posts").locator("tbody tr td:first-child").all_inner_texts()
    )
    assert len(dates) == 4
    query = hash_query(page)
    assert query["start_date"] == [start] and query["end_date"] == [today.isoformat()]
    assert query["platform"] == ["instagram"] and query["compare"] == ["previous"]
    shoot(page, "45-analytics-filters")
    assert axe_violations(page, "main") == []

    url = page.url
    page.reload()
    wait_ready(page)
    assert page.url == url
    assert page.get_by_label("From").input_value() == start
    assert page.get_by_test_id("filter-platform").input_value() == "instagram"
    assert page.get_by_label("Compare with previous period").is_checked()
    assert kpi_text(page, "kpi-engagements") == "3,400"
    assert page.get_by_test_id("kpi-engagements").get_by_test_id("delta").inner_text() == "▲ 78.9%"
    assert (
        page.locator("canvas[data-series]").first.get_attribute("data-series")
        == "This period|Previous period"
    )

    page.get_by_test_id("preset-7").click()
    wait_ready(page)
    assert page.get_by_test_id("preset-7").get_attribute("aria-pressed") == "true"
    assert hash_query(page)["start_date"] == [start]
