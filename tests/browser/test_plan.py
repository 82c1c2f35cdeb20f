"""The Plan view on the campaign page (issue 11.4) through the real site, API, planner and database: plan within
a budget, read the totals and the 80 % interval, drop a creator and re-plan, hire the whole plan in one call;
planner refusals show next to the field they name and hire all keeps the budget guard."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from tests.browser.axe import axe_violations
from tests.browser.conftest import SITE, Stack, shoot
from tests.browser.seed import seed

pytestmark = pytest.mark.browser


# Influencers 1–12 have image and video scores (seed.py); give each a cost forecast per post and expected
# engagements per post (predicted ER × followers) with intervals, as the cost model and scoring write them.
# Costs: 300 + 50 × id (+ 100 for video), so the eleven unflagged creators cost well over Summer Run's 5,000.
SCORES = """
UPDATE influencer_score s
SET cost_per_post = c.cost, cost_low = 0.75 * c.cost, cost_high = 1.35 * c.cost,
    engagements = c.er * c.followers, engagements_low = c.er_low * c.followers,
    engagements_high = c.er_high * c.followers, engagements_per_dollar = c.er * c.followers / c.cost,
    per_dollar_low = c.er_low * c.followers / c.cost, per_dollar_high = c.er_high * c.followers / c.cost
FROM (SELECT s2.influencer_id, s2.content_type, s2.predicted_er AS er, s2.er_low, s2.er_high, i.followers,
             300.0 + 50 * i.id + CASE WHEN s2.content_type = 'video' THEN 100 ELSE 0 END AS cost
      FROM influencer_score s2 JOIN influencer i ON i.id = s2.influencer_id) c
WHERE c.influencer_id = s.influencer_id AND c.content_type = s.content_type
"""


@pytest.fixture()
def summer(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    """Summer Run (budget 5,000, no hires) with scored, costed candidates."""
    seed(db)
    with db.begin() as conn:
        conn.execute(sa.text(SCORES))
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    return {**next(c for c in campaigns if c["name"] == "Summer Run"), "key": api_key}


def open_campaign(pg: Any, stack: Stack, campaign_id: int) -> None:
    pg.goto(f"{stack.web_url}#/campaigns/{campaign_id}")
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )
    pg.get_by_test_id("plan-section").wait_for()


def plan(pg: Any, button: str = "Plan") -> dict[str, Any]:
    """Click Plan / Re-plan; the planner's answer (the UI is checked against it)."""
    with pg.expect_response(lambda r: r.url.endswith("/plan") and r.request.method == "POST") as answer:
        pg.get_by_role("button", name=button, exact=True).click()
    return {
        "request": answer.value.request.post_data_json,
        "status": answer.value.status,
        "body": answer.value.json(),
    }




def test_plan_says_when_it_planned_the_best_of_a_larger_pool(page, stack: Stack, summer, monkeypatch) -> None:
    """A pool larger than the planner's cut (docs/ml.md, "The pool cut") is planned over its best rows;
    the Candidates figure says of how many."""
    monkeypatch.setenv("PF_PLANNER_POOL_ROWS", "2")
    open_campaign(page, stack, summer["id"])
    page.get_by_label("Budget", exact=True).fill("1000")  # the cheapest creator's post costs 900
    answer = plan(page)
    assert answer["status"] == 200, answer["body"]
    body = answer["body"]
    assert body["candidates"] < body["candidates_total"]
    note = page.get_by_test_id("plan-candidates").inner_text()
    assert f"{body['candidates']:,}" in note and f"the best of {body['candidates_total']:,}" in note


def row_names(pg: Any) -> list[str]:
    return [t.strip() for t in pg.locator(".plan-table tbody tr td:first-child .cell-main").all_inner_texts()]


def money(v: float) -> str:
    return f"${v:,.0f}"


