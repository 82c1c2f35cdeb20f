"""An exact dynamic programme for plans without side constraints (issue 11: planner latency).

Without `max_influencers` and share constraints, the planner's integer programme is a multiple-choice
knapsack: every influencer (a *group*) takes exactly one *option* — not in the plan (cost 0, value 0;
not offered to a pinned influencer), or min_posts … max_posts posts spread over its rows (cost
Σ n_k cost_k, value Σ n_k value_k; for reach followers − ε Σ n_k cost_k; dominated options dropped) —
and the options' costs add up to at most the budget B. HiGHS solves that by LP branch and bound, which is slow when thousands of small,
near-identical candidates sit close to the LP's critical ratio (measured: seconds at 10,000 rows). This
module solves it exactly by a dynamic programme over (cost, value) states with Lagrangian bounds, in the
spirit of Pisinger's minimal algorithms for knapsack problems:

- *Multiplier.* For any r ≥ 0 and any plan x with cost C(x) ≤ B and value V(x):
  V(x) ≤ V(x) + r (B − C(x)) = r B + Σ_g p_{x_g}, with p_j = v_j − r c_j. With best_g = max_j p_j,
  L = r B + Σ_g best_g bounds every plan, and every plan has V(x) = L − S(x), where
  S(x) = Σ_g d_{x_g} + r (B − C(x)) ≥ 0 and d_j = best_g − p_j ≥ 0. r is found by bisection as the
  smallest multiplier whose per-group best options (the *base*, cheapest among ties) fit in the budget:
  the LP relaxation's critical ratio, where L is the LP bound. Any r gives valid bounds; a good one only
  makes them tight.
- *Fixing.* With an incumbent of value z (the base, then the best plan found), a plan better than it has
  S < Δ = L − z, so every option with d_j > Δ is out of every better plan; a group left with its base
  option alone is fixed there. Only the remaining *free* groups are decided by the programme.
- *The programme.* Free groups are taken in increasing θ_g = min over their other options of
  d_j / |c_j − c_base| (the cheapest rate, in S, at which the group can move cost). A state is a partial
  plan: the options of the groups decided so far and the base elsewhere, with cost C and value V. With θ
  the next group's rate (every later group's is at least that), any completion of the state has
  S ≥ D + min(θ, r) (B − C) when C ≤ B, and S ≥ D + θ (C − B) when C > B (the cost must come down by
  C − B at rate ≥ θ), where D = r (C − C_base) − (V − V_base) is the state's own Σ d. States whose bound
  exceeds Δ are dropped, and of states with the same or a lower cost only the best value survives
  (Pareto). A state within the budget is a plan: the best one raises the incumbent and shrinks Δ.

Nothing that can beat the incumbent is ever dropped (up to a relative 10⁻⁹ float tolerance), so the
best plan found is optimal: the gap is 0. When the states outgrow `MAX_STATES` or the time runs out,
`solve` returns None and the planner falls back to its MILP path.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

MAX_STATES = 200_000  # states after one step: beyond this the MILP path takes over
MAX_POSTS = 4  # above it the options per influencer (posts spread over content types) grow too many
_TOLERANCE = 1e-9  # relative to L: a state is dropped only when its bound exceeds Δ by this much
_BISECTIONS = 60


@dataclass(frozen=True)
class Options:
    """Every option of every group, sorted by group then cost. Option j puts `member_posts` posts on
    `member_row` for the members with `member_option == origin[j]` (none: not in the plan)."""

    group: np.ndarray
    cost: np.ndarray
    value: np.ndarray
    origin: np.ndarray
    starts: np.ndarray  # first option of each group (every group has at least one)
    member_option: np.ndarray
    member_row: np.ndarray
    member_posts: np.ndarray


def _compositions(owner: np.ndarray, min_posts: int, max_posts: int):
    """(option's group, member option, member row, member posts) of every way to put min_posts …
    max_posts posts on one group's rows (posts may be spread over its content types)."""
    if max_posts == 1:
        rows = np.arange(owner.size)
        return owner, rows, rows, np.ones(owner.size, dtype=np.int64)
    groups, m_opt, m_row, m_posts = [], [], [], []
    order = np.argsort(owner, kind="stable")
    bounds = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        rows = order[a:b].tolist()
        for total in range(min_posts, max_posts + 1):
            for combo in itertools.combinations_with_replacement(rows, total):
                option = len(groups)
                groups.append(owner[rows[0]])
                for row in sorted(set(combo)):
                    m_opt.append(option)
                    m_row.append(row)
                    m_posts.append(combo.count(row))
    as_int = lambda xs: np.array(xs, dtype=np.int64)  # noqa: E731
    return as_int(groups), as_int(m_opt), as_int(m_row), as_int(m_posts)


def build_options(
    per_post: np.ndarray,
    per_influencer: np.ndarray,
    cost: np.ndarray,
    owner: np.ndarray,
    pinned: np.ndarray,
    min_posts: int,
    max_posts: int,
) -> Options:
    """The options of each group (owner: row → group; pinned: per group), without dominated ones: an
    option is dropped when another of its group costs no more and is worth no less. The value of an
    option is Σ posts × per_post of its rows + per_influencer of its group (any of its rows)."""
    group, m_opt, m_row, m_posts = _compositions(owner, min_posts, max_posts)
    n = group.size
    first_row = np.zeros(n, dtype=np.int64)
    first_row[m_opt[::-1]] = m_row[::-1]
    opt_cost = np.bincount(m_opt, cost[m_row] * m_posts, minlength=n)
    opt_value = np.bincount(m_opt, per_post[m_row] * m_posts, minlength=n) + per_influencer[first_row]
    free = np.flatnonzero(~pinned)  # "not in the plan": options n, n + 1, … with no member
    group = np.concatenate([group, free])
    origin = np.arange(group.size)
    opt_cost = np.concatenate([opt_cost, np.zeros(free.size)])
    opt_value = np.concatenate([opt_value, np.zeros(free.size)])
    order = np.lexsort((-opt_value, opt_cost, group))
    group, opt_cost, opt_value, origin = (a[order] for a in (group, opt_cost, opt_value, origin))
    keep = np.ones(group.size, dtype=bool)
    _, counts = np.unique(group, return_counts=True)
    for shift in range(1, int(counts.max(initial=1))):
        same = group[shift:] == group[:-shift]
        keep[shift:] &= ~(same & (opt_value[:-shift] >= opt_value[shift:]))
    group, opt_cost, opt_value, origin = (a[keep] for a in (group, opt_cost, opt_value, origin))
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    return Options(group, opt_cost, opt_value, origin, starts, m_opt, m_row, m_posts)


def _base(opts: Options, r: float) -> tuple[np.ndarray, np.ndarray]:
    """Per group at multiplier r: max p_j and the cheapest option attaining it (options sorted by cost)."""
    p = opts.value - r * opts.cost
    best = np.maximum.reduceat(p, opts.starts)
    index = np.arange(p.size)
    tie = np.where(p >= best[opts.group] - 1e-12 * np.maximum(1.0, np.abs(best[opts.group])), index, p.size)
    return best, np.minimum.reduceat(tie, opts.starts)


def multiplier(opts: Options, budget: float) -> float | None:
    """The smallest r (to bisection precision) whose base fits the budget; None when even the cheapest
    options of the pinned groups do not fit."""
    cost_at = lambda r: float(opts.cost[_base(opts, r)[1]].sum())  # noqa: E731
    if cost_at(0.0) <= budget:
        return 0.0
    positive = opts.cost > 0
    high = float((opts.value[positive] / opts.cost[positive]).max(initial=0.0)) * 2.0 + 1.0
    if cost_at(high) > budget:
        return None
    low = 0.0
    for _ in range(_BISECTIONS):
        mid = 0.5 * (low + high)
        if cost_at(mid) <= budget:
            high = mid
        else:
            low = mid
    return high


def solve(
    opts: Options,
    budget: float,
    deadline: float,
    rel_gap: float = 0.0,
    beam: int | None = None,
    core: int | None = None,
    start: tuple[np.ndarray, float] | None = None,
    cpu_deadline: float = float("inf"),
) -> tuple[np.ndarray, float, float] | None:
    """(chosen option per group, plan value, proven relative gap) of a plan within `rel_gap` of the
    best (0: optimal), or None (too many states, out of time, or no plan within the budget). Only plans
    better than the incumbent by more than rel_gap × its value are searched for, so the final incumbent
    is within that of the optimum (and within L of it, whichever is less); the gap is 0 when nothing
    was dropped that could still beat the incumbent (what the exact search, rel_gap 0, keeps). `beam` keeps only that many
    most promising states per step and `core` decides only the first groups: a heuristic pass whose
    result is a `start` incumbent for an exact pass, never a proof. It gives up at `deadline`
    (time.perf_counter) or at `cpu_deadline` (time.thread_time), whichever comes first."""
    r = multiplier(opts, budget)
    if r is None:
        return None
    best, base = _base(opts, r)
    c0, v0 = float(opts.cost[base].sum()), float(opts.value[base].sum())
    if r == 0.0:  # every group's most valuable option fits: nothing to decide
        return base.copy(), v0, 0.0
    pb = SimpleNamespace(opts=opts, budget=budget, r=r, base=base, c0=c0, v0=v0, rel_gap=rel_gap)
    pb.big_l = r * budget + float(best.sum())
    pb.tol = _TOLERANCE * max(1.0, abs(pb.big_l))
    pb.d = best[opts.group] - (opts.value - r * opts.cost)
    pb.delta_cost = opts.cost - opts.cost[base][opts.group]
    pb.delta_value = opts.value - opts.value[base][opts.group]
    greedy, incumbent = _greedy(base, pb.delta_cost, pb.delta_value, pb.d, opts.group, budget - c0)
    incumbent += v0
    if start is not None and start[1] > incumbent:
        greedy, incumbent = start[0], start[1]
    other = np.arange(pb.d.size) != base[opts.group]
    free_opt = (pb.d <= pb.big_l - incumbent * (1 + rel_gap) + pb.tol) & other
    pb.loose = bool(((pb.d < pb.big_l - incumbent - pb.tol) & other & ~free_opt).any())
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(free_opt & (pb.delta_cost != 0), pb.d / np.abs(pb.delta_cost), np.inf)
    theta = np.minimum.reduceat(rate, opts.starts)
    groups = np.flatnonzero(np.bincount(opts.group[free_opt], minlength=opts.starts.size) > 0)
    pb.groups = groups[np.argsort(theta[groups], kind="stable")][:core]
    position = np.full(opts.starts.size, -1)
    position[pb.groups] = np.arange(pb.groups.size)
    pb.moves = _Moves(np.flatnonzero(free_opt), pb.delta_cost, pb.d, position[opts.group], r)
    run = _programme(pb, incumbent, (deadline, cpu_deadline), beam)
    if run is None:
        return None
    incumbent, found, trail = run
    proven = min(rel_gap, max(pb.big_l - incumbent, 0.0) / max(abs(incumbent), 1e-9)) if pb.loose else 0.0
    if found[0] < 0:
        return greedy, incumbent, proven
    return _backtrack(base.copy(), pb.groups, trail, found), incumbent, proven


def _programme(pb: SimpleNamespace, incumbent: float, deadlines: tuple[float, float], beam: int | None):
    """The states over pb.groups in order: (best value, (step, state) of it — step −1: not a state —,
    the trail of (parent, option) per step), or None (time, MAX_STATES)."""
    opts, d, budget = pb.opts, pb.d, pb.budget
    gap = pb.big_l - incumbent * (1 + pb.rel_gap)
    strict = pb.big_l - incumbent - pb.tol  # below it a state could still beat the incumbent
    ends = np.r_[opts.starts[1:], opts.group.size]
    cost, value = np.array([pb.c0]), np.array([pb.v0])
    trail: list[tuple[np.ndarray, np.ndarray]] = []
    found = (-1, 0)
    for step, g in enumerate(pb.groups):
        if time.perf_counter() > deadlines[0] or time.thread_time() > deadlines[1]:
            return None
        own = np.arange(opts.starts[g], ends[g])
        pb.loose |= bool(((d[own] > gap + pb.tol) & (d[own] < strict)).any())
        own = own[d[own] <= gap + pb.tol]
        # one block per option, each sorted by cost as the states are: the stable sort below merges runs
        parent = np.tile(np.arange(cost.size), own.size)
        option = np.repeat(own, cost.size)
        cost = cost[parent] + pb.delta_cost[option]
        value = value[parent] + pb.delta_value[option]
        lower = pb.r * (cost - pb.c0) - (value - pb.v0) + pb.moves.bound(step, cost - budget)
        order = np.flatnonzero(lower <= gap + pb.tol)
        pb.loose |= bool(((lower > gap + pb.tol) & (lower < strict)).any())
        if beam is not None and order.size > beam:  # heuristic pass: the most promising states only
            order = order[np.argpartition(lower[order], beam)[:beam]]
        if order.size == 0:  # no partial plan can beat the incumbent any more
            break
        order = order[np.argsort(cost[order], kind="stable")]  # equal costs: a dominated one may stay
        order = order[np.r_[True, value[order][1:] > np.maximum.accumulate(value[order])[:-1]]]
        cost, value, parent, option = cost[order], value[order], parent[order], option[order]
        if cost.size > MAX_STATES:
            return None
        top = int(np.searchsorted(cost, budget, side="right")) - 1  # values rise with cost: the best plan
        if top >= 0 and float(value[top]) > incumbent:
            incumbent, found = float(value[top]), (step, top)
            gap = pb.big_l - incumbent * (1 + pb.rel_gap)
            strict = pb.big_l - incumbent - pb.tol
        trail.append((parent, option))
    return incumbent, found, trail


def _backtrack(choice: np.ndarray, groups: np.ndarray, trail, found: tuple[int, int]) -> np.ndarray:
    """`choice` (the base) with the options of the path to state `found` (step, index)."""
    step, state = found
    while step >= 0:
        parent, option = trail[step]
        choice[groups[step]] = option[state]
        state, step = int(parent[state]), step - 1
    return choice


def solve_request(
    cands, request, deadline: float, reach_tie_break: float, beam: int, core: int, share: float
):
    """The planner's entry (predictfluence_ml.planner._solve): a MILP-shaped result (x = posts per row,
    then y per influencer) for a request without side constraints — no shares, `max_influencers` absent
    or not binding, at most MAX_POSTS posts per influencer —, or None when it does not apply or gives up
    (the MILP path then takes the rest of the time). A heuristic pass (`beam` states, `core` groups)
    gives a start; the exact pass, within `share` seconds of CPU time (the request's `deadline` caps both), searches for anything better than it by more
    than the request's relative gap."""
    ids, owner = np.unique(cands.influencer_id, return_inverse=True)
    if request.platform_share or request.tier_share or request.max_posts > MAX_POSTS:
        return None
    if request.max_influencers is not None and request.max_influencers < len(ids):
        return None
    pinned = np.isin(ids, np.fromiter(request.pinned, dtype=np.int64, count=len(request.pinned)))
    if request.objective == "reach":
        per_post, per_influencer = -cands.cost * (reach_tie_break / request.budget), cands.followers
    else:
        per_post, per_influencer = cands.value, np.zeros(len(cands))
    opts = build_options(
        per_post, per_influencer, cands.cost, owner, pinned, request.min_posts, request.max_posts
    )
    # the share is CPU time of this thread: on a machine busy with other work the wall clock runs on while
    # the programme waits for a core, and falling back to the MILP then only makes the plan slower
    budget, cpu_stop = float(request.budget), time.thread_time() + share
    start = solve(opts, budget, deadline, beam=beam, core=core, cpu_deadline=cpu_stop)  # a heuristic incumbent
    found = solve(opts, budget, deadline, float(request.mip_rel_gap), start=start, cpu_deadline=cpu_stop)
    if found is None:
        return None
    choice, value, gap = found
    return plan_rows(opts, choice, len(cands), len(ids), value, gap)


class _Moves:
    """The bound on what the groups still to decide can add to S: a fractional relaxation in which each
    free option of those groups is an independent move of Δc_j at a price d_j (valid: dropping the
    one-option-per-group rule only lowers the minimum). Room left in the budget (R = B − C ≥ 0) is either
    filled by moves with Δc > 0, cheapest d / Δc first while that rate is below r, or left at r per unit;
    an overspend E = C − B must be removed by moves with Δc < 0, cheapest d / |Δc| first (no such moves
    left: infeasible)."""

    def __init__(self, free: np.ndarray, delta_cost: np.ndarray, d: np.ndarray, position, r: float):
        self.r = r
        self.sides = []
        for sign in (1.0, -1.0):
            mine = free[sign * delta_cost[free] > 0]
            size, price = sign * delta_cost[mine], d[mine]
            rate = price / size
            if sign > 0:
                size, price, rate, mine = size[rate < r], price[rate < r], rate[rate < r], mine[rate < r]
            order = np.argsort(rate, kind="stable")
            self.sides.append((size[order], price[order], rate[order], position[mine][order]))

    def bound(self, step: int, over: np.ndarray) -> np.ndarray:
        out = np.empty(over.size)
        under = over <= 0
        for side, sel in ((0, under), (1, ~under)):
            size, price, rate, position = self.sides[side]
            if not sel.any():
                continue
            need = np.abs(over[sel])
            later = position > step
            done_size = np.r_[0.0, np.cumsum(size * later)]  # [k]: the first k moves (those still open)
            done_price = np.r_[0.0, np.cumsum(price * later)]
            k = np.searchsorted(done_size[1:], need, side="right")
            inside = k < size.size
            part = (
                done_price[k] + rate[np.minimum(k, max(size.size - 1, 0))] * (need - done_size[k])
                if size.size
                else 0.0
            )
            beyond = self.r * (need - done_size[-1]) + done_price[-1] if side == 0 else np.inf
            out[sel] = np.where(inside, part, beyond)
        return out


def _greedy(
    base: np.ndarray,
    delta_cost: np.ndarray,
    delta_value: np.ndarray,
    d: np.ndarray,
    group: np.ndarray,
    room: float,
) -> tuple[np.ndarray, float]:
    """A first incumbent: from the base, each group moved at most once to a dearer option, cheapest rate
    d / Δc first, while the budget's `room` lasts. Returns (choice per group, value gained)."""
    choice, gained = base.copy(), 0.0
    up = np.flatnonzero((delta_cost > 0) & (delta_value > 0))
    up = up[np.argsort(d[up] / delta_cost[up], kind="stable")]
    moved = np.zeros(base.size, dtype=bool)
    for j in up[delta_cost[up] <= room].tolist():
        g = group[j]
        if not moved[g] and delta_cost[j] <= room:
            choice[g], moved[g] = j, True
            room -= float(delta_cost[j])
            gained += float(delta_value[j])
    return choice, gained


def plan_rows(opts: Options, choice: np.ndarray, n_rows: int, n_groups: int, objective: float, gap: float):
    """The chosen options as the planner's MILP result (x = posts per row, then y per influencer)."""
    x = np.zeros(n_rows + n_groups)
    member = np.isin(opts.member_option, opts.origin[choice])
    x[opts.member_row[member]] = opts.member_posts[member]
    x[n_rows + np.unique(opts.group[choice][np.isin(opts.origin[choice], opts.member_option)])] = 1.0
    return SimpleNamespace(x=x, fun=-objective, status=0, mip_gap=gap, message="dynamic programme")
