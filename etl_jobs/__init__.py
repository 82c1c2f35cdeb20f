"""CSV ingestion: one module per CSV kind (schema, parsing, validation, transform, load)."""
