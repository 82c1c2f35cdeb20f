"""The Data page's preview (issue 12, item 3): choosing a file shows what it would load as — detected
kind, platform, each column's samples, target, confidence and why — before anything loads; the manager
changes a target, a bad one gets the API's 422 next to its column, then "Save mapping and load" saves
the mapping and runs the upload (S3 → SQS → ETL) with it — in Chromium against the real API."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tests.api.test_mappings import EXPORT
from tests.browser.axe import axe_violations
from tests.browser.conftest import Stack, shoot
from tests.browser.test_site import open_page, wait_idle

pytestmark = pytest.mark.browser


def _row(page: Any, header: str) -> Any:
    return page.locator(".mapping-table tbody tr").filter(has=page.locator("label", has_text=header)).first


def test_preview_change_a_mapping_then_save_and_load(
    page, stack: Stack, api_key: str, db, problems, tmp_path
) -> None:  # noqa: ANN001
    assert stack.etl_wired, "app.py has no @app.on_sqs_message ETL handler"
    csv = tmp_path / "tiktok_top_september.csv"
    csv.write_text(EXPORT, encoding="utf-8")
    open_page(page, stack, "/data")
    wait_idle(page)
    page.get_by_label("CSV file").set_input_files(str(csv))
    preview = page.get_by_test_id("preview")
    page.locator(".mapping-table").wait_for()
    summary = page.get_by_test_id("preview-summary").inner_text()
    assert "Profile snapshots" in summary and "tiktok (from file name)" in summary, summary
    assert page.get_by_label("File kind").input_value() == "profiles"
    assert page.get_by_label("Tiktoker", exact=True).input_value() == "handle"
    assert page.get_by_label("Subscribers count").input_value() == "followers"
    assert "khaby.lame" in _row(page, "Tiktoker").inner_text()
    assert axe_violations(page, "[data-testid=preview]") == []
    shoot(page, "40-data-preview")
    with db.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT count(*) FROM influencer")).scalar_one() == 0
        )  # nothing loaded yet

    # a bad mapping: two headers to followers → the API's 422 is shown next to the column it names
    problems.allow("422")
    page.get_by_label("Rank").select_option("followers")
    page.get_by_test_id("save-and-load").click()
    error = _row(page, "Rank").get_by_test_id("mapping-error")
    expect_text(error, "also maps to 'followers'")
    assert page.get_by_label("Rank").get_attribute("aria-invalid") == "true"

    page.get_by_label("Rank").select_option("ignore")
    page.get_by_label("Country").select_option("ignore")
    page.get_by_test_id("save-and-load").click()
    page.get_by_test_id("upload-done").wait_for()
    page.get_by_test_id("load-report").wait_for(timeout=60_000)
    wait_idle(page)
    assert preview.is_hidden() or "Preview" in preview.inner_text()
    loads = stack.api("GET", "/etl/loads", api_key)["items"]
    assert [(ld["kind"], ld["status"], ld["rows_loaded"]) for ld in loads] == [("profiles", "loaded", 6)]
    saved = stack.api("GET", "/imports/mappings", api_key)["items"]
    assert (
        len(saved) == 1
        and saved[0]["mapping"]["Country"] == "ignore"
        and saved[0]["mapping"]["Rank"] == "ignore"
    )
    with db.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT platform, handle, country, followers FROM influencer ORDER BY followers DESC")
        ).all()
    assert len(rows) == 6 and {r.platform for r in rows} == {"tiktok"} and {r.country for r in rows} == {None}
    assert (rows[0].handle, rows[0].followers) == ("charlidamelio", 149_300_000)
    shoot(page, "41-data-saved-mapping-load")


def expect_text(locator: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)


def test_a_utf16_export_previews_like_its_utf8_twin(page, stack: Stack, tmp_path) -> None:
    csv = tmp_path / "tiktok_top_october.csv"
    csv.write_text(EXPORT, encoding="utf-16")  # with its byte-order mark, as spreadsheets save "Unicode text"
    open_page(page, stack, "/data")
    wait_idle(page)
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.locator(".mapping-table").wait_for()
    assert page.get_by_label("Tiktoker", exact=True).input_value() == "handle"
    assert "tiktok (from file name)" in page.get_by_test_id("preview-summary").inner_text()
