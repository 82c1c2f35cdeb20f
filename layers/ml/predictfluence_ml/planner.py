"""The campaign planner's solver: an integer programme over influencer × content-type candidates.

Pure: numpy arrays in (`Candidates`), a `Plan` out; no database, no I/O. The formulation, the interval
and the measured latencies are in docs/ml.md, "Campaign planner". In short, with candidate rows k (one
influencer i(k) × one content type) and influencers i:

    maximise   Σ_k value_k · n_k                      (engagements, conversions)
          or   Σ_i followers_i · y_i − ε Σ_k cost_k n_k  (reach; ε·budget < 1 only breaks ties by cost)
    subject to min_posts · y_i ≤ Σ_{k of i} n_k ≤ max_posts · y_i
               Σ_k cost_k · n_k ≤ budget
               Σ_i y_i ≤ max_influencers
               share_min_g · Σ_k cost_k n_k ≤ Σ_{k in g} cost_k n_k ≤ share_max_g · Σ_k cost_k n_k
               y_i = 1 for pinned i;   n_k ∈ {0, …, max_posts},  y_i ∈ {0, 1}

solved by `scipy.optimize.milp` (HiGHS) with a time limit; `Plan.optimality_gap` is HiGHS's relative
MIP gap (0 when proven optimal). Errors the caller can fix raise `PlanError` (an HTTP status and the
request field it names).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from predictfluence_ml import planner_dp as dp
from predictfluence_ml import planner_reduce as reduce
from predictfluence_ml.planner_report import describe_picks, sample_totals
from predictfluence_ml.planner_validate import PlanError, Share, validate

__all__ = [
    "Candidates",
    "Pick",
    "Plan",
    "PlanError",
    "PlanRequest",
    "Share",
    "prune_dominated",
    "solve_plan",
    "validate",
]

_DIRECT_LIMIT = 1500  # candidate rows solved as one MILP; above it, LP-bound fixing first
_RESTRICTED_SIZE = 300  # rows (besides those the LP uses) in the MILP that finds the incumbent
_HUGE_LIMIT = 20_000  # candidate rows above which the knapsack bound reduces first
_HUGE_RESTRICTED = 1_000  # rows of the MILP that finds that stage's incumbent
_INCUMBENT_GAP = 1e-4  # the restricted MILP only has to find a good incumbent
# HiGHS options scipy passes through (with a warning it does not know them): its primal heuristics
# (sub-MIP, RINS) took most of the time on these knapsack-like instances, where the LP already gives a
# near-optimal point; measured 2-4x faster per solve without them, same optimum.
_HIGHS_OPTIONS = {"mip_heuristic_effort": 0.0}
_DP_PATH, _DP = True, (100, 200, 2.0)  # planner_dp first: its beam, core; CPU seconds before the MILPs
_REACH_TIE_BREAK = 0.5  # ε = this / budget: the cost tie-break can never outweigh one follower


@dataclass(frozen=True)
class PlanRequest:
    """What to plan. `pinned` are influencer ids that must be in the plan."""

    budget: float
    objective: str = "engagements"
    min_posts: int = 1
    max_posts: int = 1
    max_influencers: int | None = None
    platform_share: Mapping[str, Share] = field(default_factory=dict)
    tier_share: Mapping[str, Share] = field(default_factory=dict)
    pinned: frozenset[int] = frozenset()
    time_limit: float = 10.0
    mip_rel_gap: float = 1e-4
    samples: int = 2000
    interval: float = 0.8
    seed: int = 0
    currency: str = "USD"


@dataclass(frozen=True)
class Candidates:
    """One row per influencer × content type; every array has the same length. `value*` is the
    objective's forecast per post and its 80 % interval (engagements or conversions; unused for reach),
    `cost*` the forecast cost of one post and its 80 % interval."""

    influencer_id: np.ndarray
    content_type: np.ndarray
    value: np.ndarray
    value_low: np.ndarray
    value_high: np.ndarray
    cost: np.ndarray
    cost_low: np.ndarray
    cost_high: np.ndarray
    followers: np.ndarray
    platform: np.ndarray
    tier: np.ndarray

    def __len__(self) -> int:
        return int(self.influencer_id.shape[0])

    @classmethod
    def from_rows(cls, rows: Sequence[Mapping[str, Any]]) -> Candidates:
        """From dicts with the field names as keys (None in an interval → no uncertainty known)."""

        def num(key: str, fallback: str | None = None) -> np.ndarray:
            out = np.array(
                [
                    r.get(key) if r.get(key) is not None else (r.get(fallback) if fallback else None)
                    for r in rows
                ],
                dtype=float,
            )
            return np.nan_to_num(out, nan=0.0)

        def text(key: str) -> np.ndarray:
            return np.array([str(r.get(key) or "") for r in rows], dtype=object)

        return cls(
            influencer_id=np.array([int(r["influencer_id"]) for r in rows], dtype=np.int64),
            content_type=text("content_type"),
            value=num("value"),
            value_low=num("value_low", "value"),
            value_high=num("value_high", "value"),
            cost=num("cost"),
            cost_low=num("cost_low", "cost"),
            cost_high=num("cost_high", "cost"),
            followers=num("followers"),
            platform=text("platform"),
            tier=text("tier"),
        )

    def take(self, index: np.ndarray) -> Candidates:
        return Candidates(**{k: v[index] for k, v in self.__dict__.items()})


@dataclass(frozen=True)
class Pick:
    row: int
    influencer_id: int
    content_type: str
    posts: int
    cost_per_post: float
    cost: float
    cost_low: float
    cost_high: float
    forecast: float
    forecast_low: float
    forecast_high: float
    pinned: bool
    why: str


@dataclass(frozen=True)
class Plan:
    objective: str
    status: str
    optimality_gap: float
    candidates: int
    solved_candidates: int
    solve_ms: float
    total: float
    low: float
    high: float
    interval: float
    cost_total: float
    cost_low: float
    cost_high: float
    picks: tuple[Pick, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def prune_dominated(candidates: Candidates, request: PlanRequest) -> np.ndarray:
    """Indices of the rows worth keeping. Without share constraints a row is dropped when another content
    type of the same influencer costs no more and forecasts no less (for reach: costs no more): moving
    its posts there keeps every constraint (the posts bounds are per influencer, the budget only eases)
    and the objective does not fall, so an optimal plan survives. With share constraints nothing is
    dropped: moving cost inside one platform or tier can break a share bound."""
    if request.platform_share or request.tier_share or len(candidates) == 0:
        return np.arange(len(candidates))
    value = np.zeros(len(candidates)) if request.objective == "reach" else candidates.value
    order = np.lexsort((-value, candidates.cost, candidates.influencer_id))
    ids, val = candidates.influencer_id[order], value[order]
    keep = np.ones(len(order), dtype=bool)
    _, counts = np.unique(ids, return_counts=True)
    for d in range(1, int(counts.max())):
        same = ids[d:] == ids[:-d]
        keep[d:] &= ~(same & (val[:-d] >= val[d:]))
    return np.sort(order[keep])


def _share_rows(cands: Candidates, request: PlanRequest, width: int) -> list[tuple[np.ndarray, float, float]]:
    rows = []
    for shares, column in ((request.platform_share, cands.platform), (request.tier_share, cands.tier)):
        for key, share in shares.items():
            member = (column == key).astype(float)
            if share.min > 0:
                rows.append(
                    (np.concatenate([cands.cost * (member - share.min), np.zeros(width)]), 0.0, np.inf)
                )
            if share.max < 1:
                rows.append(
                    (np.concatenate([cands.cost * (member - share.max), np.zeros(width)]), -np.inf, 0.0)
                )
    return rows


def _programme(cands: Candidates, request: PlanRequest, owner: np.ndarray, ids: np.ndarray):
    """Objective, constraints, integrality and bounds of the MILP over x = [n_k …, y_i …]."""
    k, m = len(cands), len(ids)
    incidence = sparse.csr_matrix((np.ones(k), (owner, np.arange(k))), shape=(m, k))
    eye = sparse.identity(m, format="csr")
    constraints = [
        LinearConstraint(sparse.hstack([incidence, -request.max_posts * eye]), -np.inf, 0.0),
        LinearConstraint(sparse.hstack([incidence, -request.min_posts * eye]), 0.0, np.inf),
    ]
    dense_rows = [(np.concatenate([cands.cost, np.zeros(m)]), -np.inf, float(request.budget))]
    if request.max_influencers is not None and request.max_influencers < m:
        dense_rows.append(
            (np.concatenate([np.zeros(k), np.ones(m)]), -np.inf, float(request.max_influencers))
        )
    dense_rows += _share_rows(cands, request, m)
    matrix = sparse.csr_matrix(np.vstack([r[0] for r in dense_rows]))
    constraints.append(LinearConstraint(matrix, [r[1] for r in dense_rows], [r[2] for r in dense_rows]))
    if request.objective == "reach":
        followers = np.zeros(m)
        followers[owner] = cands.followers
        c = np.concatenate([cands.cost * (_REACH_TIE_BREAK / request.budget), -followers])
    else:
        c = np.concatenate([-cands.value, np.zeros(m)])
    lower = np.zeros(k + m)
    lower[k:][np.isin(ids, np.fromiter(request.pinned, dtype=np.int64, count=len(request.pinned)))] = 1.0
    upper = np.concatenate([np.full(k, float(request.max_posts)), np.ones(m)])
    return c, constraints, np.ones(k + m), Bounds(lower, upper)


def _milp(
    cands: Candidates,
    request: PlanRequest,
    time_limit: float,
    gap: float | None = None,
    fixed: tuple[np.ndarray, np.ndarray] | None = None,
):
    """The MILP over `cands`; `fixed` (two masks over its rows) holds rows at max_posts posts and their
    influencers in the plan (predictfluence_ml.planner_reduce.proven_fixing)."""
    ids, owner = np.unique(cands.influencer_id, return_inverse=True)
    c, constraints, integrality, bounds = _programme(cands, request, owner, ids)
    if fixed is not None:
        posts, chosen = fixed
        bounds.lb[: len(cands)][posts] = bounds.ub[: len(cands)][posts]
        bounds.lb[len(cands) + owner[posts | chosen]] = 1.0
    gap = float(request.mip_rel_gap) if gap is None else gap
    options = {"time_limit": max(time_limit, 0.05), "mip_rel_gap": gap, "disp": False, **_HIGHS_OPTIONS}
    with reduce.quiet_stdout(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unrecognized options", category=RuntimeWarning)
        return milp(c, constraints=constraints, integrality=integrality, bounds=bounds, options=options)


def _outcome(
    result, rows: np.ndarray, lower_bound: float | None = None, target: float = 0.0
) -> tuple[Any, np.ndarray, str, float]:
    """(result, rows, status, gap). `lower_bound` (minimisation form) is a bound valid for the whole
    problem when `result` was solved over a subset that may miss the optimum: the gap is then against it,
    and the plan is `optimal` when that gap is within `target` (the request's relative gap)."""
    if result.x is None:
        return result, rows, "", 0.0
    gap = max(float(getattr(result, "mip_gap", 0.0) or 0.0), 0.0)
    if lower_bound is not None:
        gap = max((float(result.fun) - lower_bound) / max(abs(float(result.fun)), 1e-9), 0.0)
        return result, rows, "optimal" if gap <= target else "time_limit", gap
    return result, rows, "optimal" if result.status == 0 else "time_limit", gap


def _knapsack_stage(cands: Candidates, request: PlanRequest, deadline: float):
    """(rows, incumbent result, its rows, bound): the rows that may be in a plan at least as good as an
    incumbent by the knapsack bound (predictfluence_ml.planner_reduce.knapsack_bound), the incumbent
    (the optimum over the rows with the best bounds) and the bound U, in minimisation form (−U), valid for
    the whole problem; None when it does not apply or finds no incumbent."""
    if len(cands) <= _HUGE_LIMIT:
        return None
    # reach: a plan's reach is at most that of one row per chosen influencer (any used one, row k
    # included) with its followers as value, at most one unit each — the same knapsack with cap 1
    reach = request.objective == "reach"
    value, cap = (cands.followers, 1) if reach else (cands.value, request.max_posts)
    upper, reduced = reduce.knapsack_bound(value, cands.cost, float(request.budget), cap)
    bound = upper - reduced
    pinned = np.flatnonzero(np.isin(cands.influencer_id, np.array(sorted(request.pinned), dtype=np.int64)))
    first = np.union1d(np.argsort(-bound, kind="stable")[:_HUGE_RESTRICTED], pinned)
    result = _milp(cands.take(first), request, deadline - time.perf_counter(), _INCUMBENT_GAP)
    if result.x is None:
        return None
    incumbent = -float(result.fun)
    keep = np.flatnonzero(bound >= incumbent - 1e-6 * max(1.0, abs(incumbent)))
    keep = np.union1d(np.union1d(keep, first[np.rint(result.x[: len(first)]) > 0]), pinned)
    return keep, result, first, -upper  # reach: −U bounds ε·cost − followers too (ε·cost ≥ 0)


def _within(result, lower_bound: float, request: PlanRequest) -> bool:
    """Whether a feasible `result` is proven within the request's relative gap of a valid bound."""
    fun = float(result.fun)
    return fun - lower_bound <= float(request.mip_rel_gap) * max(abs(fun), 1e-9)


def _solve(cands: Candidates, request: PlanRequest, huge: bool = True) -> tuple[Any, np.ndarray, str, float]:
    """The MILP's result, the rows of `cands` it was solved over, status and gap. Large instances are
    first reduced by LP-bound fixing (predictfluence_ml.planner_reduce): it never drops a row of a plan
    better than one already found, so the optimum over the rest is the optimum. An incumbent already
    within the request's gap of a valid bound (the knapsack bound, the LP relaxation) is returned at once."""
    deadline = time.perf_counter() + float(request.time_limit)
    everything, target = np.arange(len(cands)), float(request.mip_rel_gap)
    small = _DP_PATH and len(cands) <= _HUGE_LIMIT  # larger: the knapsack stage first (then maybe this)
    exact = small and dp.solve_request(cands, request, deadline, _REACH_TIE_BREAK, *_DP)
    if exact:  # no side constraints: the exact dynamic programme (planner_dp) answered
        return _outcome(exact, everything)
    stage = _knapsack_stage(cands, request, deadline) if huge else None
    if stage is not None:
        keep, result, first, upper = stage
        if _within(result, upper, request):
            return _outcome(result, first, upper, target)
        rest = replace(request, time_limit=max(deadline - time.perf_counter(), 0.05))
        result, rows, status, gap = _solve(cands.take(keep), rest, huge=False)
        return result, keep[rows], status, gap
    if len(cands) <= _DIRECT_LIMIT:
        return _outcome(_milp(cands, request, float(request.time_limit)), everything)
    return _solve_lp(cands, request, deadline)


def _solve_lp(cands: Candidates, request: PlanRequest, deadline: float) -> tuple[Any, np.ndarray, str, float]:
    """LP-bound fixing (predictfluence_ml.planner_reduce): rows provably out of (at 0) or in (at max_posts)
    every plan better than an incumbent are dropped or fixed before the final MILP."""
    everything, target = np.arange(len(cands)), float(request.mip_rel_gap)
    ids, owner = np.unique(cands.influencer_id, return_inverse=True)
    c, constraints, _, bounds = _programme(cands, request, owner, ids)
    lp = reduce.lp_relaxation(c, constraints, bounds)
    if lp is None:  # infeasible (or numerically unsolved) relaxation: let the MILP say so
        return _outcome(_milp(cands, request, float(request.time_limit)), everything)
    pinned = bounds.lb[len(cands) :] > 0
    bound = reduce.row_bounds(lp, len(cands), owner, pinned)
    order = np.argsort(bound, kind="stable")[:_RESTRICTED_SIZE]
    guess = reduce.rounded_plan(lp, c, constraints, bounds, owner, request.min_posts, order)
    if guess is not None and _within(guess, float(lp.fun), request):
        return _outcome(guess, everything, float(lp.fun), target)
    first = reduce.restricted_rows(lp, bound, owner, np.flatnonzero(pinned), _RESTRICTED_SIZE)
    core = reduce.core_fixing(lp, owner, _RESTRICTED_SIZE)  # a heuristic: only for the incumbent
    held = (core[0][first], core[1][first])
    result = _milp(cands.take(first), request, deadline - time.perf_counter(), _INCUMBENT_GAP, held)
    if result.x is None and guess is not None:  # the restricted MILP ran out of time: the rounded plan
        return _outcome(guess, everything, float(lp.fun), target)
    if result.x is None:
        return _outcome(_milp(cands, request, deadline - time.perf_counter()), everything)
    if _within(result, float(lp.fun), request):
        return _outcome(result, first, float(lp.fun), target)
    if guess is not None and guess.fun < result.fun:
        result, first = guess, everything
    used = first[np.rint(result.x[: len(first)]) > 0]
    keep = np.union1d(reduce.survivors(bound, float(result.fun)), used)
    keep = np.union1d(keep, np.flatnonzero(pinned[owner]))
    fixed = reduce.proven_fixing(lp, owner, float(result.fun))
    final = _milp(
        cands.take(keep), request, deadline - time.perf_counter(), None, (fixed[0][keep], fixed[1][keep])
    )
    if final.x is None or final.fun > result.fun + 1e-9 * max(1.0, abs(result.fun)):  # not better: cut short
        dual = getattr(final, "mip_dual_bound", None)  # over `keep`, where the optimum lies: valid for all
        bound = max(float(lp.fun), dual) if dual is not None and np.isfinite(dual) else float(lp.fun)
        return _outcome(result, first, min(bound, float(result.fun)), target)
    return _outcome(final, keep)


def solve_plan(candidates: Candidates, request: PlanRequest) -> Plan:
    """The plan that maximises the objective's forecast within the budget and the constraints."""
    validate(candidates, request)
    started = time.perf_counter()
    kept = prune_dominated(candidates, request)
    result, solved, status, gap = _solve(candidates.take(kept), request)
    solve_ms = (time.perf_counter() - started) * 1000.0
    if result.x is None:
        if result.status == 2:
            raise PlanError("constraints", "no plan satisfies the constraints within the budget (infeasible)")
        raise PlanError("constraints", f"no feasible plan found ({result.message})")
    posts = np.rint(result.x[: len(solved)]).astype(np.int64)
    chosen = np.flatnonzero(posts > 0)
    if chosen.size == 0:
        raise PlanError("constraints", "no plan satisfies the constraints within the budget")
    rows = kept[solved[chosen]]
    if float(candidates.cost[rows] @ posts[chosen]) > request.budget:  # never a plan over budget
        raise PlanError("constraints", "the plan exceeds the budget after rounding; retry a little higher")
    return _plan(candidates, request, rows, posts[chosen], status, gap, solve_ms, len(solved))


def _plan(
    candidates: Candidates,
    request: PlanRequest,
    rows: np.ndarray,
    posts: np.ndarray,
    status: str,
    gap: float,
    solve_ms: float,
    solved: int,
) -> Plan:
    totals = sample_totals(candidates, request, rows, posts)
    picks = describe_picks(candidates, request, rows, posts)
    return Plan(
        objective=request.objective,
        status=status,
        optimality_gap=gap,
        candidates=len(candidates),
        solved_candidates=solved,
        solve_ms=round(solve_ms, 1),
        total=totals["total"],
        low=totals["low"],
        high=totals["high"],
        interval=request.interval,
        cost_total=totals["cost_total"],
        cost_low=totals["cost_low"],
        cost_high=totals["cost_high"],
        picks=tuple(Pick(**p) for p in picks),
    )
