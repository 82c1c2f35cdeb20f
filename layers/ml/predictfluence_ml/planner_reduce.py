"""Provable candidate reduction for large plans: LP-bound (reduced-cost) fixing.

The planner's integer programme is in minimisation form: min cᵀx. Its LP relaxation gives a lower
bound z_LP and, per variable at its lower bound 0, the marginal λ ≥ 0 of that bound: by LP duality
(λ is the reduced cost d of a dual-feasible solution; the dual objective gains d · lb) every solution
with that variable ≥ 1 — integer or not — costs at least z_LP + λ. A candidate row k needs n_k ≥ 1 and y_i ≥ 1 for its
influencer i; raising both lower bounds to 1 keeps the LP dual solution feasible and raises its value
by λ_nk + λ_yi, so every plan that uses the row costs at least z_LP + λ_nk + λ_yi. With an incumbent
(any feasible plan, value u — here the optimum over a small restricted set of rows), each row whose
bound exceeds u (plus a relative tolerance) cannot be in a plan better than the incumbent, and is
dropped. The optimum over the remaining rows is then the optimum over all of them: nothing optimal is
ever dropped, only rows provably worse than a plan already in hand.
"""

from __future__ import annotations

import contextlib
import os
import sys
from types import SimpleNamespace

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog

_TOLERANCE = 1e-6  # relative: a row is dropped only when its bound exceeds the incumbent by this much


def as_inequalities(constraints: list[LinearConstraint]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """lb ≤ A x ≤ ub rows as A_ub x ≤ b_ub (linprog's form)."""
    blocks, rhs = [], []
    for con in constraints:
        matrix = sparse.csr_matrix(con.A)
        lower = np.broadcast_to(np.asarray(con.lb, dtype=float), matrix.shape[0])
        upper = np.broadcast_to(np.asarray(con.ub, dtype=float), matrix.shape[0])
        finite = np.isfinite(upper)
        blocks.append(matrix[finite])
        rhs.append(upper[finite])
        finite = np.isfinite(lower)
        blocks.append(-matrix[finite])
        rhs.append(-lower[finite])
    return sparse.vstack(blocks, format="csr"), np.concatenate(rhs)


def lp_relaxation(c: np.ndarray, constraints: list[LinearConstraint], bounds: Bounds):
    """The LP relaxation solved by HiGHS's dual simplex; None when it did not solve to optimality."""
    a_ub, b_ub = as_inequalities(constraints)
    result = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        bounds=np.c_[bounds.lb, bounds.ub],
        method="highs-ds",
        options={"presolve": False},
    )
    return result if result.status == 0 else None


def row_bounds(lp, n_rows: int, owner: np.ndarray, pinned: np.ndarray) -> np.ndarray:
    """Per candidate row: a lower bound on the objective of any plan (integer or not) that uses it.
    A pinned influencer's y is already 1 in every plan (its lower bound): its marginal says nothing."""
    marginals = np.maximum(np.asarray(lp.lower.marginals, dtype=float), 0.0)
    y_marginals = np.where(pinned, 0.0, marginals[n_rows:])
    return float(lp.fun) + marginals[:n_rows] + y_marginals[owner]


def restricted_rows(
    lp, bound: np.ndarray, owner: np.ndarray, pinned_owner: np.ndarray, size: int
) -> np.ndarray:
    """A small set of promising rows for the incumbent: those the LP uses, the `size` with the lowest
    bounds, and every row of a pinned influencer."""
    n_rows = len(bound)
    used = np.asarray(lp.x[:n_rows]) > 1e-9
    best = np.argsort(bound, kind="stable")[:size]
    keep = used | np.isin(owner, pinned_owner)
    keep[best] = True
    return np.flatnonzero(keep)


def survivors(bound: np.ndarray, incumbent: float) -> np.ndarray:
    """Rows that may be in a plan at least as good as the incumbent (minimisation form)."""
    slack = _TOLERANCE * max(1.0, abs(incumbent))
    return np.flatnonzero(bound <= incumbent + slack)


