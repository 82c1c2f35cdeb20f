"""Issue 16.8: the hires kind decides the hiring rule set-based; its verdicts must be those of the rule applied
row by row in file order (queries.hiring.check_hire, as the loader did before) on random files — rows after a
campaign's first refused row included (a refused row frees its cost for the next ones)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from predictfluence.queries.hiring import CampaignArchived, OverBudget, check_hire
from tests.etl.conftest import rows

HANDLES = [f"h{i}" for i in range(24)]
CAMPAIGNS = [f"C{i}" for i in range(5)]


def _reference(campaigns: dict, stored: dict, file_rows: list[tuple]) -> tuple[list[tuple], dict]:
    """The rule row by row: (line, column, reason, value) refused, and the hires afterwards."""
    touched = {(c, h) for c, h, *_ in file_rows}
    spent = {c: sum((cost for (cc, h), (st, cost) in stored.items()
                     if cc == c and st != "cancelled" and (cc, h) not in touched), Decimal(0)) for c in campaigns}
    refused, hires = [], dict(stored)
    for line, (campaign, handle, status, cost, overspend) in enumerate(file_rows, start=2):
        old = stored.get((campaign, handle))
        old_status, old_cost = old if old else (None, Decimal(0))
        new_cost = old_cost if cost is None else cost
        new_status = status or old_status or "contracted"
        grows = new_cost > old_cost or (old_status == "cancelled" != new_status)
        status_, budget = campaigns[campaign]
        try:
            check_hire({"status": status_, "budget": budget}, spent=float(spent[campaign]), cost=float(new_cost),
                       status=new_status, new=old is None, grows=grows, allow_overspend=overspend)
        except CampaignArchived:
            refused.append((line, "campaign", "campaign is archived: it takes no new hires", campaign))
            continue
        except OverBudget:
            refused.append((line, "agreed_cost", f"over budget: {new_cost:.2f} with {spent[campaign]:.2f} already "
                            f"committed exceeds the budget of {budget:.2f} (set overspend to true to allow it)",
                            f"{new_cost:.2f}"))
            continue
        if new_status != "cancelled":
            spent[campaign] += new_cost
        hires[campaign, handle] = (new_status, new_cost)
    return refused, hires


@pytest.mark.parametrize("seed", range(6))
def test_set_based_verdicts_equal_the_row_by_row_rule(db, load, write_csv, seed):
    rng = random.Random(seed)
    influencers = "platform,handle,name\n" + "".join(f"instagram,{h},{h}\n" for h in HANDLES)
    assert load(write_csv("i.csv", influencers, "influencers")).rows_rejected == 0
    campaigns = {c: (rng.choice(["active", "active", "archived"]), Decimal(rng.randrange(0, 600))) for c in CAMPAIGNS}
    text = "name,status,budget\n" + "".join(f"{c},{s},{b}\n" for c, (s, b) in campaigns.items())
    assert load(write_csv("c.csv", text, "campaigns")).rows_rejected == 0
    pairs = [(c, h) for c in CAMPAIGNS for h in HANDLES]
    rng.shuffle(pairs)
    stored = {p: (rng.choice(["contracted", "live", "cancelled"]), Decimal(rng.randrange(0, 150))) for p in pairs[:30]}
    with db.begin() as conn:  # hires already there, written without the rule (as an old load could have)
        for (campaign, handle), (status, cost) in stored.items():
            conn.exec_driver_sql(
                "INSERT INTO campaign_influencer (campaign_id, influencer_id, status, agreed_cost) SELECT c.id, i.id, "
                "%s, %s FROM campaign c, influencer i WHERE c.name = %s AND i.handle = %s",
                (status, cost, campaign, handle))
    file_rows = [(c, h, rng.choice([None, "contracted", "cancelled"]),
                  rng.choice([None, Decimal(rng.randrange(0, 200)), Decimal(rng.randrange(0, 20000)) / 100]),
                  rng.random() < 0.15) for c, h in pairs[10:70]]
    text = "campaign,platform,handle,status,agreed_cost,overspend\n" + "".join(
        f"{c},instagram,{h},{s or ''},{'' if cost is None else cost},{'true' if o else ''}\n"
        for c, h, s, cost, o in file_rows)
    expected, hires = _reference(campaigns, stored, file_rows)
    outcome = load(write_csv("h.csv", text, "hires"))
    assert sorted((r.line, r.column, r.reason, r.value) for r in outcome.rejections) == expected
    assert outcome.rows_loaded == len(file_rows) - len(expected)
    assert any("over budget" in reason for _, _, reason, _ in expected)  # the case that matters
    assert dict(((c, h), (s, cost)) for c, h, s, cost in rows(
        db, "SELECT c.name, i.handle, h.status, h.agreed_cost FROM campaign_influencer h "
            "JOIN campaign c ON c.id = h.campaign_id JOIN influencer i ON i.id = h.influencer_id")) == hires
