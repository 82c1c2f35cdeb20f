"""All of the API's SQL: SQLAlchemy Core `text()` with bound parameters, one module per resource.

Rules: values are always bound parameters; identifiers that vary (sort columns, directions) come only
from the allow-lists in these modules, never from the request; functions return plain dicts.
"""
