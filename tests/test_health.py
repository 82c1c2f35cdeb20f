from __future__ import annotations

from chalice.test import Client

from app import app


def test_health_reports_database_ok(db):
    with Client(app) as client:
        response = client.http.get("/health")
    assert response.status_code == 200
    assert response.json_body == {"status": "ok", "database": "ok"}
