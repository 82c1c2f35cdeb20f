"""Predictfluence's Chalice app: wires blueprints and event handlers, nothing else."""

from __future__ import annotations

from chalice import Chalice

from functions.api.health import health_routes

app = Chalice(app_name="predictfluence")
app.register_blueprint(health_routes)
