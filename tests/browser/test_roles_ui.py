"""The site shows each role only the actions it may take (GET /me → body[data-role]); the API still refuses them.

Viewer: no hire, remove, edit, delete, new-campaign, upload or re-run. Manager: all of those, no retraining.
Admin: retraining and the Team page too. Each role signs in with the e-mail and password of a user in the
pool's group for it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack
from tests.browser.seed import seed

pytestmark = pytest.mark.browser


@pytest.fixture()
def world(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    seed(db)
    campaigns = {c["name"]: c for c in stack.api("GET", "/campaigns?page_size=200", api_key)["items"]}
    return {"spring": campaigns["Spring Glow"]["id"], "summer": campaigns["Summer Run"]["id"]}


@pytest.fixture()
def as_role(signed_in) -> Any:  # noqa: ANN001
    """A page signed in with the e-mail and password of a user in the pool's group for the role."""
    return signed_in


def visit(pg: Any, stack: Stack, route: str) -> None:
    pg.goto(f"{stack.web_url}#{route}")
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def actions(pg: Any, stack: Stack, world: dict[str, Any]) -> dict[str, bool]:
    """Which role-bound actions are visible, page by page."""
    seen: dict[str, bool] = {}
    visit(pg, stack, "/influencers/1")
    seen["hire from a profile"] = pg.get_by_role("button", name="Hire to campaign").is_visible()
    visit(pg, stack, f"/recommendations?campaign_id={world['summer']}")
    pg.get_by_test_id("recommendation").first.wait_for()
    seen["hire from recommendations"] = pg.get_by_test_id("hire").first.is_visible()
    visit(pg, stack, f"/campaigns/{world['summer']}")
    seen["plan a campaign"] = pg.get_by_test_id("plan-section").is_visible()
    visit(pg, stack, f"/campaigns/{world['spring']}")
    seen["edit a campaign"] = pg.get_by_role("link", name="Edit", exact=True).is_visible()
    seen["delete a campaign"] = pg.get_by_role("button", name="Delete", exact=True).is_visible()
    seen["remove a hire"] = pg.get_by_role("button", name="Remove Creator 001").is_visible()
    seen["change a hire's status"] = pg.get_by_label("Hire status of Creator 001").is_enabled()
    visit(pg, stack, "/campaigns")
    seen["new campaign"] = pg.get_by_role("link", name="New campaign").is_visible()
    visit(pg, stack, "/data")
    seen["upload"] = pg.get_by_role("button", name="Upload CSV").is_visible()
    visit(pg, stack, "/models")
    seen["retrain"] = pg.get_by_role("button", name="Retrain now").is_visible()
    seen["team"] = pg.get_by_role("link", name="Team", exact=True).is_visible()  # the Team page's nav link
    seen["role"] = pg.evaluate("document.body.dataset.role")
    return seen


MANAGER = ["hire from a profile", "hire from recommendations", "edit a campaign", "delete a campaign",
           "remove a hire", "new campaign", "upload", "plan a campaign", "change a hire's status"]  # fmt: skip


def test_a_viewer_sees_no_write_action(as_role, stack: Stack, world) -> None:  # noqa: ANN001
    seen = actions(as_role("viewer"), stack, world)
    assert seen == {**dict.fromkeys(MANAGER, False), "retrain": False, "team": False, "role": "viewer"}


def test_a_manager_sees_the_write_actions_but_not_retraining(as_role, stack: Stack, world) -> None:  # noqa: ANN001
    seen = actions(as_role("manager"), stack, world)
    assert seen == {**dict.fromkeys(MANAGER, True), "retrain": False, "team": False, "role": "manager"}


def test_an_admin_sees_everything(as_role, stack: Stack, world) -> None:  # noqa: ANN001
    seen = actions(as_role("admin"), stack, world)
    assert seen == {**dict.fromkeys(MANAGER, True), "retrain": True, "team": True, "role": "admin"}


def test_the_api_still_refuses_a_viewer(stack: Stack, world) -> None:  # noqa: ANN001
    import urllib.error

    from predictfluence.api.auth import create_key

    key = create_key("viewer", "viewer")[0]
    with pytest.raises(urllib.error.HTTPError) as refused:
        stack.api("DELETE", f"/campaigns/{world['summer']}", key)
    assert refused.value.code == 403


UPLOAD_CSV = "platform,handle,name,category,country,language,followers\ninstagram,progress_one,Progress One,beauty,US,en,12000\n"


