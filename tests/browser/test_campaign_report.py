"""Campaign reporting in the site (issue 13.4, 13.5, 13.7): the campaign page shows its charts and money in
the campaign's currency, the print-friendly report renders, and Export CSV downloads the per-hire CSV."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack, shoot
from tests.browser.seed import seed

pytestmark = pytest.mark.browser


def _ready(pg: Any) -> None:
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


@pytest.fixture()
def glow(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    """Spring Glow in euros, its one hire (influencer 1 at 1,000) with 4 orders worth 900."""
    seed(db)
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE campaign SET currency = 'EUR' WHERE name = 'Spring Glow'"))
        conn.execute(
            sa.text(
                "INSERT INTO conversion_daily (campaign_id, influencer_id, date, clicks, orders, revenue) "
                "SELECT id, 1, current_date - 3, 40, 4, 900 FROM campaign WHERE name = 'Spring Glow'"
            )
        )
        conn.execute(sa.text("UPDATE influencer SET name = '=cmd()' WHERE id = 1"))
    from predictfluence.queries.rollups import refresh

    refresh(db, concurrently=False)
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    return next(c for c in campaigns if c["name"] == "Spring Glow")


def test_campaign_page_charts_currency_and_csv(page, stack: Stack, glow: dict[str, Any], tmp_path) -> None:  # noqa: ANN001
    page.goto(f"{stack.web_url}#/campaigns/{glow['id']}")
    _ready(page)
    page.get_by_test_id("campaign-trend").locator("canvas").wait_for()
    page.get_by_test_id("campaign-audience").locator("canvas").wait_for()
    assert page.get_by_test_id("summary-budget").locator("dd").inner_text() == "€10,000"
    assert page.get_by_test_id("summary-cpa").locator("dd").inner_text() == "€250.00"  # 1,000 / 4 orders
    hires = page.locator(".hires-table")
    assert "€1,000" in hires.inner_text() and "$" not in hires.inner_text()
    assert "US" in page.get_by_test_id("campaign-audience").inner_text()
    assert axe_violations(page, "[data-testid=campaign-charts]") == []
    shoot(page, "campaign-charts-currency")
    with page.expect_download() as download:
        page.locator(".hires-table").locator("xpath=ancestor::section").get_by_test_id("export-csv").click()
    path = tmp_path / "report.csv"
    download.value.save_as(path)
    assert download.value.suggested_filename == f"campaign-{glow['id']}-report.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(
        "influencer_id,handle,name,platform,followers,hire_status,agreed_cost,currency"
    )
    assert lines[1].startswith("1,creator_001,'=cmd(),instagram,6000,contracted,1000.00,EUR,1,")
    fields = lines[1].split(",")
    assert (fields[13:16], fields[17:]) == (
        ["40", "4", "900.00"],
        ["0.9000", "250.00"],
    )  # clicks..revenue; ROAS, CPA
    assert len(lines) == 2


def test_report_page_renders_for_print(page, stack: Stack, glow: dict[str, Any]) -> None:  # noqa: ANN001
    page.goto(f"{stack.web_url}#/campaigns/{glow['id']}")
    _ready(page)
    page.get_by_test_id("open-report").click()
    _ready(page)
    report = page.get_by_test_id("report-page")
    report.wait_for()
    page.get_by_test_id("campaign-trend").locator("canvas").wait_for()
    assert "Spring Glow — campaign report" in report.inner_text()
    assert page.get_by_test_id("report-budget").locator(".value").inner_text() == "€10,000"
    assert page.get_by_test_id("report-roas").locator(".value").inner_text() == "0.9×"  # 900 / 1,000
    assert page.get_by_test_id("report-cpa").locator(".value").inner_text() == "€250.00"
    page.emulate_media(media="print")
    assert not page.locator(".sidenav").is_visible()
    assert not report.get_by_test_id("export-csv").is_visible()
    shoot(page, "campaign-report-print")
    page.emulate_media(media="screen")
    assert axe_violations(page, "[data-testid=report-page]") == []
