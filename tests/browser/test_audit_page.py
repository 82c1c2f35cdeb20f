"""The Audit page and the "by <who>" labels (issue 14.2, 14.5): an admin reads who did what — an API key by
its name, a signed-in user by their e-mail — filters by action in the URL, and sees the campaign's creator
and last editor on its page and each key's creator on the Team page; a manager has no Audit link."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack

pytestmark = pytest.mark.browser
READY = "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"


def _open(pg: Any, stack: Stack, route: str) -> None:
    pg.goto(f"{stack.web_url}#{route}")
    pg.wait_for_function(READY)


def test_an_admin_reads_and_filters_the_audit_log(signed_in, stack: Stack, api_key: str) -> None:
    campaign = stack.api("POST", "/campaigns", api_key, {"name": "Audit Trail", "budget": 1000})
    stack.api("PATCH", f"/campaigns/{campaign['id']}", api_key, {"budget": 1500})
    stack.api("POST", "/shortlists", api_key, {"name": "Audit list"})
    email, password = stack.user("manager")
    token = stack.password_sign_in(email, password)["IdToken"]
    by_user = stack.api("POST", "/campaigns", token, {"name": "By a person"})

    pg = signed_in("admin")
    _open(pg, stack, "/audit")
    expect(pg.locator('nav a[href="#/audit"]')).to_be_visible()
    rows = pg.locator(".audit-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text(email)  # newest first: the signed-in manager's campaign
    expect(rows.nth(0)).to_contain_text("campaign.create")
    expect(rows.nth(3)).to_contain_text("browser tests")  # the key's name, not key:<id>
    expect(rows.nth(3)).to_contain_text(f"campaign {campaign['id']}")
    assert axe_violations(pg, "html") == []

    pg.get_by_label("Action").select_option("shortlist")
    pg.get_by_role("button", name="Apply").click()
    pg.wait_for_function(READY)
    assert "action=shortlist" in pg.url
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("shortlist.create")
    expect(rows.nth(0)).to_contain_text("name: Audit list")

    _open(pg, stack, f"/campaigns/{campaign['id']}")
    expect(pg.get_by_test_id("campaign-authorship")).to_contain_text("Created by browser tests")
    expect(pg.get_by_test_id("campaign-authorship")).to_contain_text("last edited by browser tests")
    _open(pg, stack, f"/campaigns/{by_user['id']}")
    expect(pg.get_by_test_id("campaign-authorship")).to_contain_text(f"Created by {email}")
    expect(pg.get_by_test_id("campaign-authorship")).not_to_contain_text("last edited")


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_no_audit_link_below_admin(signed_in, stack: Stack, role: str) -> None:
    pg = signed_in(role)
    _open(pg, stack, "/")
    expect(pg.locator('nav a[href="#/audit"]')).to_be_hidden()
