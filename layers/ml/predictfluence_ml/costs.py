"""The cost model: what one post of an influencer × content type costs, with an 80 % interval.

Learned from the hires history (predictfluence_ml.costs_data: one example per hire with ≥ 1 delivered
post, target = agreed cost / posts delivered). Two stages, both on log cost per post:

1. a power-law rate card: log cost = a[platform] + b × log followers (least squares; one slope, an
   intercept per platform) — what a price list per follower looks like, with the volume discount b < 1;
2. a HistGradientBoostingRegressor on the residual of stage 1, from platform, category, follower tier,
   content type (categorical), log followers and the trailing ER before the hire (NaN = no recent post).

The point forecast is exp(stage 1 + stage 2), a conditional median. The 80 % interval is conformal: the
training campaigns are dealt into FOLDS folds, every hire gets log(actual / forecast) from a model fitted
without its campaign (cross-conformal); the forecasts at the price floor form a band of their own, the
others are cut into up to BANDS bands of equal count (Mondrian by forecast size: the spread of small,
floor-priced accounts is not that of large ones), and each band's 10th / 90th percentiles (a floor band:
0 and the 80th, it cannot miss below) are added to the log forecast; the model itself is fitted on every
training hire. The baseline is the per-platform rate card: the median over training hires of cost per
1k followers × followers / 1000.

With fewer than MIN_HIRES training hires the rate card itself is the forecast (`method` = "rate_card",
interval from its own residuals); with no hire at all, DEFAULT_COST_PER_1K (`method` = "default",
interval × / ÷ 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa

from predictfluence_ml.costs_data import COST_CATEGORICAL, Hires, campaign_time_split, load_hires

MIN_HIRES = 30
# cost per 1k followers when there is no hire at all: round figures of published influencer rate cards
DEFAULT_COST_PER_1K: dict[str, float] = {
    "instagram": 10.0, "tiktok": 8.0, "youtube": 20.0, "twitter": 4.0, "twitch": 7.0,
}  # fmt: skip
DEFAULT_PER_1K = 10.0  # a platform not in the table above
DEFAULT_LOG_INTERVAL = (-float(np.log(2.0)), float(np.log(2.0)))
COVERAGE = 0.8
FOLDS = 5  # cross-conformal folds of whole campaigns
BANDS = 3  # conformal bands by forecast size
MIN_BAND = 30  # hires per conformal band at least
MIN_ABOVE = 10  # hires above the floor at least, for the floor forecasts to get a band of their own
FLOOR_SHARE = 0.10  # a price floor: at least this share of the hires (and 5) ...
FLOOR_TOL = 0.01  # ... cost within 1 % of the lowest cost per post
FADE_LOG = float(np.log(2.0))  # the residual stage fades out over a doubling beyond the hires' range
EXTRAP_WIDEN = 0.10  # log interval widening per unit of log followers beyond that range (each side)


@dataclass
class CostModel:
    """Everything the scorer needs to forecast the cost of one post (pickled inside the model bundle)."""

    method: str  # model | rate_card | default
    per_1k: dict[str, float]  # rate card: median cost per 1k followers per platform
    overall_per_1k: float  # a platform with no hire
    log_interval: tuple[float, float] = DEFAULT_LOG_INTERVAL  # (10 %, 90 %) of log(actual / forecast)
    levels: tuple[tuple[str, ...], ...] = ()  # the categories seen per COST_CATEGORICAL column
    base: tuple[float, ...] = ()  # stage 1: one intercept per platform level, then the slope of log followers
    booster: Any = None  # stage 2 (HistGradientBoostingRegressor on the residual)
    train_hires: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    # Mondrian conformal bands by forecast size: (upper edge of log forecast, low, high); () = log_interval
    bands: tuple[tuple[float, float, float], ...] = ()
    floor: float = 0.0  # the market's minimum fee per post seen in the hires (0 = none detected)
    # log followers range of the training hires per platform: (platform, low, high); () = no fade
    ranges: tuple[tuple[str, float, float], ...] = ()

    def rate_card(self, platform: np.ndarray, followers: np.ndarray) -> np.ndarray:
        rate = np.array([self.per_1k.get(p, self.overall_per_1k) for p in platform], dtype=np.float64)
        return rate * followers / 1000.0

    def _codes(self, cat: np.ndarray) -> np.ndarray:
        codes = np.full(cat.shape, np.nan)
        for j, levels in enumerate(self.levels):
            index = {v: k for k, v in enumerate(levels)}
            codes[:, j] = [index.get(v, np.nan) for v in cat[:, j]]
        return codes

    def _stage1(self, codes: np.ndarray, log_f: np.ndarray) -> np.ndarray:
        a = np.asarray(self.base[:-1])
        platform = codes[:, 0]
        known = ~np.isnan(platform)
        intercept = np.full(platform.size, float(a.mean()))
        intercept[known] = a[platform[known].astype(np.int64)]
        return intercept + self.base[-1] * log_f

    def beyond(self, platform: np.ndarray, log_f: np.ndarray) -> np.ndarray:
        """Distance in log followers outside the training hires' range of the platform (0 inside)."""
        if not self.ranges:
            return np.zeros(log_f.size)
        known = {p: (lo, hi) for p, lo, hi in self.ranges}
        every = (min(r[1] for r in self.ranges), max(r[2] for r in self.ranges))
        lo, hi = np.array([known.get(p, every) for p in platform], dtype=np.float64).reshape(-1, 2).T
        return np.maximum(0.0, np.maximum(log_f - hi, lo - log_f))

    def point(self, cat: np.ndarray, followers: np.ndarray, er: np.ndarray) -> np.ndarray:
        """exp(stage 1 + fade × stage 2), at least the floor; fade = 1 inside the training hires' followers
        range, falling linearly to 0 at FADE_LOG beyond it (boosting extrapolates flat)."""
        if self.method != "model":
            return self.rate_card(cat[:, 0], followers)
        codes = self._codes(cat)
        log_f = np.log(followers)
        fade = np.clip(1.0 - self.beyond(cat[:, 0], log_f) / FADE_LOG, 0.0, 1.0)
        residual = self.booster.predict(np.column_stack([codes, log_f, er]))
        return np.maximum(np.exp(self._stage1(codes, log_f) + fade * residual), self.floor)

    def predict(
        self, cat: np.ndarray, followers: np.ndarray, er: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(forecast, low, high) cost of one post; `cat` columns as COST_CATEGORICAL; low ≤ forecast ≤ high."""
        point = self.point(cat, np.asarray(followers, dtype=np.float64), np.asarray(er, dtype=np.float64))
        if self.bands:
            edges = np.array([b[0] for b in self.bands[:-1]])
            band = np.searchsorted(edges, np.log(point), side="right")
            lo, hi = np.array([b[1] for b in self.bands])[band], np.array([b[2] for b in self.bands])[band]
        else:
            lo, hi = np.full(point.size, self.log_interval[0]), np.full(point.size, self.log_interval[1])
        if self.method == "model":  # extrapolation: wider by EXTRAP_WIDEN per log follower beyond the range
            far = EXTRAP_WIDEN * self.beyond(cat[:, 0], np.log(np.asarray(followers, dtype=np.float64)))
            lo, hi = lo - far, hi + far
        low = np.maximum(point * np.exp(np.minimum(lo, 0.0)), np.minimum(self.floor, point))
        return point, low, point * np.exp(np.maximum(hi, 0.0))


def _per_1k(hires: Hires) -> tuple[dict[str, float], float]:
    rate = hires.cost_per_post / (hires.followers / 1000.0)
    platforms = hires.cat[:, 0]
    per = {str(p): float(np.median(rate[platforms == p])) for p in np.unique(platforms)}
    return per, float(np.median(rate))


def _conformal(log_ratio: np.ndarray, at_floor: np.ndarray | None = None) -> tuple[float, float]:
    """(low, high) offsets of log(actual / forecast) covering COVERAGE of the hires: the 10th percentile,
    then the percentile above which the remaining share falls out. A hire whose forecast is the floor
    (`at_floor`) cannot fall below its interval (the low is clipped to the floor, no hire costs less), so
    only the others' misses below count: a band of floor forecasts gets (0, 80th percentile), not the
    90th — with a mass of prices at the floor, the 90th would cover ~ 90 %."""
    tail = (1.0 - COVERAGE) / 2
    lo = float(np.quantile(log_ratio, tail))
    below = log_ratio < lo
    if at_floor is not None:
        below &= ~at_floor
    hi = float(np.quantile(log_ratio, min(1.0, COVERAGE + float(np.mean(below)))))
    return lo, hi


def rate_card_model(hires: Hires) -> CostModel:
    """The per-platform rate card as the forecast (method "rate_card"; "default" without any hire)."""
    if len(hires) == 0:
        return CostModel("default", dict(DEFAULT_COST_PER_1K), DEFAULT_PER_1K)
    per, overall = _per_1k(hires)
    model = CostModel("rate_card", per, overall, train_hires=len(hires))
    if len(hires) >= 5:
        model.log_interval = _conformal(
            np.log(hires.cost_per_post / model.rate_card(hires.cat[:, 0], hires.followers))
        )
    return model


def _levels(cat: np.ndarray) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(sorted({str(v) for v in cat[:, j]})) for j in range(cat.shape[1]))


def detect_floor(cost_per_post: np.ndarray) -> float:
    """The market's minimum fee: the lowest cost per post when at least FLOOR_SHARE of the hires (and 5)
    cost within FLOOR_TOL of it — a mass of hires at one minimum price; else 0 (no floor)."""
    if cost_per_post.size == 0:
        return 0.0
    low = float(cost_per_post.min())
    at = int(np.sum(cost_per_post <= low * (1.0 + FLOOR_TOL)))
    return low if at >= max(5.0, FLOOR_SHARE * cost_per_post.size) else 0.0


def _tobit(design: np.ndarray, log_y: np.ndarray, censored: np.ndarray, log_floor: float) -> np.ndarray:
    """Left-censored normal regression (Tobit) of log cost: maximum likelihood of (coefficients, log σ),
    a censored hire contributing P(latent log cost ≤ log floor). Returns coefficients then σ."""
    from scipy.optimize import minimize
    from scipy.stats import norm

    free = ~censored
    start, *_ = np.linalg.lstsq(design[free], log_y[free], rcond=None)
    s0 = float(np.std(log_y[free] - design[free] @ start)) or 0.1

    def nll(theta: np.ndarray) -> tuple[float, np.ndarray]:
        beta, log_s = theta[:-1], theta[-1]
        s = np.exp(log_s)
        mu = design @ beta
        z = (log_y[free] - mu[free]) / s
        c = (log_floor - mu[censored]) / s
        log_cdf = norm.logcdf(c)
        lam = np.exp(norm.logpdf(c) - log_cdf)  # inverse Mills ratio
        value = -(np.sum(norm.logpdf(z) - log_s) + np.sum(log_cdf))
        grad_beta = -(design[free].T @ (z / s) - design[censored].T @ (lam / s))
        grad_s = -(np.sum(z**2 - 1.0) - np.sum(lam * c))
        return float(value), np.append(grad_beta, grad_s)

    fit = minimize(nll, np.append(start, np.log(s0)), jac=True, method="L-BFGS-B")
    return np.append(fit.x[:-1], np.exp(fit.x[-1]))


def _stage1_fit(model: CostModel, hires: Hires, codes: np.ndarray) -> np.ndarray:
    """Stage 1 in place (least squares, or Tobit below a detected floor); returns the residual the
    boosting learns — for a hire at the floor, the expected latent residual E[ε | ε ≤ floor − μ]."""
    from scipy.stats import norm

    log_f, log_y = np.log(hires.followers), np.log(hires.cost_per_post)
    design = np.zeros((len(hires), len(model.levels[0]) + 1))
    design[np.arange(len(hires)), codes[:, 0].astype(np.int64)] = 1.0
    design[:, -1] = log_f
    model.floor = detect_floor(hires.cost_per_post)
    censored = hires.cost_per_post <= model.floor * (1.0 + FLOOR_TOL)
    if censored.any() and (~censored).sum() > 2 * design.shape[1]:
        fitted = _tobit(design, log_y, censored, float(np.log(model.floor)))
        coef, sigma = fitted[:-1], float(fitted[-1])
    else:
        coef, *_ = np.linalg.lstsq(design, log_y, rcond=None)
        censored, sigma = np.zeros(len(hires), bool), 0.0
    seen = design[:, :-1].any(axis=0)  # a platform without hires here (a fold) gets the mean intercept
    coef[:-1][~seen] = coef[:-1][seen].mean()
    model.base = tuple(float(c) for c in coef)
    residual = log_y - model._stage1(codes, log_f)
    if censored.any():
        c = (np.log(model.floor) - model._stage1(codes[censored], log_f[censored])) / sigma
        residual[censored] = -sigma * np.exp(norm.logpdf(c) - norm.logcdf(c))
    return residual


def _fit_stages(model: CostModel, hires: Hires, seed: int) -> CostModel:
    """Fit stage 1 and 2 of `model` (levels set) on `hires`, in place; the followers range per platform."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    codes = model._codes(hires.cat)
    log_f = np.log(hires.followers)
    residual = _stage1_fit(model, hires, codes)
    platforms = hires.cat[:, 0]
    model.ranges = tuple(
        (str(p), float(log_f[platforms == p].min()), float(log_f[platforms == p].max()))
        for p in np.unique(platforms)
    )
    booster = HistGradientBoostingRegressor(
        max_iter=model.params["max_iter"], learning_rate=model.params["learning_rate"],
        max_leaf_nodes=model.params["max_leaf_nodes"], min_samples_leaf=max(5, len(hires) // 20),
        l2_regularization=1.0, categorical_features=list(range(len(COST_CATEGORICAL))),
        early_stopping=False, random_state=seed,
    )  # fmt: skip
    model.booster = booster.fit(np.column_stack([codes, log_f, hires.er]), residual)
    return model


def _out_of_fold(new: Any, hires: Hires, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(forecast, log(actual / forecast)) of every hire from a model that did not see its campaign:
    FOLDS folds of whole campaigns, each predicted by the model fitted on the others."""
    rng = np.random.default_rng(seed)
    campaigns = rng.permutation(np.unique(hires.campaign_ids))
    fold_of = dict(zip(campaigns.tolist(), (np.arange(campaigns.size) % FOLDS).tolist(), strict=True))
    fold = np.array([fold_of[c] for c in hires.campaign_ids.tolist()], dtype=np.int64)
    forecast = np.full(len(hires), np.nan)
    for k in range(FOLDS):
        held = fold == k
        if not held.any() or (~held).sum() < MIN_HIRES:
            continue
        part = hires.subset(np.flatnonzero(held))
        forecast[held] = _fit_stages(new(), hires.subset(np.flatnonzero(~held)), seed).point(
            part.cat, part.followers, part.er
        )
    done = ~np.isnan(forecast)
    return forecast[done], np.log(hires.cost_per_post[done] / forecast[done])


def _bands(
    log_forecast: np.ndarray, log_ratio: np.ndarray, floor: float = 0.0
) -> tuple[tuple[float, float, float], ...]:
    """Mondrian conformal: the forecasts at the price floor form a band of their own (when it holds
    ≥ MIN_BAND hires and the rest ≥ MIN_ABOVE), the rest is cut by forecast size into up to BANDS bands of equal count
    (each ≥ MIN_BAND), each with its own conformal offsets; fewer hires than that: one pooled band.
    (upper edge of the log forecast, low, high) per band, last edge ∞.

    Why the floor band: on floored markets 70–80 % of the hires sit at the floor with a log ratio of
    exactly 0. Pooled with them, or cut into equal-count bands whose edges all land on the floor (and
    merge), the hires above the floor got the floor hires' near-zero spread: an interval (0, +0.17) in
    log where their own is ± 0.3, and 9 % of them covered on the planner backtest's held-out hires."""
    edges: list[float] = []
    rest = np.ones(log_forecast.size, bool)
    if floor > 0:
        edge = float(np.log(floor * (1.0 + FLOOR_TOL)))
        at = log_forecast < edge
        if at.sum() >= MIN_BAND and (~at).sum() >= MIN_ABOVE:
            edges, rest = [edge], ~at
    n_bands = max(1, min(BANDS, int(rest.sum()) // MIN_BAND))
    if n_bands > 1:
        cuts = np.unique(np.quantile(log_forecast[rest], np.arange(1, n_bands) / n_bands))
        # tied forecasts give equal or empty bands: an empty band merges into the next one
        counts = np.bincount(np.searchsorted(cuts, log_forecast[rest], side="right"), minlength=cuts.size + 1)
        edges += cuts[counts[:-1] > 0].tolist()
    band = np.searchsorted(np.array(edges), log_forecast, side="right")
    at_floor = log_forecast < np.log(floor * (1.0 + FLOOR_TOL)) if floor > 0 else np.zeros(band.size, bool)
    uppers = [*edges, float("inf")]
    return tuple(
        (uppers[b], *_conformal(log_ratio[band == b], at_floor[band == b])) for b in range(len(uppers))
    )


def fit_cost_model(hires: Hires, seed: int = 0) -> CostModel:
    """The two-stage model with its conformal interval; the rate card below MIN_HIRES hires."""
    if len(hires) < MIN_HIRES:
        return rate_card_model(hires)
    per, overall = _per_1k(hires)
    params = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 8}

    def new() -> CostModel:
        return CostModel(
            "model", per, overall, levels=_levels(hires.cat), train_hires=len(hires), params=params
        )

    forecast, log_ratio = _out_of_fold(new, hires, seed)
    model = _fit_stages(new(), hires, seed)
    if forecast.size >= 10:
        at_floor = forecast < model.floor * (1.0 + FLOOR_TOL)
        model.log_interval = _conformal(log_ratio, at_floor)
        model.bands = _bands(np.log(forecast), log_ratio, model.floor)
    else:
        model.log_interval = rate_card_model(hires).log_interval
    return model


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def cost_metrics(model: CostModel, baseline: CostModel, test: Hires) -> dict[str, Any]:
    """MAE ($ per post) of the forecast and of the rate card on held-out hires, and the interval coverage."""
    if len(test) == 0:
        return {
            "cost_mae": None,
            "cost_baseline_mae": None,
            "cost_mae_ratio": None,
            "cost_interval_coverage": None,
        }
    y = test.cost_per_post
    point, low, high = model.predict(test.cat, test.followers, test.er)
    base = baseline.rate_card(test.cat[:, 0], test.followers)
    mae, base_mae = float(np.mean(np.abs(y - point))), float(np.mean(np.abs(y - base)))
    return {
        "cost_mae": mae,
        "cost_baseline_mae": base_mae,
        "cost_mae_ratio": _num(mae / base_mae) if base_mae > 0 else None,
        "cost_interval_coverage": float(np.mean((y >= low) & (y <= high))),
        "cost_interval_width_ratio": float(np.median(high / low)),
    }


def evaluate_and_fit(hires: Hires, seed: int = 0) -> tuple[CostModel, dict[str, Any]]:
    """Held-out evaluation (the latest 20 % of campaigns, fitted on the others), then the model refitted
    on every hire for scoring. Metrics: cost_mae, cost_baseline_mae, cost_mae_ratio,
    cost_interval_coverage, cost_train_hires, cost_test_hires, cost_model (method of the final model)."""
    train_rows, test_rows = campaign_time_split(hires)
    train, test = hires.subset(train_rows), hires.subset(test_rows)
    evaluated = fit_cost_model(train, seed)
    metrics = cost_metrics(evaluated, rate_card_model(train), test)
    final = fit_cost_model(hires, seed)
    metrics.update({
        "cost_model": final.method,
        "cost_evaluated_model": evaluated.method,
        "cost_train_hires": len(train),
        "cost_test_hires": len(test),
        "cost_hires": len(hires),
    })  # fmt: skip
    return final, metrics


def train_costs(engine: sa.Engine, before: Any = None, seed: int = 0) -> tuple[CostModel, dict[str, Any]]:
    """Load the hires history (hired and delivered before `before`, default: all), evaluate, fit."""
    with engine.connect() as conn:
        hires = load_hires(conn, before)
    return evaluate_and_fit(hires, seed)


def scoring_cost_model(conn: sa.Connection, model: CostModel | None) -> CostModel:
    """The bundle's cost model; for an older bundle without one, the rate card of today's hires history."""
    return model if model is not None else rate_card_model(load_hires(conn))
