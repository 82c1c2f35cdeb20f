"""The hiring rule, one place for every path that writes hires: the API (`POST /campaigns/{id}/influencers`,
`PATCH …/influencers/{influencer}`, and hire all, `POST /campaigns/{id}/hires`, checked once on its total)
and the ETL's `hires` kind.

A hire is checked with its campaign row locked (`SELECT … FOR UPDATE`), so a hire through the API and a
hires file loading at the same moment are serialised on the campaign and cannot overspend together:
- an archived campaign takes no new hires;
- a new hire, a higher agreed cost or a cancelled hire brought back must fit the budget: the agreed cost
  of the campaign's hires that are not cancelled (`spent`) plus this one may not exceed it, unless the
  caller explicitly allows an overspend (the API's `allow_overspend`, a hires file's `overspend` column).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


class OverBudget(Exception):
    def __init__(self, budget: float, spent: float, cost: float) -> None:
        super().__init__("over budget")
        self.details = {"budget": budget, "spent": spent, "remaining": round(budget - spent, 2),
                        "agreed_cost": cost}


class CampaignArchived(Exception):
    """Archived campaigns take no new hires."""


def lock_campaigns(conn: Connection, campaign_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The campaigns' rows (id, status, budget), locked until commit, in id order (no deadlock between
    two writers locking overlapping sets)."""
    ids = sorted(set(campaign_ids))
    if not ids:
        return {}
    found = conn.execute(
        sa.text("SELECT id, status, budget FROM campaign WHERE id = ANY(:ids) ORDER BY id FOR UPDATE"),
        {"ids": ids},
    ).mappings()
    return {row["id"]: dict(row) for row in found}


def spent(conn: Connection, campaign_id: int, excluding_influencer: int | None = None) -> float:
    """The agreed cost of the campaign's hires that are not cancelled, less one influencer's hire."""
    return float(conn.execute(
        sa.text("SELECT coalesce(sum(agreed_cost), 0) FROM campaign_influencer WHERE campaign_id = :c "
                "AND status <> 'cancelled' AND influencer_id IS DISTINCT FROM :i"),
        {"c": campaign_id, "i": excluding_influencer},
    ).scalar_one())


def check_hire(campaign: Mapping[str, Any], *, spent: float, cost: float, status: str, new: bool,
               grows: bool, allow_overspend: bool) -> None:
    """Raise CampaignArchived or OverBudget when the hire breaks the rule (module docstring). `campaign`
    is a row from `lock_campaigns`; `spent` the campaign's spend without this hire; `grows` whether an
    existing hire's cost rises or a cancelled hire comes back."""
    if new and campaign["status"] == "archived":
        raise CampaignArchived()
    if not (new or grows) or allow_overspend or status == "cancelled":
        return
    budget = float(campaign["budget"])
    if round(spent + cost, 2) > budget:
        raise OverBudget(budget, spent, cost)
