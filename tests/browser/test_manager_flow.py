"""A manager's whole daily flow in one Chromium session (issue 13, "Done when"): filter the influencer list by
URL parameters → tick the creators → add them to a new shortlist → compare them → plan the campaign from the
shortlist → hire the plan → (their sponsored posts arrive) → open the print-friendly campaign report → export
its CSV (the download is intercepted and its rows checked).

Every step saves a screenshot (viewport 1280 × 800). With PF_UPDATE_SCREENSHOTS=1 they go to docs/img/ (the
user guide shows them: regenerate and commit them when the site changes); otherwise to the test's tmp_path,
so a normal run never touches the tree.

Data: tests/browser/seed.py with the cost forecasts of tests/browser/test_plan.py. The filter
instagram + beauty + US audience ≥ 50 % + hide flagged matches exactly Creators 004, 007 and 010
(seed: categories and countries cycle every 3, audience data for 1–12 only, 1 is flagged).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import ROOT, Stack
from tests.browser.seed import seed
from tests.browser.test_plan import SCORES

pytestmark = pytest.mark.browser
READY = "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
VIEWPORT = {"width": 1280, "height": 800}
FILTERS = ("platform=instagram&category=beauty&audience_country=US&min_audience_country_share=0.5"
           "&hide_flagged=true&sort=followers&order=asc")  # fmt: skip
PICKED = {4: "Creator 004", 7: "Creator 007", 10: "Creator 010"}
DOCS_IMG = ROOT / "docs" / "img"


def engagements(i: int) -> int:
    """Seed: the post of influencer i has 12 daily rows (d = 0..11) of likes, comments, shares and saves."""
    return sum((60 + 10 * i + 7 * ((d * i) % 5)) + (12 + d) + 3 + 4 for d in range(12))


def views(i: int) -> int:
    return sum(2000 + 100 * i + 40 * d for d in range(12))


@pytest.fixture()
def spring(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    """Spring Glow (USD, budget 10,000; Creator 001 hired at 1,000 with its post) and costed forecasts."""
    seed(db)
    with db.begin() as conn:
        conn.execute(sa.text(SCORES))
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    return {**next(c for c in campaigns if c["name"] == "Spring Glow"), "key": api_key}


@pytest.fixture()
def manager_page(signed_in) -> Any:  # noqa: ANN001
    """A manager signed in with e-mail and password, at the screenshots' size."""
    return signed_in("manager", VIEWPORT["width"], VIEWPORT["height"])


@pytest.fixture()
def shots(tmp_path: Path) -> Any:
    """Save a viewport screenshot per step: into docs/img/ with PF_UPDATE_SCREENSHOTS=1, else tmp_path."""
    folder = DOCS_IMG if os.environ.get("PF_UPDATE_SCREENSHOTS") == "1" else tmp_path / "img"
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []

    def shot(pg: Any, name: str, at: str | None = None) -> None:
        """`at`: a test id to scroll to the top of the viewport first (else the page's top)."""
        if at:
            pg.get_by_test_id(at).evaluate("e => e.scrollIntoView({block: 'start'})")
        else:
            pg.evaluate("window.scrollTo(0, 0)")
        pg.evaluate("document.getElementById('toasts')?.replaceChildren()")  # a passing toast is no step
        path = folder / f"flow-{len(saved) + 1:02d}-{name}.png"
        pg.screenshot(path=str(path), animations="disabled", caret="hide")
        saved.append(path)

    shot.saved = saved  # type: ignore[attr-defined]
    return shot


