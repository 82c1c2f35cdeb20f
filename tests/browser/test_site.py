"""The managers' flows through the real site, API and database (see conftest.py for the stack)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Stack, shoot
from tests.browser.seed import N_INFLUENCERS, seed

pytestmark = pytest.mark.browser


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.2f}%"


def money2(v: float | None) -> str:
    return "—" if v is None else f"${v:,.2f}"


@pytest.fixture()
def data(db, api_key: str, stack: Stack) -> dict[str, Any]:  # noqa: ANN001
    seed(db)
    campaigns = stack.api("GET", "/campaigns?page_size=200", api_key)["items"]
    return {"campaigns": {c["name"]: c for c in campaigns}, "key": api_key}


def open_page(pg: Any, stack: Stack, route: str) -> None:
    pg.goto(f"{stack.web_url}#{route}")


def wait_idle(pg: Any) -> None:
    """Wait until the current URL's page has rendered (the app sets body[data-ready] to the hash it
    rendered) and no `.loading` placeholder is left."""
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')")


def test_sign_in_then_dashboard_kpis_match_the_api(signed_out_page, stack: Stack, data, problems) -> None:
    pg = signed_out_page
    pg.goto(stack.web_url)
    pg.wait_for_url(re.compile(r"#/signin"))
    # people sign in with their e-mail; developers reach the key form through "Use an API key"
    pg.get_by_label("Email").wait_for()
    pg.get_by_role("link", name="Use an API key").click()
    pg.get_by_label("API key").wait_for()
    # a wrong key is refused with a readable message (its 401 is the one expected failed request)
    problems.allow("/me")
    problems.allow("401")
    pg.get_by_label("API key").fill("pfk_000000000000_not-a-real-key")
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_text("That key was not accepted").wait_for()
    shoot(pg, "01-sign-in")
    problems.allowed.clear()
    pg.get_by_label("API key").fill(data["key"])
    pg.get_by_role("button", name="Sign in").click()
    pg.get_by_role("heading", name="Dashboard").wait_for()
    wait_idle(pg)

    kpis = stack.api("GET", "/analytics/kpis", data["key"])
    assert kpis["total_influencers"] == N_INFLUENCERS
    assert pg.get_by_test_id("kpi-total-campaigns").locator(".value").inner_text() == str(kpis["total_campaigns"])
    assert pg.get_by_test_id("kpi-total-influencers").locator(".value").inner_text() == f"{kpis['total_influencers']:,}"
    assert pg.get_by_test_id("kpi-avg-er").locator(".value").inner_text() == pct(kpis["avg_engagement_rate"])
    assert pg.get_by_test_id("kpi-avg-cost").locator(".value").inner_text() == money2(kpis["avg_cost_per_influencer"])
    # the trend chart and the top-campaigns table rendered
    assert pg.locator("canvas").count() >= 1
    assert pg.get_by_role("cell", name="Spring Glow").or_(pg.get_by_text("Spring Glow")).first.is_visible()
    # the key lives in sessionStorage, not localStorage
    assert pg.evaluate("sessionStorage.getItem('pf.apiKey')") == data["key"]
    assert pg.evaluate("localStorage.getItem('pf.apiKey')") is None
    shoot(pg, "02-dashboard")


def test_influencers_filter_and_page_200_per_page(page, stack: Stack, data) -> None:
    open_page(page, stack, "/influencers?page_size=200")
    wait_idle(page)
    rows = page.locator(".influencer-table tbody tr")
    expect(rows).to_have_count(200)
    assert page.get_by_test_id("page-info").inner_text() == "Page 1 of 2"
    assert "1–200 of 230" in page.get_by_test_id("result-summary").inner_text()
    shoot(page, "03-influencers-table")
    # sorting from the column header: followers descending is the default; a click flips it
    assert page.get_by_role("columnheader", name="Followers").get_attribute("aria-sort") == "descending"
    page.get_by_role("button", name="Followers").click()
    page.wait_for_url(re.compile(r"order=asc"))
    wait_idle(page)
    assert "Creator 001" in rows.first.inner_text()
    assert page.get_by_role("columnheader", name="Followers").get_attribute("aria-sort") == "ascending"

    page.get_by_role("button", name="Next page").click()
    page.wait_for_url(re.compile(r"page=2"))
    wait_idle(page)
    expect(rows).to_have_count(N_INFLUENCERS - 200)
    assert page.get_by_test_id("page-info").inner_text() == "Page 2 of 2"

    # filters: platform (applies on change) + follower range + search (apply button)
    page.get_by_label("Platform").focus()
    page.get_by_label("Platform").select_option("tiktok")
    page.wait_for_url(re.compile(r"platform=tiktok"))
    wait_idle(page)
    expect(rows).to_have_count(50)  # influencers 151–200
    # the re-rendered filter keeps keyboard focus
    assert page.evaluate("document.activeElement.name") == "platform"
    assert "of 50" in page.get_by_test_id("result-summary").inner_text()
    page.get_by_label("Min followers").fill("200000")  # 5,000 + 1,000 n ≥ 200,000 → n ≥ 195
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"min_followers=200000"))
    wait_idle(page)
    expect(rows).to_have_count(6)
    page.get_by_label("Search").fill("cr")  # too short: explained before any request
    page.get_by_role("button", name="Apply").click()
    page.get_by_text("Type at least 3 characters to search.").wait_for()
    page.get_by_label("Search").fill("creator_197")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=creator_197"))
    wait_idle(page)
    expect(rows).to_have_count(1)
    assert "Creator 197" in rows.first.inner_text()

    # the back button walks the filter history; the URL is the state (deep link)
    page.go_back()
    page.wait_for_url(lambda url: "q=" not in url and "min_followers=200000" in url)
    wait_idle(page)
    expect(rows).to_have_count(6)
    assert page.get_by_label("Min followers").input_value() == "200000"


def test_table_card_toggle_is_remembered(page, stack: Stack, data) -> None:
    open_page(page, stack, "/influencers?page_size=25")
    wait_idle(page)
    assert page.locator(".influencer-table").is_visible()
    page.get_by_role("button", name="Cards").click()
    expect(page.get_by_test_id("influencer-card")).to_have_count(25)
    expect(page.locator(".influencer-table")).to_have_count(0)
    shoot(page, "04-influencers-cards")
    page.reload()
    wait_idle(page)
    expect(page.get_by_test_id("influencer-card")).to_have_count(25)
    assert page.get_by_role("button", name="Cards").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="Table").click()
    expect(page.locator(".influencer-table tbody tr")).to_have_count(25)
    assert page.evaluate("localStorage.getItem('pf.influencers.view')") == "table"


def test_opening_a_profile(page, stack: Stack, data) -> None:
    open_page(page, stack, "/influencers?q=creator_001")
    wait_idle(page)
    page.locator(".influencer-table tbody tr").first.click()
    page.wait_for_url(re.compile(r"#/influencers/\d+$"))
    page.get_by_test_id("influencer-profile").wait_for()
    wait_idle(page)
    influencer_id = int(page.url.rsplit("/", 1)[1])
    profile = stack.api("GET", f"/influencers/{influencer_id}", data["key"])
    assert page.get_by_role("heading", name="Creator 001").is_visible()
    stats = page.get_by_test_id("profile-stats").inner_text()
    assert pct(profile["avg_engagement_rate"]) in stats
    assert f"{round(profile['avg_likes']):,}" in stats
    for dim in ("country", "age group", "gender"):
        assert page.get_by_role("heading", name=f"Audience by {dim}").is_visible()
    assert page.get_by_role("table", name="Audience by country").get_by_role("cell", name="50.0%").is_visible()
    assert page.get_by_role("table", name="Campaigns this influencer is in").get_by_text("Spring Glow").is_visible()
    assert page.get_by_role("button", name="Hire to campaign").is_visible()
    assert "likes per comment far above tier peers" in page.get_by_test_id("anomaly-warning").inner_text()
    assert "median for its tier" in page.get_by_text("Why this prediction").locator("..").inner_text()
    shoot(page, "05-influencer-profile")
    page.go_back()
    page.wait_for_url(re.compile(r"#/influencers\?q=creator_001"))


def test_creating_a_campaign_with_validation(page, stack: Stack, data) -> None:
    open_page(page, stack, "/campaigns")
    wait_idle(page)
    expect(page.locator(".campaign-table tbody tr")).to_have_count(2)
    shoot(page, "06-campaigns")
    page.get_by_label("Search").fill("stride")  # brand of Summer Run
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=stride"))
    wait_idle(page)
    expect(page.locator(".campaign-table tbody tr")).to_have_count(1)
    assert "Summer Run" in page.locator(".campaign-table tbody tr").inner_text()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_role("heading", name="New campaign").wait_for()
    page.get_by_label("Start date").fill("2026-12-10")
    page.get_by_label("End date").fill("2026-12-01")
    page.get_by_role("button", name="Create campaign").click()
    assert page.get_by_text("Give the campaign a name.").is_visible()
    assert page.get_by_text("Enter a budget (0 or more).").is_visible()
    assert page.get_by_text("The end date must be on or after the start date.").is_visible()
    assert page.get_by_label("Name").get_attribute("aria-invalid") == "true"
    shoot(page, "07-campaign-form-errors")

    page.get_by_label("Name").fill("Autumn Launch")
    page.get_by_label("Brand").fill("Northwind")
    page.get_by_label("Objective").select_option("launch")
    page.get_by_label("End date").fill("2026-12-31")
    page.get_by_label("Budget").fill("7500")
    api_calls: list[tuple[str, str, str | None]] = []
    page.on("request", lambda r: api_calls.append((r.method, r.url, r.headers.get("x-read-your-writes")))
            if r.url.startswith(stack.api_url) and r.method != "OPTIONS" else None)
    page.get_by_role("button", name="Create campaign").click()
    page.get_by_test_id("campaign-page").wait_for()
    assert page.get_by_role("heading", name="Autumn Launch").is_visible()
    # reads right after the write ask for the writer (a replica may lag); CORS lets the header through
    assert [m for m, _, _ in api_calls][:1] == ["POST"]
    reads_after = [flag for m, url, flag in api_calls if m == "GET" and "/campaigns/" in url]
    assert reads_after and set(reads_after) == {"1"}
    assert page.get_by_test_id("summary-budget").inner_text().endswith("$7,500")
    created = stack.api("GET", "/campaigns?q=Autumn", data["key"])["items"]
    assert [(c["name"], c["brand"], c["budget"], c["end_date"]) for c in created] == [
        ("Autumn Launch", "Northwind", 7500.0, "2026-12-31")]
    shoot(page, "08-campaign-created")

    # edit: the form comes back filled in; the change shows on the campaign page
    page.get_by_role("link", name="Edit").click()
    page.get_by_role("heading", name="Edit Autumn Launch").wait_for()
    assert page.get_by_label("Budget").input_value() == "7500"
    page.get_by_label("Budget").fill("8200")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_test_id("campaign-page").wait_for()
    wait_idle(page)
    assert page.get_by_test_id("summary-budget").inner_text().endswith("$8,200")
    assert page.get_by_text("Active", exact=True).first.is_visible()


def test_hire_from_recommendations_changes_the_campaign_summary(page, stack: Stack, data) -> None:
    spring = data["campaigns"]["Spring Glow"]
    before = stack.api("GET", f"/campaigns/{spring['id']}/summary", data["key"])
    open_page(page, stack, f"/recommendations?campaign_id={spring['id']}")
    wait_idle(page)
    recs = page.get_by_test_id("recommendation")
    assert recs.count() >= 2
    first = recs.first
    assert "Predicted ER" in first.inner_text()
    assert first.locator(".rationale").inner_text().strip()
    shoot(page, "09-recommendations")
    # hire someone who is not in the campaign yet (influencer 1 already is)
    target = recs.filter(has_not_text="Creator 001").first
    name = target.locator(".cell-main").inner_text()
    target.get_by_test_id("hire").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Agreed cost").fill("500")
    shoot(page, "10-hire-dialog")
    dialog.get_by_role("button", name="Hire").click()
    page.get_by_role("link", name="Open campaign").click()
    page.get_by_test_id("campaign-page").wait_for()
    wait_idle(page)
    assert page.get_by_test_id("summary-influencer-count").locator("dd").inner_text() == str(before["influencer_count"] + 1)
    assert page.get_by_test_id("summary-spent").locator("dd").inner_text() == f"${before['spent'] + 500:,.0f}"
    assert page.get_by_test_id("summary-remaining").locator("dd").inner_text() == f"${before['remaining'] - 500:,.0f}"
    assert page.locator(".hires-table").get_by_text(name).is_visible()
    shoot(page, "11-campaign-after-hire")


def test_hire_from_a_profile_changes_the_campaign_summary(page, stack: Stack, data) -> None:
    summer = data["campaigns"]["Summer Run"]
    target = stack.api("GET", "/influencers?q=creator_042", data["key"])["items"][0]
    open_page(page, stack, f"/influencers/{target['id']}")
    page.get_by_test_id("influencer-profile").wait_for()
    page.get_by_role("button", name="Hire to campaign").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Campaign", exact=True).select_option(str(summer["id"]))
    dialog.get_by_role("button", name="Hire").click()
    assert dialog.get_by_text("Enter the agreed cost (0 or more).").is_visible()
    dialog.get_by_label("Agreed cost").fill("1250")
    dialog.get_by_role("button", name="Hire").click()
    page.get_by_role("link", name="Open campaign").click()
    page.get_by_test_id("campaign-page").wait_for()
    wait_idle(page)
    assert page.get_by_test_id("summary-influencer-count").locator("dd").inner_text() == "1"
    assert page.get_by_test_id("summary-spent").locator("dd").inner_text() == "$1,250"
    assert page.get_by_test_id("summary-remaining").locator("dd").inner_text() == "$3,750"
    assert page.locator(".hires-table").get_by_text("Creator 042").is_visible()
    shoot(page, "09b-campaign-after-hire-from-profile")
    # the profile now lists the campaign
    page.go_back()
    page.get_by_test_id("influencer-profile").wait_for()
    assert page.get_by_role("table", name="Campaigns this influencer is in").get_by_text("Summer Run").is_visible()


def test_overspending_hire_needs_confirmation(page, stack: Stack, data, problems) -> None:
    summer = data["campaigns"]["Summer Run"]  # budget 5,000, nothing spent
    target = stack.api("GET", "/influencers?q=creator_043", data["key"])["items"][0]
    open_page(page, stack, f"/influencers/{target['id']}")
    page.get_by_test_id("influencer-profile").wait_for()
    page.get_by_role("button", name="Hire to campaign").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Campaign", exact=True).select_option(str(summer["id"]))
    assert "$5,000 remaining" in dialog.inner_text()
    dialog.get_by_label("Agreed cost").fill("6000")
    problems.allow("409")  # the refused hire is the point of this test
    problems.allow(f"/campaigns/{summer['id']}/influencers")
    dialog.get_by_role("button", name="Hire").click()
    dialog.get_by_text("only $5,000.00 of the budget remains").wait_for()
    shoot(page, "10b-hire-over-budget")
    dialog.get_by_label("Hire even though it exceeds the campaign budget").check()
    dialog.get_by_role("button", name="Hire").click()
    page.get_by_role("link", name="Open campaign").click()
    page.get_by_test_id("campaign-page").wait_for()
    wait_idle(page)
    assert page.get_by_test_id("summary-remaining").locator("dd").inner_text() == "-$1,000"


def test_hire_status_change_on_the_campaign_page(page, stack: Stack, data) -> None:
    spring = data["campaigns"]["Spring Glow"]
    open_page(page, stack, f"/campaigns/{spring['id']}")
    page.get_by_test_id("campaign-page").wait_for()
    select = page.get_by_label("Hire status of Creator 001")
    assert select.input_value() == "contracted"
    select.select_option("live")
    page.get_by_text("Creator 001 is now live.").wait_for()
    hires = stack.api("GET", f"/campaigns/{spring['id']}/influencers", data["key"])["items"]
    assert [h["hire_status"] for h in hires] == ["live"]


def test_analytics_charts_have_tables(page, stack: Stack, data) -> None:
    open_page(page, stack, "/analytics")
    wait_idle(page)
    for heading in ("Engagement trend, last 30 days", "Top campaigns by engagement rate", "Audience demographics",
                    "Creative performance by content type"):
        assert page.get_by_role("heading", name=heading).is_visible()
    expect(page.locator("canvas")).to_have_count(4)
    assert page.get_by_role("table", name=re.compile("Engagement rate by content type")).get_by_role("cell", name="Video").is_visible()
    shoot(page, "12-analytics")
    page.get_by_role("button", name="Age group").click()
    page.wait_for_url(re.compile(r"dimension=age_group"))
    wait_idle(page)
    assert page.get_by_role("cell", name="25-34").is_visible()


BAD_CSV = (
    "platform,handle,name,category,country,language,followers\n"
    "instagram,upload_ok_1,Upload One,beauty,US,en,12000\n"
    "instagram,,No Handle,beauty,US,en,5000\n"
    "tiktok,upload_ok_2,Upload Two,tech,GB,en,34000\n"
    "tiktok,upload_bad_followers,Bad Followers,tech,GB,en,lots\n"
)


def test_upload_reports_rejected_rows(page, stack: Stack, data, tmp_path) -> None:
    assert stack.etl_wired, "app.py has no @app.on_sqs_message ETL handler"
    csv = tmp_path / "new-creators.csv"
    csv.write_text(BAD_CSV)
    open_page(page, stack, "/data")
    wait_idle(page)
    page.get_by_label("File kind").select_option("influencers")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_role("button", name="Upload CSV").click()
    # the browser POSTs the file to moto's S3 with the pre-signed form; S3 notifies SQS; the dispatcher
    # runs the ETL handler; the page polls /etl/loads until the load is final and opens its report
    page.get_by_test_id("upload-done").wait_for()
    report = page.get_by_test_id("load-report")
    report.wait_for(timeout=60_000)
    wait_idle(page)
    text = report.inner_text()
    assert "Rejected" in text
    rejected = page.locator(".rejections-table tbody tr")
    expect(rejected).to_have_count(2)
    lines = sorted(int(rejected.nth(i).locator("td").first.inner_text()) for i in range(2))
    assert lines == [3, 5]
    loads = stack.api("GET", "/etl/loads", data["key"])["items"]
    assert [(ld["rows_loaded"], ld["rows_rejected"]) for ld in loads] == [(2, 2)]
    shoot(page, "13-data-upload-report")


RERUN_CSV = (
    "platform,handle,name,category,country,language,followers\n"
    "instagram,rerun_one,Rerun One,beauty,US,en,12000\n"
    "tiktok,rerun_two,Rerun Two,tech,GB,en,34000\n"
)


def test_rerun_button_reloads_a_load(page, stack: Stack, data, db) -> None:  # noqa: ANN001
    """Issue 10, point 10: a manager re-runs a load from the Data page (POST /etl/loads/{id}/rerun puts the
    S3 object back on the ETL queue, forced); rows lost since the first load come back."""
    import time

    import sqlalchemy as sa

    from predictfluence import storage

    assert stack.etl_wired, "app.py has no @app.on_sqs_message ETL handler"
    key = "raw/influencers/20260301/rerun-creators.csv"
    storage.client("s3").put_object(Bucket=stack.raw_bucket, Key=key, Body=RERUN_CSV.encode())  # S3 → SQS → ETL
    deadline = time.monotonic() + 60
    while not (loads := [ld for ld in stack.api("GET", "/etl/loads", data["key"])["items"]
                         if ld["file_key"] == key and ld["status"] == "loaded"]):
        assert time.monotonic() < deadline, "the first load did not finish"
        time.sleep(0.5)
    [first] = loads
    with db.begin() as conn:  # the reason to re-run: the rows were lost since
        conn.execute(sa.text("DELETE FROM influencer WHERE handle LIKE 'rerun%'"))

    open_page(page, stack, "/data")
    wait_idle(page)
    page.get_by_role("button", name=f"Re-run load {first['id']}").click()
    page.get_by_test_id("rerun-status").wait_for()
    report = page.get_by_test_id("load-report")
    report.wait_for(timeout=60_000)
    expect(report).to_contain_text(f"Load #{first['id']}")
    again = stack.api("GET", f"/etl/loads/{first['id']}", data["key"])
    assert again["status"] == "loaded" and again["started_at"] != first["started_at"]
    with db.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM influencer WHERE handle LIKE 'rerun%'")).scalar() == 2
    shoot(page, "14-data-rerun")


def test_phone_width_layout(phone_page, stack: Stack, data) -> None:
    pg = phone_page
    open_page(pg, stack, "/")
    wait_idle(pg)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    assert not pg.locator("#sidenav").is_visible()
    pg.get_by_role("button", name="Menu").click()
    assert pg.get_by_role("link", name="Influencers").is_visible()
    shoot(pg, "14-phone-dashboard-menu")
    pg.get_by_role("link", name="Influencers").click()
    wait_idle(pg)
    expect(pg.get_by_test_id("influencer-card")).to_have_count(50)  # no remembered choice: cards on a phone
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    shoot(pg, "15-phone-influencers", full_page=False)


def test_missing_config_explains_itself(browser, stack: Stack, problems, db) -> None:  # noqa: ANN001
    """Without config.js the sign-in page says so and asks for the API address (404 of config.js expected)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from tests.browser.conftest import HOST, SITE, _free_port

    class NoConfig(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if self.path.startswith("/config.js"):
                self.send_error(404)
                return
            super().do_GET()

        def log_message(self, *args: Any) -> None:
            pass

    port = _free_port()
    server = ThreadingHTTPServer((HOST, port), functools.partial(NoConfig, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ctx = browser.new_context()
    try:
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("console", lambda m: m.type == "error" and errors.append(m.text))
        pg.goto(f"http://{HOST}:{port}/")
        pg.get_by_text("config.js is missing").first.wait_for()
        assert pg.get_by_label("API address").is_visible()
        # the only console error is the 404 of config.js itself
        assert all("404" in e for e in errors), errors
    finally:
        ctx.close()
        server.shutdown()
        server.server_close()


def test_recommendations_hide_flagged_accounts_until_the_toggle(page, stack: Stack, data) -> None:
    """Creator 001 carries an anomaly flag: left out by default, shown and marked with the toggle on."""
    open_page(page, stack, "/recommendations")
    wait_idle(page)
    recs = page.get_by_test_id("recommendation")
    assert recs.count() >= 2
    toggle = page.get_by_label("Include flagged accounts")
    assert toggle.is_visible() and not toggle.is_checked()
    expect(page.locator("[data-flagged=true]")).to_have_count(0)
    assert page.get_by_test_id("flagged-badge").count() == 0
    assert "Creator 001" not in page.get_by_test_id("recommendations").inner_text()
    toggle.check()
    page.wait_for_url(re.compile(r"include_flagged=true"))
    wait_idle(page)
    flagged = page.locator("[data-flagged=true]")
    expect(flagged).to_have_count(1)
    assert "Creator 001" in flagged.inner_text() and "Flagged" in flagged.inner_text()
    assert flagged.get_by_test_id("anomaly-warning").is_visible()
    shoot(page, "09b-recommendations-flagged")
    page.get_by_label("Include flagged accounts").uncheck()
    page.wait_for_url(lambda url: "include_flagged" not in url)
    wait_idle(page)
    expect(page.locator("[data-flagged=true]")).to_have_count(0)
