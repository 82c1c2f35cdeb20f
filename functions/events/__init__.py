"""Event-driven handlers: S3→SQS ETL and scheduled retraining."""
