"""Shortlists and compare (issue 13.2) through the real site, API, planner and database: on the Influencers list
select 3 rows → add them to a new shortlist → open it → compare them → plan a campaign from the shortlist (the
plan's picks are only its members) → hire the plan."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack, shoot
from tests.browser.seed import seed
from tests.browser.test_plan import SCORES

pytestmark = pytest.mark.browser
READY = "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"


@pytest.fixture()
def summer(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    """Summer Run (budget 5,000, no hires) with scored, costed candidates (tests/browser/test_plan.py)."""
    seed(db)
    with db.begin() as conn:
        conn.execute(sa.text(SCORES))
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    return {**next(c for c in campaigns if c["name"] == "Summer Run"), "key": api_key}


def test_select_shortlist_compare_plan_and_hire(page, stack: Stack, summer) -> None:
    page.goto(f"{stack.web_url}#/influencers?sort=followers&order=asc")  # 1–50: the scored 1–12 first
    page.wait_for_function(READY)
    rows = page.locator(".influencer-table tbody tr")
    picked: list[tuple[int, str]] = []
    for i in range(rows.count()):
        link = rows.nth(i).locator("a.cell-main")
        iid = int(re.sub(r"\D", "", link.get_attribute("href")))
        if 2 <= iid <= 12 and len(picked) < 3:  # 1 is flagged (never planned); 1–12 are scored and priced
            picked.append((iid, link.inner_text().strip()))
            rows.nth(i).get_by_test_id("row-select").check()
    assert len(picked) == 3
    ids = [iid for iid, _ in picked]
    assert page.get_by_test_id("selection-count").inner_text() == "3 selected"
    assert (
        page.get_by_test_id("selection-compare").get_attribute("href")
        == f"#/compare?ids={','.join(map(str, ids))}"
    )
    assert axe_violations(page, "main") == []

    # add to a new shortlist
    page.get_by_test_id("selection-shortlist").click()
    dialog = page.get_by_test_id("shortlist-dialog")
    assert dialog.get_by_label("Shortlist", exact=True).input_value() == "new"
    dialog.get_by_label("New shortlist name").fill("Summer picks")
    with page.expect_response(
        lambda r: r.url.endswith("/shortlists") and r.request.method == "POST"
    ) as created:
        dialog.get_by_test_id("shortlist-add-submit").click()
    assert created.value.status == 201
    shortlist = created.value.json()
    assert [i["id"] for i in shortlist["items"]] == ids
    page.get_by_role("link", name="Open shortlist").click()
    page.wait_for_function(READY)
    assert page.locator("h1").inner_text() == "Summer picks"
    names = [t.strip() for t in page.locator(".shortlist-table tbody tr .cell-main").all_inner_texts()]
    assert names == [n for _, n in picked]
    assert page.get_by_test_id("shortlist-selected").inner_text() == "3 of 3 selected"
    # every column fits a 1280-px screen: the last one (Remove) is not scrolled out of the table's frame
    page.set_viewport_size({"width": 1280, "height": 800})
    frame = page.locator(".table-wrap.shortlist-table").bounding_box()
    last = page.locator(".shortlist-table tbody tr").first.get_by_role("button", name=re.compile("^Remove")).bounding_box()
    assert last["x"] + last["width"] <= frame["x"] + frame["width"]
    shoot(page, "shortlist-01-list")
    assert axe_violations(page, "main") == []

    # compare the three
    page.get_by_test_id("shortlist-compare").click()
    page.wait_for_function(READY)
    heads = page.locator("[data-testid=compare-table] thead th a").all_text_contents()  # CSS upper-cases th
    assert [h.strip() for h in heads] == [n for _, n in picked]
    compared = stack.api("GET", f"/influencers/compare?ids={','.join(map(str, ids))}", summer["key"])["items"]
    followers = (
        page.locator("[data-testid=compare-table] tbody tr", has_text="Followers")
        .locator("td")
        .all_inner_texts()
    )
    assert followers == [f"{c['followers']:,}" for c in compared]
    shoot(page, "shortlist-02-compare")
    assert axe_violations(page, "main") == []

    # plan Summer Run from the shortlist: only its members are candidates
    page.go_back()
    page.wait_for_function(READY)
    page.get_by_label("Campaign to plan").select_option(str(summer["id"]))
    page.get_by_test_id("shortlist-plan").click()
    page.wait_for_function(READY)
    page.get_by_test_id("plan-section").wait_for()
    shortlist_select = page.get_by_label("From shortlist")
    page.wait_for_function("() => document.querySelector('select[name=shortlist]').value !== ''")
    assert shortlist_select.input_value() == str(shortlist["id"])
    with page.expect_response(lambda r: r.url.endswith("/plan") and r.request.method == "POST") as answer:
        page.get_by_role("button", name="Plan", exact=True).click()
    assert answer.value.status == 200, answer.value.text()
    assert answer.value.request.post_data_json["filters"]["influencer_ids"] == ids
    plan = answer.value.json()
    assert plan["items"] and {i["influencer_id"] for i in plan["items"]} <= set(ids)
    assert plan["candidates"] <= 2 * len(ids)  # image and video per member at most
    shoot(page, "shortlist-03-plan")

    # hire the plan in one call
    with page.expect_response(lambda r: r.url.endswith(f"/campaigns/{summer['id']}/hires")) as hired:
        page.get_by_test_id("plan-hire-all").click()
    assert hired.value.status == 201
    hires = stack.api("GET", f"/campaigns/{summer['id']}/influencers", summer["key"])["items"]
    assert sorted(h["influencer_id"] for h in hires) == sorted(i["influencer_id"] for i in plan["items"])
    assert {h["influencer_id"] for h in hires} <= set(ids)


def test_hire_a_shortlist_with_costs_prefilled_from_the_forecast(page, stack: Stack, summer) -> None:
    key = summer["key"]
    shortlist = stack.api("POST", "/shortlists", key, {"name": "Two", "influencer_ids": [2, 3]})
    forecast = {i["id"]: i["cost_per_post"] for i in shortlist["items"]}
    assert forecast == {2: 400.0, 3: 450.0}  # 300 + 50 × id, the image post (test_plan.SCORES)
    page.goto(f"{stack.web_url}#/shortlists/{shortlist['id']}")
    page.wait_for_function(READY)
    page.get_by_test_id("shortlist-hire").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Campaign", exact=True).select_option(str(summer["id"]))
    names = {i["id"]: i["name"] for i in shortlist["items"]}
    assert [dialog.get_by_label(f"Agreed cost for {names[i]}").input_value() for i in (2, 3)] == [
        "400",
        "450",
    ]
    dialog.get_by_label(f"Agreed cost for {names[3]}").fill("420")
    assert axe_violations(page, "dialog[open]") == []
    with page.expect_response(lambda r: r.url.endswith(f"/campaigns/{summer['id']}/hires")) as hired:
        dialog.get_by_test_id("shortlist-hire-submit").click()
    assert hired.value.status == 201
    assert hired.value.request.post_data_json == {
        "hires": [{"influencer_id": 2, "agreed_cost": 400}, {"influencer_id": 3, "agreed_cost": 420}]
    }
    hires = stack.api("GET", f"/campaigns/{summer['id']}/influencers", key)["items"]
    assert sorted((h["influencer_id"], h["agreed_cost"]) for h in hires) == [(2, 400.0), (3, 420.0)]
