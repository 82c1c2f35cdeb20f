"""The REST API framework: errors, auth, routing (validation + OpenAPI metadata), the OpenAPI document.

How to add a route: docs/api-conventions.md.
"""