@contextlib.contextmanager
def quiet_stdout():
    """HiGHS 1.12 prints a debug line on the C level stdout even with disp=False: that would corrupt the
    CLI's --json output and clutter the function's logs. File descriptor 1 is pointed at /dev/null
    around a solve."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def knapsack_bound(
    value: np.ndarray, cost: np.ndarray, budget: float, max_posts: int
) -> tuple[float, np.ndarray]:
    """A cheap first stage for very large instances (maximisation form). Keeping only the budget of every
    constraint (rows independent, 0 ≤ n_k ≤ max_posts, continuous) leaves a fractional knapsack: its
    optimum U is Dantzig's greedy by value per cost, and with r the ratio of the row where the budget runs
    out, a row's reduced cost is d_k = max(r · cost_k − value_k, 0). Dropping constraints only raises the
    optimum, so every plan of the full problem that uses row k is worth at most U − d_k. Returns (U, d)."""
    ratio = value / cost
    order = np.argsort(-ratio, kind="stable")
    spent = np.cumsum(cost[order] * max_posts)
    full = int(np.searchsorted(spent, budget, side="right"))
    upper = float(value[order][:full].sum()) * max_posts
    critical = 0.0
    if full < len(order):
        critical = float(ratio[order[full]])
        upper += critical * (budget - (float(spent[full - 1]) if full else 0.0))
    return upper, np.maximum(critical * cost - value, 0.0)


def rounded_plan(lp, c, constraints, bounds, owner: np.ndarray, min_posts: int, order: np.ndarray):
    """A feasible plan from the LP relaxation, or None: its posts rounded down (an influencer left below
    `min_posts` dropped), then posts added greedily to the rows in `order` while every constraint holds.
    A basic LP solution of these knapsack-like programmes is integral but for a few rows, so the plan is
    usually within a small gap of z_LP; the caller compares it with z_LP. Returns an object with the
    fields of scipy's MILP result that the planner reads (x, fun, status, mip_gap)."""
    n_rows, width = len(owner), len(bounds.lb)
    matrix = sparse.vstack([sparse.csr_matrix(con.A) for con in constraints], format="csc")
    lower = np.concatenate([np.broadcast_to(np.asarray(k.lb, float), k.A.shape[0]) for k in constraints])
    upper = np.concatenate([np.broadcast_to(np.asarray(k.ub, float), k.A.shape[0]) for k in constraints])
    posts = np.floor(np.asarray(lp.x[:n_rows]) + 1e-7)
    per = np.bincount(owner, posts, minlength=width - n_rows)
    posts[per[owner] < min_posts] = 0.0
    x = np.concatenate([posts, (np.bincount(owner, posts, minlength=width - n_rows) > 0).astype(float)])
    activity = matrix @ x
    tol = 1e-7 * (1.0 + np.abs(upper[np.isfinite(upper)]).max(initial=0.0))
    for k in order:
        column = matrix[:, [k]].toarray().ravel()
        y = n_rows + owner[k]
        if not x[y]:  # a new influencer: its min_posts posts and its y at once
            delta = min_posts * column + matrix[:, [y]].toarray().ravel()
            if x[k] + min_posts > bounds.ub[k] or not _holds(activity + delta, lower, upper, tol):
                continue
            x[k], x[y], activity = x[k] + min_posts, 1.0, activity + delta
        while x[k] + 1 <= bounds.ub[k] and _holds(activity + column, lower, upper, tol):
            x[k], activity = x[k] + 1, activity + column
    if (x < bounds.lb - 1e-9).any() or (activity > upper + tol).any() or (activity < lower - tol).any():
        return None
    return SimpleNamespace(x=x, fun=float(c @ x), status=0, mip_gap=0.0, message="rounded LP")


def _holds(activity: np.ndarray, lower: np.ndarray, upper: np.ndarray, tol: float) -> bool:
    return bool((activity <= upper + tol).all() and (activity >= lower - tol).all())


def _upper_marginals(lp, n_rows: int, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, how much every plan with fewer posts there than its upper bound costs above z_LP, and
    how much every plan without its influencer does (y_i < 1); both ≥ 0 (LP duality)."""
    upper = np.maximum(-np.asarray(lp.upper.marginals, dtype=float), 0.0)
    return upper[:n_rows], upper[n_rows:][owner]


def proven_fixing(lp, owner: np.ndarray, incumbent: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows held at max_posts, rows whose influencer is held in the plan): those whose marginal λ ≤ 0 on
    the upper bound is so large that every plan with fewer posts there (or without the influencer) costs
    more than the incumbent, z_LP + |λ| > incumbent (duality, as for the rows at 0). Every plan at least
    as good as the incumbent has them so."""
    slack = _TOLERANCE * max(1.0, abs(incumbent))
    posts, chosen = _upper_marginals(lp, len(owner), owner)
    return float(lp.fun) + posts > incumbent + slack, float(lp.fun) + chosen > incumbent + slack


def core_fixing(lp, owner: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A heuristic core (not a proof), in proven_fixing's form: everything the LP has at an upper bound is
    held there but the `size` rows with the smallest marginals, so the restricted MILP only decides the
    rows near the LP's margin."""
    held = []
    for marginal in _upper_marginals(lp, len(owner), owner):
        at_upper = np.flatnonzero(marginal > 0)
        mask = np.zeros(len(owner), dtype=bool)
        mask[at_upper[np.argsort(marginal[at_upper], kind="stable")[size:]]] = True
        held.append(mask)
    return held[0], held[1]
