"""Predictfluence core: configuration, database access, warehouse models, storage."""
