"""Predictfluence's Chalice app: wires blueprints and event handlers, nothing else."""

from __future__ import annotations

from chalice import Chalice

from functions.api.analytics import analytics_routes
from functions.api.audit import audit_routes
from functions.api.auth_config import auth_config_routes
from functions.api.campaigns import campaign_routes
from functions.api.compare import compare_routes
from functions.api.docs import docs_routes
from functions.api.health import health_routes
from functions.api.influencers import influencer_routes
from functions.api.keys import key_routes
from functions.api.mappings import mapping_routes
from functions.api.me import me_routes
from functions.api.models import model_routes
from functions.api.plans import plan_routes
from functions.api.recommendations import recommendation_routes
from functions.api.shortlists import shortlist_routes
from functions.api.uploads import upload_routes
from functions.api.users import user_routes
from functions.events.etl import ETL_BATCH_SIZE, ETL_QUEUE, handle_sqs_batch
from functions.events.plan import handle_plan
from functions.events.retrain import handle_retrain
from functions.events.score import SCORE_BATCH_SIZE, SCORE_QUEUE, handle_score_batch
from predictfluence import planning, retraining
from predictfluence.api.authorizer import authorizer_routes
from predictfluence.api.read_routing import route_reads
from predictfluence.config import get_settings

# configure_logs=False: Chalice would otherwise set the logger named after the app, "predictfluence" (the parent of
# every predictfluence.* module logger), to ERROR with propagate off, dropping their warnings in every Lambda
# (e.g. a partition the ETL could not make first). Records go to the root logger: Lambda's handler, its level.
app = Chalice(app_name="predictfluence", configure_logs=False)
app.register_middleware(route_reads, "http")  # GET requests read from the reader when one is configured
app.register_blueprint(health_routes)
app.register_blueprint(authorizer_routes)
for _routes in (
    docs_routes,
    auth_config_routes,
    compare_routes,  # before influencer_routes: /influencers/compare is not /influencers/{id}
    influencer_routes,
    campaign_routes,
    analytics_routes,
    upload_routes,
    key_routes,
    recommendation_routes,
    model_routes,
    plan_routes,
    mapping_routes,
    me_routes,
    shortlist_routes,
    user_routes,
    audit_routes,
):
    app.register_blueprint(_routes)
# Retraining started outside Lambda (chalice local, make run, tests) runs this handler in a thread; in
# Lambda the retrain function is invoked instead. The runtime core never imports functions/.
retraining.set_local_runner(handle_retrain)
# Likewise a plan asked outside Lambda is solved in-process; in Lambda the planner function is invoked.
planning.set_local_runner(handle_plan)


@app.on_sqs_message(queue=ETL_QUEUE, batch_size=ETL_BATCH_SIZE, name="etl")
def etl(event):
    """S3 ObjectCreated → SQS → load each CSV; failed records are returned as batchItemFailures."""
    context = event.context
    return handle_sqs_batch(event, getattr(context, "get_remaining_time_in_millis", None))


@app.schedule(get_settings().retrain_schedule, name="retrain")  # PF_RETRAIN_SCHEDULE
def retrain(event):
    """EventBridge schedule (or an async invoke) → train → evaluate → maybe promote → score."""
    return handle_retrain(event.to_dict())


@app.on_sqs_message(queue=SCORE_QUEUE, batch_size=SCORE_BATCH_SIZE, name="score")
def score(event):
    """A scoring run's chunk (sent by the retrain function) → score its id range; the last one swaps the run in."""
    return handle_score_batch(event)


@app.lambda_function(name="planner")
def planner(event, context):
    """Invoked synchronously by the API: {"campaign_id", "body"} → the plan envelope (predictfluence.planning)."""
    return handle_plan(event)
