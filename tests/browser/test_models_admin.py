"""The models page's "Retrain now" for admins: POST /models/retrain, then GET /models polled until a newer
version appears. The retrain runner is replaced by one that registers a version row (the real run trains on the
seeded world's few rows, which is the ML tests' business), so the site's part is what is checked here."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import PageProblems, Stack, _new_page
from tests.browser.seed import seed

pytestmark = pytest.mark.browser


@pytest.fixture()
def admin_page(browser, stack: Stack, db, problems: PageProblems) -> Iterator[Any]:  # noqa: ANN001
    from predictfluence.api.auth import create_key

    seed(db)
    ctx, pg = _new_page(
        browser, problems, create_key("admin", "admin in the browser")[0], {"width": 1440, "height": 900}
    )
    yield pg
    ctx.close()
    assert not problems.items, "browser problems:\n" + "\n".join(problems.items)


@pytest.fixture()
def fake_runner(db) -> Iterator[dict[str, Any]]:  # noqa: ANN001
    """The local retrain runner, replaced: it waits for the test's go, then registers version v-next."""
    from predictfluence import retraining

    state: dict[str, Any] = {"go": threading.Event(), "events": []}

    def run(event: dict[str, Any]) -> None:
        state["events"].append(event)
        state["go"].wait(30)
        with db.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO model_version (kind, version, status, metrics, artifact_uri, sha256, details) "
                "VALUES ('er_regressor', 'v-next', 'rejected', '{\"holdout_rows\": 321}'::jsonb, "
                "'s3://models/er/v-next.joblib', repeat('1', 64), "
                "'{\"data_window\": {\"train_rows\": 1234, \"holdout_rows\": 321}}'::jsonb)"))  # fmt: skip

    saved = retraining._local_runner
    retraining.set_local_runner(run)
    yield state
    state["go"].set()
    retraining.wait_for_background(30)
    retraining.set_local_runner(saved)


def visit(pg: Any, stack: Stack, route: str) -> None:
    pg.goto(f"{stack.web_url}#{route}")
    pg.wait_for_function(
        "() => document.body.dataset.ready === location.hash && !document.querySelector('main .loading')"
    )


def test_retrain_now_shows_progress_then_the_new_version(admin_page, stack: Stack, fake_runner) -> None:
    pg = admin_page
    visit(pg, stack, "/models")
    panel = pg.get_by_test_id("retrain-panel")
    expect(panel).to_contain_text("The newest version, v-test, was trained")
    assert axe_violations(pg, "html") == []
    pg.get_by_role("button", name="Retrain now").click()
    expect(panel.get_by_test_id("retrain-status")).to_contain_text("Training… still running")
    expect(pg.get_by_role("button", name="Retrain now")).to_be_disabled()
    fake_runner["go"].set()
    # the page re-renders with the new version: newest in the panel and first in the versions table
    expect(pg.get_by_test_id("retrain-panel")).to_contain_text(
        "The newest version, v-next, was trained", timeout=30_000
    )
    expect(pg.get_by_test_id("retrain-panel")).to_contain_text("measured on 321 held-out rows")
    expect(pg.locator(".versions-table tbody tr").first).to_contain_text("v-next")
    # per version: when it was trained and on how many rows (training, holdout)
    headers = [t.strip() for t in pg.locator(".versions-table thead th").all_text_contents()]
    cells = [
        t.strip() for t in pg.locator(".versions-table tbody tr").first.locator("th, td").all_text_contents()
    ]
    row = dict(zip(headers, cells, strict=True))
    assert (row["Training rows"], row["Holdout rows"]) == ("1,234", "321")
    assert row["Trained"].strip() not in ("", "—")
    assert axe_violations(pg, "html") == []
    assert len(fake_runner["events"]) == 1  # one run started by the one click