def test_filter_shortlist_compare_plan_hire_report_and_export(  # noqa: PLR0915 - one flow, step by step
    manager_page, stack: Stack, spring: dict[str, Any], db, shots, tmp_path: Path  # noqa: ANN001
) -> None:
    page, key, campaign_id = manager_page, spring["key"], spring["id"]

    # 1. a shareable filtered list: the URL's parameters are the filters
    page.goto(f"{stack.web_url}#/influencers?{FILTERS}")
    page.wait_for_function(READY)
    page.locator("button[data-view=table]").click()
    assert page.get_by_test_id("result-summary").inner_text() == "Showing 1–3 of 3 influencers"
    rows = page.locator(".influencer-table tbody tr")
    assert [t.strip() for t in rows.locator("a.cell-main").all_inner_texts()] == list(PICKED.values())
    assert page.get_by_test_id("hide-flagged").is_checked()
    assert page.get_by_label("Audience country").input_value() == "US"
    assert page.get_by_label("Min share of audience %").input_value() == "50"
    for i in range(3):
        rows.nth(i).get_by_test_id("row-select").check()
    assert page.get_by_test_id("selection-count").inner_text() == "3 selected"
    shots(page, "filter")

    # 2. the three go to a new shortlist
    page.get_by_test_id("selection-shortlist").click()
    dialog = page.get_by_test_id("shortlist-dialog")
    dialog.get_by_label("New shortlist name").fill("Spring beauty picks")
    with page.expect_response(lambda r: r.url.endswith("/shortlists") and r.request.method == "POST") as made:
        dialog.get_by_test_id("shortlist-add-submit").click()
    assert made.value.status == 201
    shortlist = made.value.json()
    assert [i["id"] for i in shortlist["items"]] == list(PICKED)
    page.get_by_role("link", name="Open shortlist").click()
    page.wait_for_function(READY)
    assert page.locator("h1").inner_text() == "Spring beauty picks"
    table = page.locator(".shortlist-table tbody tr")
    assert [t.strip() for t in table.locator(".cell-main").all_inner_texts()] == list(PICKED.values())
    assert page.get_by_test_id("shortlist-selected").inner_text() == "3 of 3 selected"
    shots(page, "shortlist")

    # 3. compare them side by side
    page.get_by_test_id("shortlist-compare").click()
    page.wait_for_function(READY)
    assert page.evaluate("location.hash") == "#/compare?ids=4,7,10"
    compare = page.get_by_test_id("compare-table")
    assert [h.strip() for h in compare.locator("thead th a").all_text_contents()] == list(PICKED.values())
    followers = compare.locator("tbody tr", has_text="Followers").locator("td").all_inner_texts()
    assert followers == ["9,000", "12,000", "15,000"]  # 5,000 + 1,000 × id
    assert axe_violations(page, "main") == []
    shots(page, "compare")

    # 4. plan Spring Glow from the shortlist: the planner chooses among its members only
    page.go_back()
    page.wait_for_function(READY)
    page.get_by_label("Campaign to plan").select_option(str(campaign_id))
    page.get_by_test_id("shortlist-plan").click()
    page.wait_for_function(READY)
    page.get_by_test_id("plan-section").wait_for()
    page.wait_for_function("() => document.querySelector('select[name=shortlist]').value !== ''")
    assert page.get_by_label("From shortlist").input_value() == str(shortlist["id"])
    with page.expect_response(lambda r: r.url.endswith("/plan") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Plan", exact=True).click()
    assert answer.value.status == 200, answer.value.text()
    plan = answer.value.json()
    planned = {i["influencer_id"]: i for i in plan["items"]}
    assert planned and set(planned) <= set(PICKED)
    assert len(planned) == len(plan["items"])  # one content type per creator
    shots(page, "plan", at="plan-results")

    # 5. hire the whole plan in one call (the campaign's budget rule applies)
    hire_all = page.get_by_test_id("plan-hire-all")
    with page.expect_response(lambda r: r.url.endswith(f"/campaigns/{campaign_id}/hires")) as hired:
        hire_all.click()
    assert hired.value.status == 201, hired.value.text()
    costs = {1: 1000.0, **{iid: float(item["cost"]) for iid, item in planned.items()}}
    hires = stack.api("GET", f"/campaigns/{campaign_id}/influencers", key)["items"]
    assert {h["influencer_id"]: float(h["agreed_cost"]) for h in hires} == costs

    # the hired creators publish their sponsored posts (the ETL would link them; here SQL, then the rollups)
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE post SET campaign_id = :c, sponsored = true WHERE influencer_id = ANY(:ids)"),
                     {"c": campaign_id, "ids": list(planned)})
    from predictfluence.queries.rollups import refresh

    refresh(db, concurrently=False)

    # 6. the print-friendly campaign report
    page.goto(f"{stack.web_url}#/campaigns/{campaign_id}")
    page.wait_for_function(READY)
    page.get_by_test_id("open-report").click()
    page.wait_for_function(READY)
    report = page.get_by_test_id("report-page")
    page.get_by_test_id("campaign-trend").locator("canvas").wait_for()
    assert "Spring Glow — campaign report" in report.inner_text()
    total_cost = sum(costs.values())
    total_engagements = sum(engagements(i) for i in costs)
    figure = lambda name: page.get_by_test_id(f"report-{name}").locator(".value").inner_text()  # noqa: E731
    assert figure("budget") == "$10,000"
    assert figure("spent") == f"${total_cost:,.0f}"
    assert figure("remaining") == f"${10_000 - total_cost:,.0f}"
    assert figure("hires") == str(len(costs))
    assert figure("engagements") == f"{total_engagements:,}"
    assert figure("views") == f"{sum(views(i) for i in costs):,}"
    assert figure("cpe") == f"${total_cost / total_engagements:,.2f}"
    assert axe_violations(page, "[data-testid=report-page]") == []
    shots(page, "report")

    # 7. export the report's CSV: one row per hire with its figures
    with page.expect_download() as download:
        report.get_by_test_id("export-csv").click()
    assert download.value.suggested_filename == f"campaign-{campaign_id}-report.csv"
    saved = tmp_path / "report.csv"
    download.value.save_as(saved)
    lines = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert lines[0]["handle"] == "creator_001"  # hired first; then the plan's hires (one statement)
    assert sorted(r["handle"] for r in lines) == [f"creator_{i:03d}" for i in sorted(costs)]
    for row in lines:
        i = int(row["influencer_id"])
        assert (row["name"], row["platform"], row["currency"]) == (f"Creator {i:03d}", "instagram", "USD")
        assert (float(row["agreed_cost"]), int(row["posts"])) == (costs[i], 1)
        assert (int(row["engagements"]), int(row["views"])) == (engagements(i), views(i))
        assert float(row["cpe"]) == pytest.approx(costs[i] / engagements(i), abs=0.005)
    assert len(shots.saved) == 5  # type: ignore[attr-defined]