def test_plan_drop_replan_and_hire_all(page, stack: Stack, summer) -> None:
    open_campaign(page, stack, summer["id"])
    assert page.get_by_label("Budget", exact=True).input_value() == "5000"  # the remaining budget
    assert page.get_by_label("Leave out influencers already hired for this campaign").is_checked()
    assert not page.get_by_label("Include flagged accounts (unusual, likely bought engagement)").is_checked()
    page.get_by_label("Budget", exact=True).fill("2000")
    first = plan(page)
    assert first["status"] == 200, first["body"]
    proposal = first["body"]
    assert first["request"]["budget"] == 2000 and first["request"]["objective"] == "engagements"
    items = proposal["items"]
    assert len(items) >= 2 and proposal["cost_total"] <= 2000
    assert 1 not in {i["influencer_id"] for i in items}  # flagged: left out by default
    # totals: the forecast with its 80 % interval, the cost, what remains, the solver's status
    forecast = proposal["forecast"]
    assert f"{forecast['total']:,.0f}" in page.get_by_test_id("plan-forecast").inner_text()
    interval = page.get_by_test_id("plan-interval").inner_text()
    assert f"80 % interval: {forecast['low']:,.0f} – {forecast['high']:,.0f}" == interval
    assert forecast["low"] <= forecast["total"] <= forecast["high"]
    assert money(proposal["cost_total"]) in page.get_by_test_id("plan-cost").inner_text()
    assert money(proposal["remaining_after"]) in page.get_by_test_id("plan-remaining").inner_text()
    assert proposal["status"].replace("_", " ") in page.get_by_test_id("plan-status").inner_text().lower()
    assert "optimality gap" in page.get_by_test_id("plan-status").inner_text()
    assert f"{proposal['candidates']:,}" in page.get_by_test_id("plan-candidates").inner_text()
    names = row_names(page)
    assert names == [i["name"] for i in items]
    link = page.locator(".plan-table tbody tr").first.get_by_role("link")
    assert link.get_attribute("href") == f"#/influencers/{items[0]['influencer_id']}"
    assert "Forecast" in page.locator(".plan-table tbody tr").first.inner_text()
    shoot(page, "plan-01-proposed")
    assert axe_violations(page, "[data-testid=plan-section]") == []

    # drop the first pick: it shows in the dropped list, and after re-planning it is gone
    dropped = items[0]
    page.get_by_role("button", name=f"Drop {dropped['name']}").click()
    assert dropped["name"] in page.get_by_test_id("plan-dropped").inner_text()
    assert page.get_by_test_id("plan-hire-all").is_disabled()  # the shown plan still has it: re-plan first
    second = plan(page, "Re-plan")
    assert second["status"] == 200, second["body"]
    assert second["request"]["constraints"]["exclude"] == [dropped["influencer_id"]]
    replanned = second["body"]["items"]
    assert dropped["influencer_id"] not in {i["influencer_id"] for i in replanned}
    assert dropped["name"] not in row_names(page)
    assert row_names(page) == [i["name"] for i in replanned]
    shoot(page, "plan-02-replanned")
    assert axe_violations(page, "[data-testid=plan-section]") == []  # with the dropped list and its chips

    # pin one, then take it off the pinned list again: back to the plan as made, so Hire all is on again
    kept = replanned[0]
    page.get_by_role("button", name=f"Pin {kept['name']}").click()
    assert kept["name"] in page.get_by_test_id("plan-pinned").inner_text()
    assert page.get_by_test_id("plan-hire-all").is_disabled()
    page.get_by_role("button", name=f"Remove {kept['name']} from pinned").click()
    assert page.get_by_test_id("plan-pinned").inner_text().endswith("none")
    assert page.get_by_test_id("plan-hire-all").is_enabled()

    # hire all: one call, agreed cost = each pick's cost; the campaign's hires table shows them
    with page.expect_response(lambda r: r.url.endswith(f"/campaigns/{summer['id']}/hires")) as hired:
        page.get_by_test_id("plan-hire-all").click()
    assert hired.value.status == 201
    page.wait_for_function("() => document.querySelector('.hires-table')")
    for pick in replanned:
        assert page.locator(".hires-table").get_by_text(pick["name"]).is_visible()
    hires = stack.api("GET", f"/campaigns/{summer['id']}/influencers", summer["key"])["items"]
    assert sorted((h["influencer_id"], h["agreed_cost"]) for h in hires) == sorted(
        (i["influencer_id"], round(i["cost"], 2)) for i in replanned
    )
    total = round(sum(i["cost"] for i in replanned), 2)
    assert page.get_by_test_id("summary-spent").locator("dd").inner_text() == money(total)
    shoot(page, "plan-03-hired")


