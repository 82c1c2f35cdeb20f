"""The Swagger UI page for /docs, served from the API itself (no CDN: there may be no network).

The assets come from the `swagger-ui-bundle-v2` wheel (Swagger UI 5.x: OpenAPI 3.1 support; static
files only, never imported as code). Only `swagger-ui-bundle.js` and `swagger-ui.css` are served; they
are read on first use and kept in memory. Links are relative, so the page works under an API Gateway
stage prefix (/api/docs) as well as locally (/docs).

No `persistAuthorization`: Swagger UI would keep the API key typed into "Authorize" in localStorage, where
it outlives the tab and is readable by any script of the API's origin. The key lasts as long as the page.
"""

from __future__ import annotations

import functools
from pathlib import Path

ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Predictfluence API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" href="data:,">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui", deepLinking: true});
  </script>
</body>
</html>
"""


def _asset_dir() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


@functools.lru_cache(maxsize=len(ASSETS))
def asset(name: str) -> str | None:
    """The text of a Swagger UI asset, or None when the bundle is not installed."""
    folder = _asset_dir()
    if name not in ASSETS or folder is None or not (folder / name).is_file():
        return None
    return (folder / name).read_text(encoding="utf-8")
