"""Issue 10.3: a hires file obeys the API's hiring rule (predictfluence.queries.hiring), row by row.

Before: a hires CSV could put a 999,999 hire into an archived campaign with a budget of 100.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import sqlalchemy as sa

from predictfluence.queries.hiring import lock_campaigns
from tests.etl.conftest import rows, scalar

HEADER = "campaign,platform,handle,status,agreed_cost,hired_at"
OVER = ("over budget: {cost} with {spent} already committed exceeds the budget of 100.00 "
        "(set overspend to true to allow it)")


def _campaign(load, write_csv, name: str, status: str, budget: int) -> None:
    text = f"name,status,budget\n{name},{status},{budget}\n"
    assert load(write_csv(f"{name}.csv", text, "campaigns")).rows_loaded == 1


def _hires(load, write_csv, *lines: str, header: str = HEADER):
    return load(write_csv("hires.csv", "\n".join([header, *lines]) + "\n", "hires"))


def test_a_new_hire_into_an_archived_campaign_is_a_rejected_row(seeded, load, write_csv):
    _campaign(load, write_csv, "Old", "archived", 100)
    outcome = _hires(load, write_csv, "Old,instagram,ana,contracted,999999,", "Spring Glow,tiktok,bo,,50,")
    assert (outcome.status, outcome.rows_in, outcome.rows_loaded) == ("loaded", 2, 1)
    assert [(r.line, r.column, r.reason, r.value) for r in outcome.rejections] == [
        (2, "campaign", "campaign is archived: it takes no new hires", "Old")]
    assert rows(seeded, "SELECT c.name, h.agreed_cost FROM campaign_influencer h JOIN campaign c "
                        "ON c.id = h.campaign_id") == [("Spring Glow", Decimal("50.00"))]


def test_hires_over_the_budget_are_rejected_in_file_order_and_the_rest_load(seeded, load, write_csv):
    _campaign(load, write_csv, "Small", "active", 100)
    outcome = _hires(load, write_csv,
                     "Small,instagram,ana,contracted,60,",
                     "Small,tiktok,bo,contracted,999999,",
                     "Small,youtube,cy,contracted,40,")
    assert (outcome.rows_in, outcome.rows_loaded) == (3, 2)
    assert [(r.line, r.column, r.reason, r.value) for r in outcome.rejections] == [
        (3, "agreed_cost", OVER.format(cost="999999.00", spent="60.00"), "999999.00")]
    assert scalar(seeded, "SELECT sum(agreed_cost) FROM campaign_influencer") == Decimal("100.00")
    # raising a stored hire's cost counts the others; cancelling one frees its budget
    outcome = _hires(load, write_csv, "Small,instagram,ana,,61,")
    assert [(r.line, r.reason) for r in outcome.rejections] == [(2, OVER.format(cost="61.00", spent="40.00"))]
    outcome = _hires(load, write_csv, "Small,youtube,cy,cancelled,,", "Small,instagram,ana,,100,")
    assert (outcome.rows_loaded, outcome.rejections) == (2, [])


def test_an_overspend_column_set_to_true_allows_it(seeded, load, write_csv):
    _campaign(load, write_csv, "Small", "active", 100)
    outcome = _hires(load, write_csv, "Small,instagram,ana,contracted,500,,true", "Small,tiktok,bo,contracted,1,,no",
                     header=HEADER + ",overspend")
    assert (outcome.rows_loaded, [(r.line, r.column) for r in outcome.rejections]) == (1, [(3, "agreed_cost")])
    assert scalar(seeded, "SELECT sum(agreed_cost) FROM campaign_influencer") == Decimal("500.00")


def test_an_api_hire_and_a_hires_load_on_one_campaign_cannot_overspend_together(seeded, load, write_csv):
    """The API's hire holds the campaign's lock; the load waits for it (observed in pg_locks), then sees the
    committed spend and rejects what no longer fits."""
    _campaign(load, write_csv, "Small", "active", 100)
    path = write_csv("hires.csv", f"{HEADER}\nSmall,tiktok,bo,contracted,70,\n", "hires")
    outcome = {}
    with seeded.connect() as api, api.begin():
        campaign_id = scalar(seeded, "SELECT id FROM campaign WHERE name = 'Small'")
        ana = scalar(seeded, "SELECT id FROM influencer WHERE handle = 'ana'")
        lock_campaigns(api, [campaign_id])  # what predictfluence.queries.campaigns.hire does first
        loader = threading.Thread(target=lambda: outcome.update(result=load(path)))
        loader.start()
        deadline = time.monotonic() + 30
        while not scalar(seeded, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                 "AND wait_event_type = 'Lock'"):
            assert time.monotonic() < deadline, "the load never waited for the campaign's lock"
            time.sleep(0.05)
        api.execute(sa.text("INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost) "
                            "VALUES (:c, :i, 'contracted', 60)"), {"c": campaign_id, "i": ana})
    loader.join(60)
    result = outcome["result"]
    assert (result.rows_loaded, [(r.line, r.reason) for r in result.rejections]) == (
        0, [(2, OVER.format(cost="70.00", spent="60.00"))])
    assert scalar(seeded, "SELECT sum(agreed_cost) FROM campaign_influencer") == Decimal("60.00")
