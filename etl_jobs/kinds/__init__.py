"""One module per CSV kind. Each exposes `loader: KindLoader` (see etl_jobs.base)."""
