"""Lambda handlers by trigger: api/ (Chalice blueprints per resource) and events/ (SQS ETL, retrain)."""