def test_an_upload_shows_the_bytes_sent(as_role, stack: Stack, world, tmp_path) -> None:  # noqa: ANN001
    """The pre-signed POST goes through XMLHttpRequest: its upload progress is shown as bytes sent of the
    file's size (recorded by a MutationObserver: the line is replaced once the upload is done)."""
    csv = tmp_path / "progress.csv"
    csv.write_text(UPLOAD_CSV)
    pg = as_role("manager")
    visit(pg, stack, "/data")
    pg.evaluate(
        "() => { window.__progress = []; new MutationObserver(() => { const p = document.querySelector("
        "'[data-testid=upload-progress]'); if (p) window.__progress.push(p.textContent.trim()); })"
        ".observe(document.querySelector('main'), {childList: true, subtree: true}); }"
    )
    pg.get_by_label("File kind").select_option("influencers")
    pg.get_by_label("CSV file").set_input_files(str(csv))
    pg.get_by_role("button", name="Upload CSV").click()
    pg.get_by_test_id("upload-done").wait_for()
    seen = pg.evaluate("window.__progress")
    assert seen, "no upload progress was shown"
    sent, total = seen[-1].removesuffix(" bytes sent").split(" of ")
    # all of the form sent: its fields and the file
    assert int(sent.replace(",", "")) == int(total.replace(",", "")) > len(UPLOAD_CSV)
    # the ETL loads it (the page follows the load to the end, so nothing runs on after the test)
    expect(pg.get_by_test_id("load-report")).to_contain_text("Loaded", timeout=60_000)


# --- every route, every visible control (issue 13.8 audit) --------------------------------------------------

# The accessible names of the controls that change something (buttons, links styled as actions, file inputs):
# a viewer sees none of them anywhere, a manager none of the admin ones.
WRITE = re.compile(
    r"^(new campaign|create( a)? campaign|upload( data| csv)?|hire\b.*|delete\b.*|remove\b.*|edit|rename|re-run\b.*|"
    r"plan|re-plan|plan from this list|add to shortlist|shortlist|add|create\b.*|save\b.*|pin\b.*|drop\b.*|"
    r"retrain now|invite|create key|revoke\b.*|disable\b.*|enable\b.*)$",
    re.IGNORECASE,
)
ADMIN = re.compile(r"^(retrain now|invite|create key|revoke\b.*|disable\b.*|enable\b.*|team|audit)$", re.IGNORECASE)
VISIBLE_CONTROLS = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\\s+/g, ' ');
  const found = [];
  for (const el of document.querySelectorAll('main button, main a.btn, main input[type=submit], dialog[open] button, #sidenav a')) {
    if (shown(el) && !el.disabled) found.push(name(el));
  }
  for (const el of document.querySelectorAll('main input[type=file]')) if (shown(el)) found.push('upload');
  return found;
}"""


def routes(stack: Stack, world: dict[str, Any], key: str) -> list[str]:
    shortlist = stack.api("POST", "/shortlists", key, {"name": "Audit list", "influencer_ids": [2, 3]})["id"]
    spring, summer = world["spring"], world["summer"]
    return ["/", "/influencers", "/influencers?view=cards", "/influencers/1", "/influencers/2", "/campaigns",
            "/campaigns/new", f"/campaigns/{spring}", f"/campaigns/{spring}/edit", f"/campaigns/{spring}/report",
            f"/campaigns/{summer}", f"/recommendations?campaign_id={summer}", "/shortlists", f"/shortlists/{shortlist}",
            "/compare?ids=2,3", "/analytics", "/models", "/data", f"/data?load={world['load']}"]  # fmt: skip


@pytest.fixture()
def world_with_load(world, db) -> dict[str, Any]:  # noqa: ANN001
    import sqlalchemy as sa

    with db.begin() as conn:
        load = conn.execute(sa.text(
            "INSERT INTO etl_load (file_key, checksum, kind, status, rows_in, rows_loaded, rows_rejected, finished_at) "
            "VALUES ('raw/influencers/audit.csv', repeat('c', 64), 'influencers', 'loaded', 3, 3, 0, now()) RETURNING id"
        )).scalar_one()
    return {**world, "load": load}


def controls(pg: Any, stack: Stack, route: str) -> list[str]:
    visit(pg, stack, route)
    pg.wait_for_function("() => !document.querySelector('main .loading')")
    return pg.evaluate(VISIBLE_CONTROLS)


@pytest.mark.parametrize(("role", "forbidden"), [("viewer", WRITE), ("manager", ADMIN)])
def test_no_page_shows_an_action_the_role_may_not_take(as_role, stack: Stack, world_with_load, api_key, role, forbidden) -> None:  # noqa: ANN001, E501
    pg = as_role(role)
    seen = {route: [c for c in controls(pg, stack, route) if forbidden.match(c)]
            for route in routes(stack, world_with_load, api_key)}
    assert {route: found for route, found in seen.items() if found} == {}
    assert pg.evaluate("document.body.dataset.role") == role


def test_an_empty_dashboard_offers_uploads_and_campaigns_to_managers_only(as_role, stack: Stack, db) -> None:  # noqa: ANN001
    """No data yet: the empty states' "Upload data", "New campaign" and "Create your first campaign" are
    manager actions; a viewer on the campaign form reads why there is no form."""
    viewer, manager = as_role("viewer"), as_role("manager")
    for route in ("/", "/campaigns", "/campaigns/new"):
        assert [c for c in controls(viewer, stack, route) if WRITE.match(c)] == [], route
    assert viewer.get_by_test_id("needs-manager").is_visible()
    assert {"Upload data", "New campaign"} <= set(controls(manager, stack, "/"))
    assert "Create your first campaign" in controls(manager, stack, "/campaigns")
    assert "Create campaign" in controls(manager, stack, "/campaigns/new")
    assert not manager.get_by_test_id("needs-manager").is_visible()
