"""Every page of the site, on the seeded world, has no axe-core violation (the whole document, nothing excluded).

The routes come from frontend_static/js/app.js's ROUTES table, so a page added there is checked here without
editing this file; a route with a parameter this file cannot fill fails the test, naming the route.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import ROOT, Stack
from tests.browser.seed import seed

pytestmark = pytest.mark.browser

APP = ROOT / "frontend_static" / "js" / "app.js"


def site_routes() -> list[str]:
    """The route patterns of app.js's ROUTES table, in order."""
    text = APP.read_text(encoding="utf-8")
    table = text[text.index("const ROUTES") : text.index("];", text.index("const ROUTES"))]
    return re.findall(r'^\s*\["(/[^"]*)"', table, flags=re.MULTILINE)


def fill(pattern: str, ids: dict[str, int]) -> str:
    """The route with its parameters replaced by seeded rows (`/campaigns/:id` → a real campaign)."""
    section = pattern.split("/")[1]

    def value(m: re.Match[str]) -> str:
        key = f"{section}:{m.group(1)}"
        assert key in ids, (
            f"tests/browser/test_accessibility.py has no value for {m.group(0)} in route {pattern}"
        )
        return str(ids[key])

    return re.sub(r":(\w+)", value, pattern)


@pytest.fixture()
def world(db, api_key: str, stack: Stack) -> dict[str, int]:  # noqa: ANN001
    seed(db)
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    influencers = stack.api("GET", "/influencers?page_size=1&sort=followers&order=asc", api_key)["items"]
    draft = next(c for c in campaigns if c["name"] == "Summer Run")  # draft: its page shows the plan section
    ids = {"influencers:id": influencers[0]["id"], "campaigns:id": draft["id"]}
    if "/shortlists/:id" in site_routes():  # a list of three, so the page has rows
        body = {"name": "Accessibility check", "influencer_ids": [1, 2, 3]}
        ids["shortlists:id"] = stack.api("POST", "/shortlists", api_key, body)["id"]
    return ids


# Pages whose bare route shows an empty state: checked again with content (the route, filled, plus a query).
WITH_CONTENT = {"/compare": "/compare?ids=1,2,3"}


def wait_idle(pg: Any) -> None:
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def check(pg: Any, stack: Stack, route: str, found: dict[str, list[dict[str, Any]]]) -> None:
    pg.goto(f"{stack.web_url}#{route}")
    wait_idle(pg)
    pg.wait_for_load_state("networkidle")
    violations = axe_violations(pg, "html")
    if violations:
        found[route] = violations


def test_the_route_table_is_read() -> None:
    routes = site_routes()
    assert "/" in routes and "/signin" in routes and "/influencers/:id" in routes and "/models" in routes


def test_every_page_has_no_axe_violation(admin_page, signed_out_page, stack: Stack, world: dict[str, int]) -> None:
    page = admin_page  # an admin sees every page (the Team page too) and every action on them
    found: dict[str, list[dict[str, Any]]] = {}
    for pattern in site_routes():
        if pattern == "/signin":
            continue  # signed out below: signed in, the sign-in page is the same form
        check(page, stack, fill(pattern, world), found)
        if pattern in WITH_CONTENT:
            check(page, stack, WITH_CONTENT[pattern], found)
    # the influencers as cards (the view toggle is remembered in localStorage)
    page.goto(f"{stack.web_url}#/influencers")
    wait_idle(page)
    page.get_by_role("button", name="Cards").click()
    expect(page.get_by_test_id("influencer-card").first).to_be_visible()
    violations = axe_violations(page, "html")
    if violations:
        found["/influencers (cards)"] = violations
    page.evaluate("localStorage.removeItem('pf.influencers.view')")
    check(signed_out_page, stack, "/signin", found)
    assert found == {}, "axe-core violations per page:\n" + json.dumps(found, indent=1)
