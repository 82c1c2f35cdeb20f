"""The planner's numbers around a solved plan: the forecast and cost intervals by joint sampling, and
each pick's plain-words `why` (docs/ml.md, "Campaign planner").

The interval of a sum is not the sum of the intervals: each pick's forecast per post is drawn from a
log-normal whose mean is the point forecast and whose log-spread matches its 80 % interval
(σ = (ln high − ln low) / (2 · z₀.₉)); all picks are drawn jointly (one draw per influencer, shared by
its content types — the same creator's posts go well or badly together; independent across
influencers), the plan total is summed per draw, and its 10th and 90th percentiles are the interval.
The cost interval is drawn the same way, independently of the forecast. Reach is followers, known
exactly, so its interval is the total itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.stats import norm

if TYPE_CHECKING:
    from predictfluence_ml.planner import Candidates, PlanRequest

UNITS = {"engagements": "engagements", "reach": "followers", "conversions": "orders"}
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def _log_params(
    point: np.ndarray, low: np.ndarray, high: np.ndarray, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """μ, σ of a log-normal with mean `point` and the log-width of [low, high] as its central interval."""
    ok = (low > 0) & (high > low) & (point > 0)
    sigma = np.where(ok, (np.log(np.where(ok, high, 1.0)) - np.log(np.where(ok, low, 1.0))) / (2.0 * z), 0.0)
    mu = np.log(np.where(point > 0, point, 1.0)) - sigma**2 / 2.0
    return mu, sigma


def _draw_totals(point, low, high, posts, groups, request: PlanRequest, rng) -> np.ndarray:
    """`request.samples` draws of Σ posts × per-post value; one normal draw per group (influencer)."""
    z = float(norm.ppf(0.5 + request.interval / 2.0))
    mu, sigma = _log_params(point, low, high, z)
    _, inverse = np.unique(groups, return_inverse=True)
    normals = rng.standard_normal((request.samples, int(inverse.max()) + 1))[:, inverse]
    draws = np.exp(mu + sigma * normals) * np.where(point > 0, 1.0, 0.0)
    return draws @ posts.astype(float)


def sample_totals(
    cands: Candidates, request: PlanRequest, rows: np.ndarray, posts: np.ndarray
) -> dict[str, float]:
    """The plan's forecast total and cost total, each with its sampled interval."""
    rng = np.random.default_rng(request.seed)
    q = [50.0 - request.interval * 50.0, 50.0 + request.interval * 50.0]
    ids = cands.influencer_id[rows]
    cost_draws = _draw_totals(
        cands.cost[rows], cands.cost_low[rows], cands.cost_high[rows], posts, ids, request, rng
    )
    cost_low, cost_high = np.percentile(cost_draws, q)
    out = {
        "cost_total": float(cands.cost[rows] @ posts),
        "cost_low": float(cost_low),
        "cost_high": float(cost_high),
    }
    if request.objective == "reach":
        total = float(cands.followers[rows][_first_of_influencer(ids)].sum())
        return out | {"total": total, "low": total, "high": total}
    value_draws = _draw_totals(
        cands.value[rows], cands.value_low[rows], cands.value_high[rows], posts, ids, request, rng
    )
    low, high = np.percentile(value_draws, q)
    return out | {"total": float(cands.value[rows] @ posts), "low": float(low), "high": float(high)}


def _first_of_influencer(ids: np.ndarray) -> np.ndarray:
    first = np.zeros(len(ids), dtype=bool)
    first[np.unique(ids, return_index=True)[1]] = True
    return first


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def number(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def money(x: float, currency: str) -> str:
    symbol = _SYMBOLS.get(currency.upper())
    return f"{symbol}{x:,.0f}" if symbol else f"{x:,.0f} {currency}".strip()


def posts_of(n: int, content_type: str) -> str:
    kind = content_type or "post"
    if n == 1:
        return f"1 {kind}"
    if kind.endswith("y") and not kind.endswith(("ay", "ey", "oy")):
        return f"{n} {kind[:-1]}ies"
    return f"{n} {kind}" if kind.endswith("s") else f"{n} {kind}s"


def _ranks(per_dollar_all: np.ndarray, per_dollar: np.ndarray) -> np.ndarray:
    """1 + how many candidates give strictly more per dollar."""
    ordered = np.sort(per_dollar_all)
    return 1 + len(ordered) - np.searchsorted(ordered, per_dollar, side="right")


def describe_picks(
    cands: Candidates, request: PlanRequest, rows: np.ndarray, posts: np.ndarray
) -> list[dict[str, Any]]:
    """One dict per pick (the `Pick` fields), with its `why` in plain words."""
    currency = request.currency
    reach = request.objective == "reach"
    unit = UNITS[request.objective]
    per_post = cands.followers if reach else cands.value
    with np.errstate(divide="ignore", invalid="ignore"):
        per_dollar_all = np.where(cands.cost > 0, per_post / cands.cost, 0.0)
    ranks = _ranks(per_dollar_all, per_dollar_all[rows])
    first = _first_of_influencer(cands.influencer_id[rows])
    out = []
    for j, (row, n) in enumerate(zip(rows.tolist(), posts.tolist(), strict=True)):
        cost = float(cands.cost[row]) * n
        if reach:
            counted = float(cands.followers[row]) if first[j] else 0.0
            forecast, low, high = counted, counted, counted
        else:
            forecast, low, high = (
                float(a[row]) * n for a in (cands.value, cands.value_low, cands.value_high)
            )
        pinned = int(cands.influencer_id[row]) in request.pinned
        what = posts_of(n, str(cands.content_type[row]))
        if reach and not first[j]:
            head = (
                f"{what}: its followers are already counted with its other pick; adds {money(cost, currency)}"
            )
        elif reach:
            head = f"{what}: {number(forecast)} followers reached for {money(cost, currency)}"
        else:
            head = (
                f"{what}: {number(forecast)} {unit} forecast ({number(low)}–{number(high)}) "
                f"for {money(cost, currency)}"
            )
        rank = (
            f" — {number(float(per_dollar_all[row]))} per dollar, {ordinal(int(ranks[j]))} best per dollar "
            f"among {len(cands):,} candidates"
        )
        why = head + rank + ("; pinned by you" if pinned else "")
        out.append(
            {
                "row": int(row),
                "influencer_id": int(cands.influencer_id[row]),
                "content_type": str(cands.content_type[row]),
                "posts": int(n),
                "cost_per_post": float(cands.cost[row]),
                "cost": cost,
                "cost_low": float(cands.cost_low[row]) * n,
                "cost_high": float(cands.cost_high[row]) * n,
                "forecast": forecast,
                "forecast_low": low,
                "forecast_high": high,
                "pinned": pinned,
                "why": why,
            }
        )
    return out
