"""The Data page while a load runs (issue 13.9): the loads table and the load's report say how many rows the
ETL has processed so far, and follow it (the page polls) until the load has ended. The running load is
written as the ETL writes it (etl_jobs.progress): a progress row for a load whose `etl_load` row is not
committed yet; then the load commits and its progress row goes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.conftest import Stack

pytestmark = pytest.mark.browser
KEY = "raw/post_metrics/2026-11-30-week48.csv"


def _sql(db, statement: str, **params) -> None:  # noqa: ANN001, ANN003
    with db.begin() as conn:
        conn.execute(sa.text(statement), params)


def test_the_data_page_follows_rows_processed(page, stack: Stack, db) -> None:  # noqa: ANN001
    load_id = 41
    _sql(db, "INSERT INTO etl_load_progress (load_id, file_key, kind, rows_processed) VALUES (:id, :key, 'post_metrics', 1234)",
         id=load_id, key=KEY)
    page.goto(f"{stack.web_url}#/data?load={load_id}")
    page.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )
    row = page.locator(".loads-table tbody tr", has_text="2026-11-30-week48.csv")
    expect(row.get_by_test_id("rows-processed")).to_have_text("1,234 rows processed")
    expect(row).to_contain_text("Processing")
    expect(page.get_by_test_id("report-progress")).to_have_text("Waiting for the load to finish: 1,234 rows processed so far…")

    _sql(db, "UPDATE etl_load_progress SET rows_processed = 250000, updated_at = now() WHERE load_id = :id", id=load_id)
    expect(row.get_by_test_id("rows-processed")).to_have_text("250,000 rows processed")
    expect(page.get_by_test_id("report-progress")).to_contain_text("250,000 rows processed")

    _sql(db, "INSERT INTO etl_load (id, file_key, checksum, kind, status, rows_in, rows_loaded, rows_rejected, finished_at) "
             "OVERRIDING SYSTEM VALUE VALUES (:id, :key, repeat('a', 64), 'post_metrics', 'loaded', 300000, 300000, 0, now())",
         id=load_id, key=KEY)
    _sql(db, "DELETE FROM etl_load_progress WHERE load_id = :id", id=load_id)
    expect(row).to_contain_text("Loaded")
    expect(row.get_by_test_id("rows-processed")).to_have_count(0)
    expect(row).to_contain_text("300,000")
    expect(page.get_by_test_id("load-report")).to_contain_text("Every row was accepted.")