def test_a_budget_below_the_cheapest_creator_is_shown_next_to_the_budget(
    page, stack: Stack, summer, problems
) -> None:
    open_campaign(page, stack, summer["id"])
    problems.allow("422")  # the refusal is the point of this test
    problems.allow(f"/campaigns/{summer['id']}/plan")
    page.get_by_label("Budget", exact=True).fill("1")
    refused = plan(page)
    assert refused["status"] == 422
    assert "budget" in {d.get("field") for d in _details(refused["body"])}
    budget = page.get_by_label("Budget", exact=True)
    message = page.locator("#" + budget.get_attribute("aria-describedby"))
    assert message.inner_text().strip()
    assert message.get_attribute("data-error-for") == "budget"
    assert budget.get_attribute("aria-invalid") == "true"
    assert page.get_by_test_id("plan-results").inner_text() == ""
    shoot(page, "plan-04-budget-too-small")
    assert axe_violations(page, "[data-testid=plan-section]") == []


def test_contradictory_constraints_are_shown_next_to_their_fields(
    page, stack: Stack, summer, problems
) -> None:
    open_campaign(page, stack, summer["id"])
    problems.allow("422")
    problems.allow(f"/campaigns/{summer['id']}/plan")
    page.get_by_label("Posts per influencer, min").fill("3")  # min above max (1)
    assert plan(page)["status"] == 422
    posts = page.locator("[data-error-for=posts]")
    assert (
        "min" in posts.inner_text()
        and page.get_by_label("Posts per influencer, min").get_attribute("aria-invalid") == "true"
    )
    page.get_by_label("Posts per influencer, min").fill("1")
    page.get_by_label("Instagram: minimum share of the cost (%)").fill("80")
    page.get_by_label("Tiktok: minimum share of the cost (%)").fill("50")  # minimum shares add up to 130 %
    refused = plan(page)
    assert refused["status"] == 422
    assert refused["request"]["constraints"]["platform_share"] == {
        "instagram": {"min": 0.8},
        "tiktok": {"min": 0.5},
    }
    assert "platform_share" in page.locator("[data-error-for=shares]").inner_text()
    assert posts.inner_text() == ""  # the earlier message is gone
    shoot(page, "plan-05-shares-refused")


def test_hire_all_over_the_remaining_budget_hires_nobody(page, stack: Stack, summer, problems) -> None:
    open_campaign(page, stack, summer["id"])
    page.get_by_label("Budget", exact=True).fill("7000")  # more than the 5,000 the campaign has left
    proposal = plan(page)["body"]
    assert proposal["cost_total"] > 5000
    assert "Hire all will be refused" in page.get_by_test_id("plan-over-budget").inner_text()
    problems.allow("409")
    problems.allow(f"/campaigns/{summer['id']}/hires")
    page.get_by_test_id("plan-hire-all").click()
    error = page.get_by_test_id("plan-hire-error")
    error.wait_for()
    assert "Over budget" in error.inner_text() and "Nothing was hired" in error.inner_text()
    assert "only $5,000.00 of the campaign budget remains" in error.inner_text()
    assert stack.api("GET", f"/campaigns/{summer['id']}/influencers", summer["key"])["items"] == []
    assert page.get_by_test_id("plan-hire-all").is_enabled()


def _details(body: dict[str, Any]) -> list[dict[str, Any]]:
    details = body.get("error", {}).get("details")
    if isinstance(details, dict):
        return [details]
    return [d for d in details or [] if isinstance(d, dict)]


def test_objectives_match_the_vocabulary() -> None:
    from predictfluence.vocab import PLAN_OBJECTIVES

    source = (SITE / "js" / "pages" / "plan.js").read_text(encoding="utf-8")
    match = re.search(r"const OBJECTIVES = (.*?);\n", source, re.S)
    assert match
    assert re.findall(r'\["(\w+)", "', match.group(1)) == list(PLAN_OBJECTIVES)
