"""`predictfluence plan --campaign ID …`: the campaign planner from the command line.

Runs the planner entry the planner function runs (predictfluence_ml.planner_service.run_plan) in-process
against DATABASE_URL (or the embedded database): the same validation, candidates, solver and response as
POST /campaigns/{id}/plan. A refused request prints one line naming the field and exits 2 (a missing
campaign: 1), never a traceback.
"""

from __future__ import annotations

import json
import re

import click

from predictfluence.vocab import PLAN_OBJECTIVES
from predictfluence_tools.cli.errors import CliFailure
from predictfluence_tools.localdb import needs_database

_POSTS = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _posts(value: str | None) -> dict[str, int] | None:
    """`2` → exactly 2; `1-3` → between 1 and 3."""
    if value is None:
        return None
    match = _POSTS.match(value)
    if not match:
        raise click.BadParameter("give N or MIN-MAX, e.g. 2 or 1-3", param_hint="--posts-per-influencer")
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) is not None else low
    return {"min": low, "max": high}


def request_body(budget, objective, max_influencers, posts, platform, category, include_flagged) -> dict:
    """The POST /campaigns/{id}/plan body of the command's options (absent options are left out)."""
    body: dict = {"objective": objective}
    if budget is not None:
        body["budget"] = budget
    filters = {"platform": platform, "category": category}
    body["filters"] = {k: v for k, v in filters.items() if v is not None} | {
        "include_flagged": include_flagged
    }
    constraints: dict = {}
    if max_influencers is not None:
        constraints["max_influencers"] = max_influencers
    if posts is not None:
        constraints["posts_per_influencer"] = posts
    body["constraints"] = constraints
    return body


def _table(plan: dict) -> list[str]:
    money = plan.get("currency") or ""
    unit = plan["forecast"]["unit"]
    lines = [
        f"{'influencer':<24} {'platform':<10} {'tier':<6} {'type':<8} {'posts':>5} {'cost':>10} "
        f"{unit + ' (80 %)':>30}"
    ]
    for item in plan["items"]:
        who = f"{item['handle'] or item['influencer_id']}" + (" *" if item["pinned"] else "")
        span = f"{item['forecast']:,.1f} ({item['forecast_low']:,.0f}–{item['forecast_high']:,.0f})"
        lines.append(
            f"{who[:24]:<24} {item['platform'] or '':<10} {item['follower_tier'] or '':<6} "
            f"{item['content_type'][:8]:<8} {item['posts']:>5} {item['cost']:>10,.2f} {span:>30}"
        )
        lines.append(f"    why: {item['why']}")
    f, c = plan["forecast"], plan["cost_interval"]
    lines += [
        "",
        f"total forecast: {f['total']:,.1f} {unit} (80 % interval {f['low']:,.1f}–{f['high']:,.1f})",
        f"total cost: {plan['cost_total']:,.2f} {money} of budget {plan['budget']:,.2f} "
        f"(80 % interval {c['low']:,.2f}–{c['high']:,.2f}); remaining after: {plan['remaining_after']:,.2f}",
        f"{len(plan['items'])} picks from {plan['candidates']:,} candidates{_cut(plan)}; status {plan['status']}, "
        f"optimality gap {plan['optimality_gap']:.2e}, solved in {plan['solve_ms']:,.0f} ms"
        + ("; * pinned" if any(i["pinned"] for i in plan["items"]) else ""),
    ]
    return lines


@click.command()
@click.option("--campaign", "campaign_id", type=click.IntRange(min=1), required=True, help="Campaign id.")
@click.option("--budget", type=float, default=None, help="Budget (default: the campaign's remaining budget).")
@click.option("--objective", type=click.Choice(PLAN_OBJECTIVES), default="engagements", show_default=True)
@click.option("--max-influencers", type=click.IntRange(min=1), default=None, help="At most N influencers.")
@click.option("--posts-per-influencer", "posts", default=None, help="N, or MIN-MAX (default 1).")
@click.option("--platform", default=None, help="Only this platform.")
@click.option("--category", default=None, help="Only this category.")
@click.option("--include-flagged", is_flag=True, help="Also plan influencers flagged for unusual engagement.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (the API's response).")
@needs_database
def plan(
    campaign_id, budget, objective, max_influencers, posts, platform, category, include_flagged, as_json
):
    """Plan a campaign: the influencers × content types × posts that maximise the forecast within budget."""
    from predictfluence.queries.errors import NotFound
    from predictfluence_ml.planner import PlanError
    from predictfluence_ml.planner_service import run_plan

    body = request_body(
        budget, objective, max_influencers, _posts(posts), platform, category, include_flagged
    )
    try:
        result = run_plan(campaign_id, body)
    except PlanError as exc:
        raise CliFailure(f"{exc.field}: {exc.message}", 2) from None
    except NotFound:
        raise CliFailure(f"campaign {campaign_id} not found", 1) from None
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    for line in _table(result):
        click.echo(line)


commands = [plan]


def _cut(plan: dict) -> str:
    """The note ' (the best of N)' when the pool was cut before solving (docs/ml.md, "The pool cut")."""
    total = plan.get("candidates_total", plan["candidates"])
    return f" (the best of {total:,})" if total > plan["candidates"] else ""
