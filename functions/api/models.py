"""/models: registered model versions and their holdout metrics; POST /models/retrain (admin)."""

from __future__ import annotations

from predictfluence.api.routing import Router
from predictfluence.api.schemas.recommendations import ModelsQuery, ModelVersions, RetrainStarted
from predictfluence.queries import recommendations as q

router = Router(__name__, tag="models")
model_routes = router.blueprint


@router.route("/models", "GET", role="viewer", query=ModelsQuery, response=ModelVersions,
              summary="Model versions with holdout metrics; which one is champion")
def list_models(query: ModelsQuery) -> ModelVersions:
    """Newest first. A version becomes champion only when it beats the current champion's MAE on the same
    holdout and its MAE is below both baselines there (`baseline_mae`: peer median; `persistence_mae`:
    the creator's own last-90-day ER); otherwise it stays `rejected` with its metrics (see `decision`).
    `metrics` also holds `mae_vs_persistence` and, per history segment (`none`, `lt5`, `5to14`, `ge15`:
    posts of this content type in the last 90 days), `segment_<s>_rows`, `segment_<s>_mae`,
    `segment_<s>_baseline_mae`, `segment_<s>_persistence_mae`, `segment_<s>_mae_vs_persistence`; and the cost
    model's held-out figures (`cost_model`, `cost_mae`, `cost_baseline_mae` = the per-platform rate card,
    `cost_mae_ratio`, `cost_interval_coverage`, `cost_train_hires`, `cost_test_hires`), which take no part in
    the promotion decision."""
    items, champion = q.model_versions(query.kind, query.limit)
    return ModelVersions(items=items, champion=champion)  # type: ignore[arg-type]


@router.route("/models/retrain", "POST", role="admin", response=RetrainStarted, status=202,
              summary="Start a retraining run (asynchronous)", audit="retrain.request", audit_target="model:")
def retrain() -> RetrainStarted:
    """In AWS the retrain function is invoked asynchronously (InvocationType=Event); locally the same
    handler runs in a background thread. Follow the result with GET /models."""
    from predictfluence.retraining import start_retraining

    return RetrainStarted(**start_retraining("api"))
