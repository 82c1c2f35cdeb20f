"""Predictfluence's Chalice app: wires blueprints and event handlers, nothing else."""

from __future__ import annotations

from chalice import Chalice

from functions.api.health import health_routes
from functions.events.etl import ETL_BATCH_SIZE, ETL_QUEUE, handle_sqs_batch

app = Chalice(app_name="predictfluence")
app.register_blueprint(health_routes)


@app.on_sqs_message(queue=ETL_QUEUE, batch_size=ETL_BATCH_SIZE, name="etl")
def etl(event):
    """S3 ObjectCreated → SQS → load each CSV; failed records are returned as batchItemFailures."""
    return handle_sqs_batch(event)
