"""/openapi.json is valid OpenAPI 3.1 and documents every route; /docs serves Swagger UI without a CDN;
the API's import path stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from openapi_spec_validator import validate

from app import app

ROOT = Path(__file__).resolve().parents[2]


def test_openapi_document_is_valid_and_covers_every_route(client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    document = response.json_body
    validate(document)
    assert document["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    wired = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert documented == wired
    listing = document["paths"]["/influencers"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    assert params["sort"]["schema"]["enum"] == ["followers", "avg_er", "avg_likes", "avg_views", "avg_comments", "name"]
    assert params["page_size"]["schema"]["maximum"] == 200
    assert listing["security"] == [{"bearerAuth": []}]
    assert set(listing["responses"]) == {"200", "400", "401", "403", "500", "503"}
    hire = document["paths"]["/campaigns/{campaign_id}/influencers"]["post"]
    assert set(hire["responses"]) >= {"201", "400", "401", "403", "404", "409", "422"}
    assert hire["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/HireCreate"}
    assert "security" not in document["paths"]["/health"]["get"]


def test_docs_page_and_its_assets_are_served_locally(client):
    page = client.http.get("/docs")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.body.decode()
    assert 'src="docs/swagger-ui-bundle.js"' in html and 'url: "openapi.json"' in html
    assert "http://" not in html and "https://" not in html
    script = client.http.get("/docs/swagger-ui-bundle.js")
    assert script.status_code == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert b"SwaggerUIBundle" in script.body
    css = client.http.get("/docs/swagger-ui.css")
    assert css.status_code == 200 and b".swagger-ui" in css.body


def test_the_api_import_path_pulls_in_no_heavy_libraries():
    code = ("import sys, app; heavy = ('pandas', 'numpy', 'scipy', 'sklearn', 'boto3', 'botocore'); "
            "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
